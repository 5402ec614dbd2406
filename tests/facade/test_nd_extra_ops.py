"""More nd operators and NDArray protocols of MXNet 1.9.1, against NumPy and MXNet values."""

import os
import pickle

import numpy as np
import pytest

import mxjax as mx
from mxjax import nd

X = np.array([[[0.5, -1.5, 2.7], [3.0, -4.2, 1.0]]], np.float32)  # (1, 2, 3)


@pytest.mark.parametrize(
    "name, ref",
    [
        ("fix", np.trunc),
        ("degrees", np.degrees),
        ("radians", np.radians),
        ("rcbrt", lambda a: 1 / np.cbrt(a)),
        ("softmin", lambda a: np.exp(-a) / np.exp(-a).sum(-1, keepdims=True)),
    ],
)
def test_elementwise_extras(name, ref):
    x = nd.array(X)
    np.testing.assert_allclose(getattr(nd, name)(x).asnumpy(), ref(X), rtol=1e-5)
    np.testing.assert_allclose(getattr(x, name)().asnumpy(), ref(X), rtol=1e-5)


def test_nan_reductions_and_shapes():
    a = nd.array([[1.0, np.nan], [2.0, 3.0]])
    np.testing.assert_allclose(nd.nansum(a).asnumpy(), [6.0])
    np.testing.assert_allclose(nd.nanprod(a, axis=1).asnumpy(), [1.0, 6.0])
    np.testing.assert_allclose(a.nansum(axis=0).asnumpy(), [3.0, 3.0])
    x = nd.array(X)
    # MXNet: argmax over axis 1; shape/size as integer arrays
    np.testing.assert_array_equal(nd.argmax_channel(x).asnumpy(), [[1, 0, 0]])
    assert nd.shape_array(x).asnumpy().tolist() == [1, 2, 3]
    assert x.size_array().asnumpy().tolist() == [6]
    assert x.zeros_like().asnumpy().sum() == 0 and x.ones_like().asnumpy().sum() == 6


def test_shape_extras_against_numpy():
    a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    x = nd.array(a)
    parts = nd.split_v2(x, (1, 3), axis=2)
    for got, want in zip(parts, np.split(a, (1, 3), axis=2)):
        np.testing.assert_array_equal(got.asnumpy(), want)
    assert [p.shape for p in x.split_v2(2, axis=0 + 1)] == [(3, 2, 5), (3, 2, 5)]
    np.testing.assert_array_equal(
        nd.slice_like(x, nd.zeros((2, 3)), axes=(0, -1)).asnumpy(), a[:2, :, :3]
    )
    np.testing.assert_array_equal(nd.slice_like(x, nd.zeros((2, 2, 2))).asnumpy(), a[:2, :2, :2])
    np.testing.assert_array_equal(
        nd.diag(x, k=1, axis1=0, axis2=2).asnumpy(), np.diagonal(a, 1, 0, 2)
    )
    np.testing.assert_array_equal(nd.diag(nd.array([1, 2])).asnumpy(), np.diag([1, 2]))
    b = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    pw = (0, 0, 0, 0, 1, 0, 0, 2)
    np_pw = ((0, 0), (0, 0), (1, 0), (0, 2))
    for mode in ("constant", "edge", "reflect"):
        want = np.pad(b, np_pw, mode=mode)
        np.testing.assert_array_equal(nd.pad(nd.array(b), mode=mode, pad_width=pw).asnumpy(), want)
    with pytest.raises(ValueError, match="4-D or 5-D"):
        nd.pad(nd.zeros((2, 2)), mode="constant", pad_width=(0, 0, 1, 1))
    assert nd.broadcast_axes(nd.zeros((2, 1)), axis=1, size=3).shape == (2, 3)


def test_broadcast_like_and_reshape_like_axes():
    lhs, rhs = nd.zeros((1, 2, 1, 3)), nd.zeros((5, 6, 7, 8))
    assert nd.broadcast_like(lhs, rhs, lhs_axes=(0, 2), rhs_axes=(1, 3)).shape == (6, 2, 8, 3)
    with pytest.raises(mx.MXJaxError, match="non-empty"):
        nd.broadcast_like(lhs, rhs, lhs_axes=(), rhs_axes=())
    with pytest.raises(ValueError, match="cannot broadcast"):
        nd.broadcast_like(nd.zeros((2,)), nd.zeros((3,)))
    got = nd.zeros((30, 7)).reshape_like(rhs=nd.zeros((5, 6, 7)), lhs_begin=0, lhs_end=1,
                                         rhs_begin=0, rhs_end=2)  # fmt: skip
    assert got.shape == (5, 6, 7)
    with pytest.raises(ValueError, match="different sizes"):
        nd.reshape_like(nd.zeros((30, 7)), nd.zeros((5, 6, 7, 2)), lhs_begin=-1, rhs_begin=2)


def test_moveaxis_as_numpy():
    x = nd.zeros((4, 1, 2, 3))
    for src, dst in [([0, 1], [2, 3]), ([3, 0], [1, 0]), (range(4), range(4)), (0, -1)]:
        assert nd.moveaxis(x, src, dst).shape == np.moveaxis(np.zeros((4, 1, 2, 3)), src, dst).shape
    for src, dst in [(4, 0), ([0, 0], [0, 1]), (0, [0, 1])]:
        with pytest.raises(ValueError):
            nd.moveaxis(x, src, dst)


def test_crop_assign():
    x = nd.ones((2, 3, 4))
    nd._internal._crop_assign(x, nd.zeros((2, 1, 3)), begin=(0, 0, 0), end=(2, 1, 3), out=x)
    want = np.ones((2, 3, 4), np.float32)
    want[:, :1, :3] = 0
    np.testing.assert_array_equal(x.asnumpy(), want)
    y = nd._internal._crop_assign_scalar(nd.ones((3,)), scalar=5, begin=(1,), end=(3,))
    np.testing.assert_array_equal(y.asnumpy(), [1, 5, 5])


def test_load_frombuffer(tmp_path):
    data = {"a": nd.array([[1, 2]]), "b": nd.arange(3)}
    p = os.path.join(tmp_path, "x.nd")
    nd.save(p, data)
    with open(p, "rb") as f:
        buf = f.read()
    got = nd.load_frombuffer(buf)
    assert sorted(got) == ["a", "b"]
    np.testing.assert_array_equal(got["b"].asnumpy(), [0, 1, 2])
    with pytest.raises(mx.MXJaxError):
        nd.load_frombuffer(buf[:-10])


def test_mxnet_pickle_state_and_dlpack():
    # MXNet 1.9.1: mx.nd.arange(1, ctx=mx.gpu()).__getstate__() (loads on any host)
    state = {
        "handle": bytearray(
            b"\xc9\xfa\x93\xf9\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
            b"\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
        )
    }
    x = nd.ones((3,))
    x.__setstate__(state)
    assert x.shape == (1,) and x.asnumpy().tolist() == [0.0]
    y = nd.array([[1, 2], [3, 4]], dtype="int32")
    z = nd.zeros((1,))
    z.__setstate__(y.__getstate__())
    assert z.dtype == np.int32 and z.asnumpy().tolist() == [[1, 2], [3, 4]]
    assert pickle.loads(pickle.dumps(y)).asnumpy().tolist() == [[1, 2], [3, 4]]
    for cap in (y.to_dlpack_for_read(), y.to_dlpack_for_write(), nd.to_dlpack_for_read(y)):
        np.testing.assert_array_equal(nd.from_dlpack(cap).asnumpy(), y.asnumpy())


def test_creation_reports_its_context():
    ctx = mx.Context("cpu_shared", 0)
    assert nd.zeros((1, 2), ctx=ctx).context == ctx
    assert nd.array([1.0], ctx=mx.cpu(1)).context == mx.cpu(1)
    assert nd.full((2,), 3, dtype="int32").asnumpy().tolist() == [3, 3]


def test_runtime_features():
    f = mx.runtime.Features()
    assert f is mx.runtime.Features()
    assert list(f)[:3] == ["CUDA", "CUDNN", "NCCL"] and len(f) == 32
    assert f.is_enabled("lapack") and not f.is_enabled("INT64_TENSOR_SIZE")
    assert repr(f["LAPACK"]) == "✔ LAPACK"
    with pytest.raises(RuntimeError, match="unknown"):
        f.is_enabled("NOPE")


def test_broadcast_eager_on_host_and_recorded():
    a = np.arange(3, dtype=np.float32).reshape(3, 1)
    x = nd.array(a)
    np.testing.assert_array_equal(nd.broadcast_to(x, (3, 4)).asnumpy(), np.broadcast_to(a, (3, 4)))
    np.testing.assert_array_equal(x.broadcast_axis(axis=1, size=2).asnumpy(), np.tile(a, (1, 2)))
    with pytest.raises(ValueError, match="cannot broadcast"):
        nd.broadcast_to(nd.zeros((2, 3)), (2, 4))
    x.attach_grad()
    with mx.autograd.record():
        y = nd.broadcast_to(x, (3, 4)) * 2
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), np.full((3, 1), 8.0, np.float32))


def test_save_load_numpy_shape_semantics(tmp_path):
    # MXNet 1.9.1: files saved under mx.np_shape(True) keep 0-d shapes and load only
    # under np_shape(True); legacy files do not load under it (MXNetError there)
    p = os.path.join(tmp_path, "a.nd")
    with mx.np_shape(True):
        nd.save(p, [nd.array(np.array(3.0)), nd.zeros((2, 0, 1))])
        got = nd.load(p)
    assert [a.shape for a in got] == [(), (2, 0, 1)] and float(got[0].asnumpy()) == 3.0
    with pytest.raises(mx.MXJaxError, match="NumPy-shape"):
        nd.load(p)
    nd.save(p, [nd.zeros((2, 1))])
    assert nd.load(p)[0].shape == (2, 1)
    with mx.np_shape(True), pytest.raises(mx.MXJaxError, match="NumPy-shape"):
        nd.load(p)


def test_embedding_operator_like_mxnet():
    # golden values from MXNet 1.9.1: float indices truncate, then clip to [0, input_dim - 1]
    w = nd.arange(6).reshape((3, 2))
    w.attach_grad()
    idx = nd.array([[2.9, -4], [1, 7]], ctx=mx.cpu(1))
    with mx.autograd.record():
        y = nd.Embedding(data=idx, weight=w, input_dim=3, output_dim=2)
        (y * y).backward()
    np.testing.assert_array_equal(y.asnumpy(), [[[4, 5], [0, 1]], [[2, 3], [4, 5]]])
    assert y.context == mx.cpu(1) and y.dtype == np.float32
    np.testing.assert_array_equal(w.grad.asnumpy(), [[0, 2], [4, 6], [16, 20]])
    with pytest.raises(ValueError, match="shape"):
        nd.Embedding(nd.array([0]), w, input_dim=4, output_dim=2)
    with mx.autograd.record(), pytest.raises(ValueError, match="sparse_grad=True"):
        nd.Embedding(nd.array([0]), w, 3, 2, sparse_grad=True)  # dense gradient attached
