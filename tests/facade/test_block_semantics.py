"""Block/HybridBlock semantics of MXNet 1.9.1 Gluon: attributes, children, input checks, hooks."""

import warnings

import numpy as np
import pytest

import mxjax as mx
from mxjax import gluon
from mxjax.gluon import nn


def test_attribute_type_cannot_change_from_block_or_parameter():
    b = gluon.Block()
    b.a = None
    b.a = 1  # plain attributes may change type
    b.c = gluon.Block()
    c2 = gluon.Block()
    b.c = c2
    assert b.c is c2 and list(b._children.values()) == [c2]
    with pytest.raises(TypeError, match="Changing attribute type"):
        b.c = (2,)
    b.p = gluon.Parameter("p", shape=(1,))
    with pytest.raises(TypeError, match="Changing attribute type"):
        b.p = 3


def test_unregistered_container_of_blocks_warns():
    class Listed(gluon.Block):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Dense(2), nn.Dense(3)]
            self.data = {"a": "4", "b": 123}

    class Registered(gluon.Block):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential()
            self.layers.add(nn.Dense(2))

    with pytest.warns(UserWarning, match="unregistered container"):
        Listed().collect_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Registered().collect_params()


def test_hybrid_children_and_stale_program():
    net = nn.HybridSequential()
    with pytest.raises(ValueError, match="must also be HybridBlock"):
        net.add(gluon.Block())
    net.add(nn.Dense(4, flatten=False, weight_initializer="ones", bias_initializer="zeros"))
    net.initialize()
    net.hybridize()
    assert net(mx.nd.ones((2, 3, 5))).shape == (2, 3, 4)
    net.add(nn.Flatten())  # the compiled program of the old structure is not reused
    out = net(mx.nd.ones((2, 3, 5)))
    np.testing.assert_array_equal(out.asnumpy(), np.full((2, 12), 5.0, np.float32))


def test_hybridized_input_checks():
    class Add(gluon.HybridBlock):
        def hybrid_forward(self, F, a, b=None):
            return a if b is None else a + b

    blk = Add()
    blk.hybridize()
    with pytest.raises(ValueError, match="must be \\(nested\\) list of Symbol or NDArray"):
        blk(mx.nd.ones((2,)), 1)
    with pytest.raises(ValueError, match="multiple contexts"):
        blk(mx.nd.ones((2,), ctx=mx.cpu(1)), mx.nd.ones((2,), ctx=mx.cpu(2)))
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        blk(mx.nd.ones((2,)), mx.sym.var("a"))
    for active in (True, False):
        blk.hybridize(active)
        with pytest.raises(ValueError, match="one NDArray or one Symbol"):
            blk(None, None)
    assert Add()(mx.nd.ones((2,)), 1).asnumpy().tolist() == [2.0, 2.0]  # imperative: allowed


def test_summary_nested_outputs_and_hybridized(capsys):
    net = gluon.rnn.LSTM(4, input_size=3)
    net.initialize()
    net.summary(mx.nd.ones((5, 2, 3)), net.begin_state(2))
    text = capsys.readouterr().out
    assert "[(5, 2, 4), [(1, 2, 4), (1, 2, 4)]]" in text
    dense = nn.Dense(2, in_units=3)
    dense.initialize()
    dense.hybridize()
    with pytest.raises(AssertionError, match="hybridized"):
        dense.summary(mx.nd.ones((1, 3)))


def test_op_hook_names_and_values():
    net = nn.HybridSequential(prefix="m_")
    with net.name_scope():
        net.add(nn.Dense(2, in_units=3), nn.Activation("relu"))
    net.initialize(mx.init.One())
    net.hybridize()
    seen = []
    net.register_op_hook(lambda n, op, a: seen.append((n.decode(), op.decode(), a.asnumpy())), True)
    x = mx.nd.array([[1.0, -2.0, 0.5]])
    net(x)
    names = [n for n, _, _ in seen]
    assert names == [
        "m_dense0_fwd_data",
        "m_dense0_fwd_weight",
        "m_dense0_fwd_bias",
        "m_dense0_fwd_output",
        "m_relu0_fwd_input0",
        "m_relu0_fwd_output",
    ]
    assert [op for _, op, _ in seen][-1] == "Activation"
    fc = x.asnumpy() @ np.ones((3, 2), np.float32)  # -0.5 per unit
    np.testing.assert_allclose(seen[3][2], fc)
    np.testing.assert_allclose(seen[5][2], np.maximum(fc, 0))


def test_selu_rounds_as_mxnet():
    # MXNet 1.9.1: SELU(x) == (lambda * alpha) * expm1(x) bit for bit for x < 0 (its own test)
    x = mx.nd.array([-0.1, 0.1, -1.0, 2.0])
    lam, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    out = nn.SELU()(x)
    assert out[0].asscalar() == (lam * alpha * mx.nd.expm1(x[0])).asscalar()
    assert out[1].asscalar() == (lam * x[1]).asscalar()
    golden = [-0.16730527579784393, 0.10507010668516159, -1.1113307476043701, 2.1014020442962646]
    np.testing.assert_allclose(out.asnumpy(), golden, rtol=1e-6)  # values of MXNet 1.9.1


def test_load_parameters_saved_deduplicated(tmp_path):
    class Holder(gluon.Block):
        def __init__(self, params=None):
            super().__init__(params=params)
            self.weight = self.params.get("weight", shape=(2, 2))

    class Pair(gluon.Block):
        def __init__(self):
            super().__init__()
            self.b1 = Holder()
            self.b2 = Holder(self.b1.collect_params())

    src = Pair()
    src.initialize(mx.init.Constant(3.0))
    f = str(tmp_path / "p.params")
    src.save_parameters(f, deduplicate=True)
    assert list(mx.nd.load(f)) == ["b1.weight"]
    dst = Pair()
    dst.load_parameters(f)
    np.testing.assert_array_equal(dst.b2.weight.data().asnumpy(), np.full((2, 2), 3.0))
    with pytest.raises(ValueError, match="missing"):
        nn.Dense(2, in_units=2).load_parameters(f)


def test_reset_arrays_and_sparse_split():
    a, b = mx.nd.ones((2, 3)), mx.nd.ones((4,), dtype="float16")
    mx.nd.reset_arrays(a, b, num_arrays=2)
    assert a.asnumpy().sum() == 0 and b.asnumpy().sum() == 0 and b.dtype == np.float16
    import mxjax.ndarray.sparse as sps

    csr = sps.csr_matrix(np.eye(4, dtype=np.float32))
    parts = gluon.utils.split_and_load(csr, [mx.cpu(0), mx.cpu(0)])
    assert all(isinstance(p, sps.CSRNDArray) for p in parts)
    np.testing.assert_array_equal(parts[1].indices.asnumpy(), [2, 3])
    assert gluon.nn.SymbolBlock is gluon.SymbolBlock


def test_layer_dtype_given_as_numpy_type():
    emb = nn.Embedding(5, 3, dtype=np.float16)
    emb.initialize()
    assert emb(mx.nd.array([1, 2])).dtype == np.float16
    p = gluon.Parameter("w", shape=(2,), dtype="float64")
    assert p.dtype == (
        np.float64 if mx.nd.array([1], dtype="float64").dtype == np.float64 else np.float32
    )


@pytest.mark.parametrize("hybridize", [False, True])
def test_deferred_parameter_shape_from_operator(hybridize):
    # MXNet infers (5, 0) -> (5, 7) from F.FullyConnected's input shape
    class Net(gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            self.w = self.params.get(
                "w", shape=(5, 0), init=mx.init.One(), allow_deferred_init=True
            )
            self.b = self.params.get("b", shape=(5,), init="zeros")

        def hybrid_forward(self, F, x, w, b):
            return F.FullyConnected(x, w, b, num_hidden=5)

    net = Net()
    net.initialize()
    if hybridize:
        net.hybridize()
    x = np.arange(14, dtype=np.float32).reshape(2, 7)
    out = net(mx.nd.array(x))
    assert net.w.shape == (5, 7)
    np.testing.assert_allclose(out.asnumpy(), x @ np.ones((7, 5), np.float32))
