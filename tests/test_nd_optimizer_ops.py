"""mx.nd's optimizer update operators against MXNet 1.9.1 golden values (tests/golden/optimizer_ops)."""

import json
import os

import numpy as np
import pytest

import mxjax as mx

with open(os.path.join(os.path.dirname(__file__), "golden", "optimizer_ops", "golden.json")) as f:
    GOLDEN = json.load(f)

nd = mx.nd
W0 = np.array([[0.5, -1.0, 2.0], [0.3, 0.2, -0.1]], np.float32)
G0 = np.array([[1.0, 2.0, -3.0], [0.5, -0.5, 0.25]], np.float32)


def _z():
    return nd.zeros((2, 3))


def _run(name):  # the same calls as make_golden.py
    w, g = nd.array(W0), nd.array(G0)
    if name == "sgd_mom":
        mom = _z()
        for _ in range(2):
            nd.sgd_mom_update(
                w, g, mom, lr=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, clip_gradient=0.6, out=w
            )
    elif name == "adam":
        nd.adam_update(w, g, _z(), _z(), lr=0.01, wd=0.1, clip_gradient=1.5, out=w)
    elif name == "rmsalex":
        nd.rmspropalex_update(w, g, _z(), _z(), _z(), lr=0.01, out=w)
    elif name == "rms":
        nd.rmsprop_update(w, g, _z(), lr=0.01, wd=0.05, out=w)
    elif name == "signum":
        nd.signum_update(w, g, _z(), lr=0.1, momentum=0.9, wd=0.1, wd_lh=0.01, out=w)
    elif name == "signsgd":
        w = nd.signsgd_update(w, g, lr=0.1, wd=0.1)
    elif name == "ftrl":
        nd.ftrl_update(w, g, _z(), _z(), lr=0.1, lamda1=0.01, wd=0.01, out=w)
    elif name == "ftml":
        d, v, z = _z(), _z(), _z()
        for t in (1, 2):
            nd.ftml_update(w, g, d, v, z, lr=0.1, t=t, wd=0.01, out=w)
    elif name == "nag":
        mom = _z()
        for _ in range(2):
            nd.nag_mom_update(w, g, mom, lr=0.1, momentum=0.9, wd=0.01, out=w)
    elif name == "mp_sgd_mom32":
        w16, w32 = nd.array(W0, dtype=np.float16), nd.array(W0)
        nd.mp_sgd_mom_update(
            w16, nd.array(G0, dtype=np.float16), _z(), w32, lr=0.1, momentum=0.9, out=w16
        )
        assert w16.dtype == np.float16
        w = w32
    return w.asnumpy()


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_update_ops_match_mxnet(name):
    np.testing.assert_allclose(_run(name), GOLDEN[name], rtol=1e-5, atol=2e-6)


def test_without_out_the_weight_is_left_alone():
    w, mom = nd.array(W0), _z()
    new = nd.sgd_mom_update(w, nd.array(G0), mom, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(w.asnumpy(), W0)  # states change in place, the weight not
    np.testing.assert_allclose(new.asnumpy(), W0 - 0.1 * G0, rtol=1e-6)
    np.testing.assert_allclose(mom.asnumpy(), -0.1 * G0, rtol=1e-6)
