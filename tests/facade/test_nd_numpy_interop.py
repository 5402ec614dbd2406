"""NDArray semantics that MXNet 1.9.1's own test_ndarray/test_metric rely on."""

import numpy as np

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
