"""Sparse storage of Gluon Parameters (MXNet 1.9.1 semantics, values checked with NumPy)."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon


def test_stype_is_checked_like_mxnet():
    for kw in ({"stype": "invalid"}, {"grad_stype": "dense"}):
        with pytest.raises(AssertionError, match="must be one of"):
            gluon.Parameter("w", shape=(2, 2), **kw)
        with pytest.raises(ValueError):
            gluon.Parameter("w", shape=(2, 2), **kw)


def test_row_sparse_parameter_access():
    p = gluon.Parameter("w", shape=(4, 2), stype="row_sparse", grad_stype="row_sparse")
    p.initialize(init=mx.init.One(), ctx=[mx.cpu(0), mx.cpu(1)])
    rows = mx.nd.array([0, 2], ctx=mx.cpu(1))
    with pytest.raises(RuntimeError, match="storage type is row_sparse"):
        p.data()
    with pytest.raises(RuntimeError, match="storage type is row_sparse"):
        p.list_data()
    with pytest.raises(RuntimeError, match="no Trainer"):
        p.row_sparse_data(rows)
    gluon.Trainer([p], "sgd")
    w = p.row_sparse_data(rows)
    expect = np.array([[1, 1], [0, 0], [1, 1], [0, 0]], np.float32)
    assert w.stype == "row_sparse" and w.context == mx.cpu(1)
    np.testing.assert_array_equal(w.asnumpy(), expect)
    np.testing.assert_array_equal(w.indices.asnumpy(), [0, 2])
    ws = p.list_row_sparse_data(rows)
    assert [a.context for a in ws] == [mx.cpu(0), mx.cpu(1)]
    assert p.grad(mx.cpu(0)).stype == "row_sparse"
    assert p.var().attr("__storage_type__") == "1"
    with pytest.raises(RuntimeError, match="More than one trainers"):
        gluon.Trainer([p], "sgd")
    dense = gluon.Parameter("d", shape=(2,))
    dense.initialize()
    with pytest.raises(RuntimeError, match="storage type is default"):
        dense.row_sparse_data(mx.nd.array([0]))


def test_grad_list_follows_grad_req():
    net = gluon.nn.Dense(2, in_units=3)
    net.initialize()
    net.collect_params().setattr("grad_req", "null")
    assert net.weight._grad is None
    net.collect_params().setattr("grad_req", "write")
    assert len(net.weight._grad) == 1


@pytest.mark.parametrize("hybridize", [False, True])
def test_embedding_sparse_grad(hybridize):
    layer = gluon.nn.Embedding(6, 3, sparse_grad=True)
    layer.initialize()
    if hybridize:
        layer.hybridize()
    x = mx.nd.array([3, 1, 3])
    with autograd.record():
        loss = layer(x).sum()
    loss.backward()
    g = layer.weight.grad()
    expect = np.zeros((6, 3), np.float32)
    np.add.at(expect, [3, 1, 3], 1.0)
    assert g.stype == "row_sparse"
    np.testing.assert_array_equal(g.asnumpy(), expect)
    np.testing.assert_array_equal(g.indices.asnumpy(), [1, 3])
    assert float(g.data.sum().asscalar()) == 9.0


def test_sparse_parameter_rejected_where_mxnet_rejects():
    params = gluon.ParameterDict("net_")
    params.get("weight", shape=(2, 2), stype="row_sparse")
    params.get("bias", shape=(2,))
    net = gluon.nn.Dense(2, params=params)
    net.initialize()
    with pytest.raises(RuntimeError, match="row_sparse_data"):
        net(mx.nd.ones((1, 2)))
    data, w = mx.sym.var("data"), mx.sym.var("weight", stype="row_sparse")
    with pytest.raises(AssertionError, match="sparse"):
        gluon.SymbolBlock(mx.sym.dot(data, w), data)


def test_retain_and_copies_keep_storage():
    a = mx.nd.array([[1, 2], [3, 4], [5, 6]]).tostype("row_sparse")
    r = mx.nd.sparse.retain(a, mx.nd.array([1]))
    np.testing.assert_array_equal(r.asnumpy(), [[0, 0], [3, 4], [0, 0]])
    assert a.copy().stype == "row_sparse"
    assert a.copyto(mx.cpu(1)).stype == "row_sparse"
    assert mx.nd.array([1.0], ctx=mx.cpu(1)).context == mx.cpu(1)
    with pytest.raises(TypeError, match="RowSparseNDArray"):
        mx.nd.sparse.retain(mx.nd.ones((2, 2)), [0])


def test_backward_through_row_sparse_data_and_lazy_step():
    # golden values from MXNet 1.9.1 (same script, import mxnet as mx)
    p = gluon.Parameter(
        "w", shape=(5, 2), stype="row_sparse", grad_stype="row_sparse", init=mx.init.One()
    )
    p.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    trainer = gluon.Trainer([p], "sgd", {"learning_rate": 0.1, "wd": 0.1})
    with autograd.record():
        for c in (mx.cpu(0), mx.cpu(1)):
            idx = mx.nd.array([0, 3, 3], ctx=c)
            y = mx.nd.Embedding(idx, p.row_sparse_data(idx), 5, 2, sparse_grad=True)
            (y * mx.nd.array([[1], [2], [3]], ctx=c)).backward()
    expect = np.zeros((5, 2), np.float32)
    expect[0], expect[3] = 1, 5
    for g in p.list_grad():
        assert g.stype == "row_sparse"
        np.testing.assert_array_equal(g.asnumpy(), expect)
    trainer.step(2)
    # lazy update: rows without gradient keep their value (no weight decay)
    w = np.ones((5, 2), np.float32)
    w[0], w[3] = 0.89, 0.49
    for a in p.list_row_sparse_data(mx.nd.arange(5)):
        np.testing.assert_allclose(a.asnumpy(), w, rtol=1e-6)
    w[[1, 2, 4]] = 0  # rows not pulled are zero, as MXNet's row_sparse_pull
    np.testing.assert_allclose(p.row_sparse_data(mx.nd.array([3, 0])).asnumpy(), w, rtol=1e-6)


def test_contrib_sparse_embedding():
    # golden values from MXNet 1.9.1's gluon.contrib.nn.SparseEmbedding (same steps)
    net = gluon.contrib.nn.SparseEmbedding(4, 3, weight_initializer=mx.init.One())
    assert repr(net) == "SparseEmbedding(4 -> 3, float32)"
    assert (net.weight._stype, net.weight._grad_stype) == ("row_sparse", "row_sparse")
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    with autograd.record():
        y = net(mx.nd.array([[0, 2], [1, 2]]))
        (y * mx.nd.array([1, 2, 3])).sum().backward()
    assert y.shape == (2, 2, 3)
    g = net.weight.grad()
    assert g.stype == "row_sparse"
    np.testing.assert_array_equal(g.asnumpy(), [[1, 2, 3], [1, 2, 3], [2, 4, 6], [0, 0, 0]])
    trainer.step(1)
    np.testing.assert_array_equal(
        net.weight.row_sparse_data(mx.nd.arange(4)).asnumpy(),
        [[0.5, 0, -0.5], [0.5, 0, -0.5], [0, -1, -2], [1, 1, 1]],
    )
