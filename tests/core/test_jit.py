"""ddp.jit: scripting and tracing hand back the function or module, which runs as before; TorchScript
archives are refused with a message that says what to do instead."""
import pytest

import ddp
import ddp.nn as nn


def test_script_and_trace_return_what_they_were_given():
    model = nn.Linear(3, 2)
    x = ddp.randn(4, 3)
    assert ddp.jit.script(model) is model and ddp.jit.trace(model, x) is model
    assert ddp.jit.trace(model, example_inputs=(x,), check_trace=False) is model

    @ddp.jit.script
    def double(t):
        return t * 2
    assert double(ddp.ones(2)).tolist() == [2.0, 2.0]


def test_decorators_and_queries():
    def f():
        return 1
    assert ddp.jit.ignore(f) is f and ddp.jit.ignore(drop=True)(f) is f
    assert ddp.jit.unused(f) is f and ddp.jit.export(f) is f
    assert ddp.jit.is_scripting() is False and ddp.jit.is_tracing() is False
    assert ddp.jit.annotate(list, [1]) == [1]


def test_archives_are_refused_with_the_way_out(tmp_path):
    with pytest.raises(NotImplementedError, match="state_dict"):
        ddp.jit.save(nn.Linear(1, 1), tmp_path / "m.pt")
    with pytest.raises(NotImplementedError, match="state dict"):
        ddp.jit.load(tmp_path / "m.pt")
