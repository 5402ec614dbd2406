"""NDArray semantics that MXNet 1.9.1's own test_ndarray/test_metric rely on."""

import numpy as np

import mxjax as mx
from mxjax import nd


def test_numpy_argmax_returns_ndarray():
    # numpy.argmax(x, axis) calls x.argmax(axis=, out=None): MXNet returns an NDArray
    p = nd.array([[0.3, 0.7], [0.8, 0.2]])
    got = np.argmax(p, axis=1)
    assert isinstance(got, nd.NDArray)
    np.testing.assert_array_equal(got.asnumpy(), [1.0, 0.0])
    got = np.argmin(p, axis=1)
    assert isinstance(got, nd.NDArray)
    np.testing.assert_array_equal(got.asnumpy(), [0.0, 1.0])
    out = nd.zeros((2,))
    assert nd.argmax(p, axis=1, out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), [1.0, 0.0])


def test_parameterless_binary_ops_ignore_attributes():
    # MXNet ignores attributes of parameterless operators (its test_cosine_loss passes axis=1)
    a, b = nd.array([0.0]), nd.array([[1.0], [-2.0]])
    np.testing.assert_array_equal(nd.broadcast_maximum(a, b, axis=1).asnumpy(), [[1.0], [0.0]])
    np.testing.assert_array_equal(nd.broadcast_equal(a, b, axis=1).asnumpy(), [[0.0], [0.0]])


def test_basic_indexing_writes_through_to_the_parent():
    # MXNet's basic indexing returns views: x[1][0] = v changes x
    x = nd.zeros((3, 4))
    x[1][0] = np.nan
    x[2][1:3] = 5
    row = x[0]
    row[:] = 7
    row += 1
    nd.ones((4,), out=x[1:2][0])
    want = np.zeros((3, 4), np.float32)
    want[0] = 8
    want[1] = 1
    want[2, 1:3] = 5
    np.testing.assert_array_equal(x.asnumpy(), want)
    x[nd.array([0, 1])][0][0] = -1  # advanced indexing copies, as in MXNet
    np.testing.assert_array_equal(x.asnumpy(), want)


def test_basic_indexing_slice_is_contiguous_as_numpy():
    a = np.zeros((3, 4, 5))
    for key in [
        (slice(1, 2), slice(None), slice(None)),
        (slice(None), slice(1, 3), slice(None)),
        (slice(0, 1), slice(1, 3), slice(None)),
        (slice(0, 1), slice(0, 1), slice(None, None, 2)),
        (slice(None, None, -1), slice(0, 1), slice(0, 1)),
        (slice(2, 2), slice(None), slice(None)),
    ]:
        got = nd.NDArray._basic_indexing_slice_is_contiguous(key, a.shape)
        assert got == a[key].flags.contiguous, key


def test_relu_gradient_is_nan_at_nan_as_mxnet():
    x = nd.array([np.nan, -1.0, 2.0])
    x.attach_grad()
    with mx.autograd.record():
        y = nd.relu(x)
    y.backward()
    np.testing.assert_array_equal(y.asnumpy(), [np.nan, 0.0, 2.0])
    np.testing.assert_array_equal(x.grad.asnumpy(), [np.nan, 0.0, 1.0])


def test_list_keys_are_advanced_indexing_as_in_numpy():
    # MXNet (like NumPy) reads x[[0, 2]] as an integer array index; JAX refuses plain lists
    ref = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = nd.array(ref)
    np.testing.assert_array_equal(x[[0, 2]].asnumpy(), ref[[0, 2]])
    np.testing.assert_array_equal(x[[0, 2], [1, 3]].asnumpy(), ref[[0, 2], [1, 3]])
    np.testing.assert_array_equal(x[[True, False, True]].asnumpy(), ref[[True, False, True]])
    np.testing.assert_array_equal(x[1:, [0, 3]].asnumpy(), ref[1:, [0, 3]])
    x[[0, 2]] = 5
    ref[[0, 2]] = 5
    np.testing.assert_array_equal(x.asnumpy(), ref)
