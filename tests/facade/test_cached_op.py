"""nd.CachedOp (a Symbol called on NDArrays) and arrays whose graph was freed (MXNet's test_cached)."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, nd


def test_cached_op_values_out_and_gradients():
    x, w = mx.sym.var("x"), mx.sym.var("w")
    op = nd.CachedOp(mx.sym.dot(x, w) + 2)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((3, 2), np.float32)
    got = op(nd.array(a), nd.array(b))
    np.testing.assert_allclose(got.asnumpy(), a @ b + 2)
    out = nd.zeros((2, 2))
    assert op(nd.array(a), nd.array(b), out=out) is out
    np.testing.assert_allclose(out.asnumpy(), a @ b + 2)
    wv = nd.array(b)
    wv.attach_grad()
    with autograd.record():
        y = op(nd.array(a), wv) * 3
    y.backward()
    np.testing.assert_allclose(wv.grad.asnumpy(), 3 * a.T @ np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="expected 2 inputs"):
        op(nd.array(a))


def test_multi_output_cached_op():
    x = mx.sym.var("x")
    op = nd.CachedOp(mx.sym.Group([x * 2, x + 1]))
    outs = op(nd.array([1.0, 2.0]))
    assert isinstance(outs, list) and len(outs) == 2
    np.testing.assert_allclose(outs[1].asnumpy(), [2.0, 3.0])


def test_array_with_freed_graph_is_a_constant_in_a_new_recording():
    # MXNet: after backward() without retain_graph, an intermediate result enters
    # later recordings as a constant
    x = nd.array([2.0])
    x.attach_grad()
    with autograd.record():
        y = x * x
        y.backward()
    with autograd.record():
        z = y * x
    z.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [4.0])  # d(y * x)/dx with y constant
    with pytest.raises(autograd.AutogradError, match="freed"):
        y.backward()
