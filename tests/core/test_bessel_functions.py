"""torch.special's Bessel and Airy functions (ops/bessel_jy.py, bessel_k.py, bessel_airy.py): reference
values, zeros, Wronskians and recurrences; PyTorch's values, dtypes and edge values (0, negative, inf, nan);
and the refusal to differentiate, as PyTorch."""
import math

import numpy as np
import pytest

import ddp

S = ddp.special
NAMES = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_k0", "modified_bessel_k1",
         "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0", "airy_ai"]
EDGES = np.array([0.0, -0.0, -1.0, -7.5, np.inf, -np.inf, np.nan, 1e-310, 1e-7, 2.0, 2.09, -2.09, 5.0, -5.0,
                  103.8, 104.0, 1e300, -1e300])


def f64(name, x):
    return getattr(S, name)(ddp.tensor(np.asarray(x, dtype=np.float64))).numpy()


# mpmath at 30 digits (J0, J1, Y0, Y1 at x; Ai at negative x), where the rational fits of Cephes meet
REFERENCE_JY = {3.0: (-0.26005195490193343762, 0.33905895852593645893, 0.37685001001279038197,
                      0.32467442479179997844),
                5.0: (-0.17759677131433830435, -0.32757913759146522204, -0.30851762524903378007,
                      0.1478631433912268448),
                7.5: (0.26633965788037839687, 0.13524842757970550518, 0.11731328614820863084,
                      -0.2591285104861162518),
                12.0: (0.047689310796833536624, -0.22344710449062761237, -0.22523731263436143369,
                       -0.05709921826089652105),
                20.0: (0.16702466434058315473, 0.066833124175850045579, 0.062640596809383831162,
                       -0.16551161436252129586)}
REFERENCE_AI = {-2.5: -0.11232506769296608919, -3.0: -0.37881429367765807435, -4.0: -0.070265532949289515099,
                -7.0: 0.18428083525050563728, -15.0: 0.27821749087082892953}


def test_reference_values():
    for x, expected in REFERENCE_JY.items():
        got = [f64(n, x) for n in ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1")]
        np.testing.assert_allclose(got, expected, rtol=5e-15, err_msg=f"x={x}")
        np.testing.assert_allclose([f64("bessel_j0", -x), f64("bessel_j1", -x)], [expected[0], -expected[1]],
                                   rtol=5e-15)
    for x, expected in REFERENCE_AI.items():
        np.testing.assert_allclose(f64("airy_ai", x), expected, rtol=1e-14, err_msg=f"x={x}")
    np.testing.assert_allclose(f64("airy_ai", 0.0), 0.355028053887817239260, rtol=1e-16)  # DLMF 9.2.3


def test_zeros():
    for name, zeros in [("bessel_j0", [2.4048255576957727686, 5.5200781102863106496, 8.653727912911012217]),
                        ("bessel_j1", [3.8317059702075123156, 7.0155866698156187535]),
                        ("bessel_y0", [0.89357696627916752158, 3.9576784193148578684]),
                        ("airy_ai", [-2.3381074104597670385, -4.0879494441309706166, -5.5205598280955510591])]:
        assert np.all(np.abs(f64(name, zeros)) < 1e-15), name
        assert np.all(f64(name, np.array(zeros) - 1e-3) * f64(name, np.array(zeros) + 1e-3) < 0), name


def test_wronskians_and_recurrences():
    x = np.concatenate([np.linspace(0.05, 40, 397), [55.5, 80.25, 100.0]])
    j0, j1, y0, y1 = (f64(n, x) for n in ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"))
    np.testing.assert_allclose(j1 * y0 - j0 * y1, 2 / (math.pi * x), rtol=1e-13)  # DLMF 10.5.2
    k0, k1 = f64("modified_bessel_k0", x), f64("modified_bessel_k1", x)
    i0, i1 = S.i0(ddp.tensor(x)).numpy(), S.i1(ddp.tensor(x)).numpy()
    np.testing.assert_allclose(i0 * k1 + i1 * k0, 1 / x, rtol=1e-13)  # DLMF 10.28.2
    np.testing.assert_allclose(f64("scaled_modified_bessel_k0", x), np.exp(x) * k0, rtol=1e-14)
    np.testing.assert_allclose(f64("scaled_modified_bessel_k1", x), np.exp(x) * k1, rtol=1e-14)
    big = np.array([800.0, 1e4, 1e8])  # K underflows; the scaled form keeps its sqrt(pi / 2x) limit
    assert not f64("modified_bessel_k0", big).any()
    np.testing.assert_allclose(f64("scaled_modified_bessel_k1", big), np.sqrt(math.pi / (2 * big)), rtol=1e-3)
    np.testing.assert_allclose(f64("spherical_bessel_j0", x), np.sin(x) / x, rtol=1e-14)
    h = 1e-3  # Ai'' = x Ai, by central differences
    z = np.linspace(-6, 6, 49)
    second = (f64("airy_ai", z + h) - 2 * f64("airy_ai", z) + f64("airy_ai", z - h)) / h ** 2
    np.testing.assert_allclose(second, z * f64("airy_ai", z), atol=1e-6)


def test_edges_and_dtypes():
    y0 = f64("bessel_y0", EDGES)
    assert y0[0] == y0[1] == -np.inf and np.isnan(y0[2:7]).all()
    k0 = f64("modified_bessel_k0", EDGES)
    assert k0[0] == k0[1] == np.inf and np.isnan(k0[[2, 3, 5, 6]]).all() and k0[4] == 0
    assert f64("spherical_bessel_j0", [np.inf, -np.inf, 0.0]).tolist() == [0.0, 0.0, 1.0]
    assert np.isnan(f64("airy_ai", [np.inf, -np.inf, np.nan])).all() and f64("airy_ai", 104.0) == 0
    assert np.signbit(f64("bessel_j1", -0.0))
    for name in NAMES:
        assert getattr(S, name)(ddp.tensor([1.0, 2.5], dtype=ddp.float32)).dtype == ddp.float32
        out = getattr(S, name)(ddp.tensor([1, 3]))
        assert out.dtype == ddp.get_default_dtype()
        np.testing.assert_allclose(out.numpy(), f64(name, [1.0, 3.0]), rtol=1e-6)


def test_no_derivative_as_pytorch():
    for name in NAMES:
        y = getattr(S, name)(ddp.tensor([1.5, 2.5], requires_grad=True))
        with pytest.raises(NotImplementedError, match=f"derivative for '{name}' is not implemented"):
            y.sum().backward()


def _compare(torch, name, x, rtol):
    ours = f64(name, x)
    theirs = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float64)).numpy()
    scale = np.maximum(np.abs(theirs), np.minimum(1.0, 1 / np.sqrt(np.abs(x) + 1e-300)))  # oscillating near zeros
    if name == "airy_ai":
        scale = np.maximum(np.abs(theirs), np.where(x < 0, 0.5 / (1 + np.abs(x)) ** 0.25, 0))
    scale = np.where(scale == 0, 1.0, scale)  # an underflowed value must match exactly
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(ours), finite, err_msg=name)
    np.testing.assert_allclose(ours[finite] / scale[finite], theirs[finite] / scale[finite], rtol=0, atol=rtol,
                               err_msg=name)


@pytest.mark.parametrize("name", NAMES)
def test_matches_pytorch(name):
    """PyTorch 2.13 evaluates Cephes' monic denominators without their leading 1, which moves its J, Y and Ai
    by up to ~1e-5 between |x| = 1.5 and 30 (Ai: -30 < x < -1.5; see REFERENCE_*): compared outside them."""
    torch = pytest.importorskip("torch")
    big = np.logspace(np.log10(30), 4, 300)
    x = np.concatenate([np.linspace(-1.5, 1.5, 121), big, -big, [0.0, -0.0, 1e-300]])
    if name.startswith("modified") or name.startswith("scaled") or name == "spherical_bessel_j0":
        x = np.concatenate([x, np.linspace(1.5, 30, 200), np.logspace(-8, np.log10(700), 200)])
    if name == "airy_ai":
        x = np.concatenate([x, np.linspace(1.5, 104, 200)])
    _compare(torch, name, x, 1e-13)
    ours, theirs = f64(name, EDGES), getattr(torch.special, name)(torch.tensor(EDGES)).numpy()
    exact = ~np.isfinite(theirs) | (theirs == 0)
    np.testing.assert_array_equal(ours[exact], theirs[exact])
    np.testing.assert_array_equal(np.signbit(ours[exact]), np.signbit(theirs[exact]))
    x32 = np.linspace(-1.5, 1.5, 31).astype(np.float32)  # PyTorch works in float32 there; we round float64
    ours32 = getattr(S, name)(ddp.tensor(x32)).numpy()
    theirs32 = getattr(torch.special, name)(torch.tensor(x32)).numpy()
    assert ours32.dtype == np.float32
    finite = np.isfinite(theirs32)
    np.testing.assert_allclose(ours32[finite], theirs32[finite], rtol=2e-6, atol=1e-6)
