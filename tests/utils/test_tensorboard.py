"""ddp.utils.tensorboard.SummaryWriter (PyTorch's API): scalars, add_scalars' sub-folders, histograms and
text read back with TensorBoard's own event reader; a clear ImportError without tensorboard."""
import importlib
import sys

import numpy as np
import pytest

import ddp


def read_events(folder):
    """{tag: [(step, value)]} of the scalars, and the accumulator, of the event files in `folder`."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}, acc


def test_scalars_are_read_back_by_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from ddp.utils.tensorboard import SummaryWriter

    with SummaryWriter(tmp_path) as writer:
        assert writer.get_logdir() == str(tmp_path)
        for step in range(3):
            writer.add_scalar("loss/train", 1.0 / (step + 1), step)
        writer.add_scalar("acc", ddp.tensor(0.5), global_step=7)  # a one-element Tensor
        writer.add_scalar("lr", np.float32(0.25), 7)
    scalars, _ = read_events(tmp_path)
    assert scalars["loss/train"] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert scalars["acc"] == [(7, 0.5)] and scalars["lr"] == [(7, 0.25)]


def test_add_scalars_writes_one_folder_per_series(tmp_path):
    pytest.importorskip("tensorboard")
    from ddp.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(tmp_path)
    for step in range(2):
        writer.add_scalars("loss", {"train": 2.0 - step, "test": 3.0 - step}, step)
    writer.flush()
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["loss_test", "loss_train"]
    assert read_events(tmp_path / "loss_train")[0] == {"loss": [(0, 2.0), (1, 1.0)]}
    assert read_events(tmp_path / "loss_test")[0] == {"loss": [(0, 3.0), (1, 2.0)]}


def test_histograms_keep_count_sum_and_range(tmp_path):
    pytest.importorskip("tensorboard")
    from ddp.utils.tensorboard import SummaryWriter

    values = np.random.default_rng(0).normal(size=1000)
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("w", ddp.tensor(values.astype(np.float32)), 3)
        writer.add_histogram("w_np", values, 3, bins=20)
        writer.add_histogram("w_few", values, 3, bins=100, max_bins=8)
        writer.add_text("note", "hello", 0)
    _, acc = read_events(tmp_path)
    for tag, buckets in (("w", None), ("w_np", 20), ("w_few", 8)):
        (event,) = acc.Histograms(tag)
        h = event.histogram_value
        assert event.step == 3 and h.num == 1000 and sum(h.bucket) == 1000
        assert h.min == pytest.approx(values.min(), rel=1e-6) and h.max == pytest.approx(values.max(), rel=1e-6)
        assert h.sum == pytest.approx(values.sum(), rel=1e-4, abs=1e-3)
        assert list(h.bucket_limit) == sorted(h.bucket_limit)
        if buckets is not None:
            assert len(h.bucket) <= buckets
    assert "note" in acc.Tags()["tensors"]


def test_bad_values_are_refused(tmp_path):
    pytest.importorskip("tensorboard")
    from ddp.utils.tensorboard import SummaryWriter

    with SummaryWriter(tmp_path) as writer:
        with pytest.raises(ValueError, match="add_scalar: the value must be a single number, got 3 elements"):
            writer.add_scalar("x", ddp.ones(3), 0)
        with pytest.raises(TypeError, match="add_scalar: the value must be a number, got str"):
            writer.add_scalar("x", "high", 0)
        with pytest.raises(TypeError, match="add_scalars: tag_scalar_dict must be a dict"):
            writer.add_scalars("x", [1.0], 0)
        with pytest.raises(ValueError, match="add_histogram: 'h' got no values"):
            writer.add_histogram("h", np.zeros(0), 0)


def test_without_tensorboard_the_import_says_what_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "tensorboard" or m.startswith("tensorboard.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "tensorboard", None)  # import tensorboard raises ImportError
    monkeypatch.delitem(sys.modules, "ddp.utils.tensorboard", raising=False)
    with pytest.raises(ImportError, match="needs the tensorboard package.*pip install tensorboard"):
        importlib.import_module("ddp.utils.tensorboard")
    monkeypatch.delitem(sys.modules, "ddp.utils.tensorboard", raising=False)


def test_the_api_matches_torch():
    pytest.importorskip("tensorboard")
    torch_tb = pytest.importorskip("torch.utils.tensorboard")
    import inspect

    from ddp.utils.tensorboard import SummaryWriter
    for name in ("__init__", "add_scalar", "add_scalars", "add_histogram", "add_text", "flush", "close"):
        ours = list(inspect.signature(getattr(SummaryWriter, name)).parameters)
        theirs = list(inspect.signature(getattr(torch_tb.SummaryWriter, name)).parameters)
        assert ours == theirs, name
