"""``nd.linalg`` against goldens from MXNet 1.9.1 (values and gradients; tests/golden/linalg)."""

import pathlib

import numpy as np
import pytest

from mxjax import autograd, nd

G = np.load(pathlib.Path(__file__).parents[1] / "golden" / "linalg" / "golden.npz")
L = nd.linalg

CASES = {
    "gemm": lambda a, b, c: L.gemm(a, b, c, alpha=1.5, beta=0.5),
    "gemm_t": lambda a, b, c: L.gemm(a, b, c, transpose_a=True, alpha=2.0),
    "gemm2": lambda a, b: L.gemm2(a, b, transpose_b=True, alpha=0.5),
    "potrf": L.potrf,
    "potri": L.potri,
    "trmm": lambda a, b: L.trmm(a, b, alpha=2.0),
    "trmm_rt": lambda a, b: L.trmm(
        a, b.transpose((0, 2, 1)), rightside=True, transpose=True, lower=False
    ),
    "trsm": lambda a, b: L.trsm(a, b, alpha=0.5),
    "trsm_rt": lambda a, b: L.trsm(a, b.transpose((0, 2, 1)), rightside=True, transpose=True),
    "sumlogdiag": L.sumlogdiag,
    "syrk": lambda a: L.syrk(a, alpha=0.5),
    "syrk_t": lambda a: L.syrk(a, transpose=True),
    "inverse": L.inverse,
    "det": L.det,
    "extractdiag": lambda a: L.extractdiag(a, offset=1),
    "makediag": lambda a: L.makediag(a, offset=-1),
    "extracttrian": lambda a: L.extracttrian(a, offset=1, lower=False),
    "extracttrian_low": L.extracttrian,
    "maketrian": lambda a: L.maketrian(a, offset=-1),
    "maketrian_up": lambda a: L.maketrian(a, lower=False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_mxnet(name):
    xs = []
    i = 0
    while f"{name}/x{i}" in G:
        x = nd.array(G[f"{name}/x{i}"])
        x.attach_grad()
        xs.append(x)
        i += 1
    with autograd.record():
        y = CASES[name](*xs)
        loss = (y * y).sum()
    loss.backward()
    np.testing.assert_allclose(y.asnumpy(), G[name + "/y"], rtol=1e-4, atol=1e-5)
    for i, x in enumerate(xs):
        np.testing.assert_allclose(x.grad.asnumpy(), G[f"{name}/g{i}"], rtol=1e-3, atol=1e-4)


def test_factorizations_match_mxnet():
    q, lo = L.gelqf(nd.array(G["gelqf/x0"]))
    np.testing.assert_allclose(q.asnumpy(), G["gelqf/q"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(lo.asnumpy(), G["gelqf/l"], rtol=1e-4, atol=1e-5)
    u, lam = L.syevd(nd.array(G["syevd/x0"]))
    np.testing.assert_allclose(u.asnumpy(), G["syevd/u"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(lam.asnumpy(), G["syevd/lam"], rtol=1e-4, atol=1e-5)
    s, ld = L.slogdet(nd.array(G["slogdet/x0"]))
    np.testing.assert_allclose(s.asnumpy(), G["slogdet/s"])
    np.testing.assert_allclose(ld.asnumpy(), G["slogdet/ld"], rtol=1e-5)


def test_bad_inputs():
    with pytest.raises(ValueError, match="square"):
        L.potrf(nd.ones((2, 3)))
    with pytest.raises(ValueError, match="m\\(m\\+1\\)/2"):
        L.maketrian(nd.ones((4,)))
    with pytest.raises(TypeError, match="NDArray"):
        L.inverse(np.eye(2))
