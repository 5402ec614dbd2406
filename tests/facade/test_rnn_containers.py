"""Gluon RNN cell containers against golden values from real MXNet 1.9.1.

Golden file: tests/golden/rnn_cells/containers.npz (make_golden.py next to it).
"""

import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon

G = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "rnn_cells", "containers.npz"))
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _load(block, tag):
    params = block.collect_params()
    for key in G.files:
        if key.startswith(f"{tag}/w/"):
            params[key[len(tag) + 3 :]].set_data(mx.nd.array(G[key]))


@pytest.mark.parametrize("hybridize", [False, True])
def test_sequential_cell_matches_mxnet(hybridize):
    seq = gluon.rnn.SequentialRNNCell(prefix="seq_")
    with seq.name_scope():
        seq.add(gluon.rnn.LSTMCell(5, input_size=3, prefix="a_"))
        seq.add(gluon.rnn.GRUCell(4, input_size=5, prefix="b_"))
    seq.initialize()
    _load(seq, "seq")
    if hybridize:
        seq.hybridize()
    out, states = seq.unroll(4, mx.nd.array(G["x"]), layout="NTC", merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), G["seq/out"], **TOL)
    assert len(states) == 3
    for i, s in enumerate(states):
        np.testing.assert_allclose(s.asnumpy(), G[f"seq/state{i}"], **TOL)
    # one step through the stack equals the first unrolled step
    step, _ = seq(mx.nd.array(G["x"][:, 0]), seq.begin_state(batch_size=2))
    np.testing.assert_allclose(step.asnumpy(), G["seq/out"][:, 0], **TOL)


def test_bidirectional_cell_with_valid_length_matches_mxnet():
    bi = gluon.rnn.BidirectionalCell(
        gluon.rnn.LSTMCell(3, input_size=3, prefix="l_"),
        gluon.rnn.LSTMCell(3, input_size=3, prefix="r_"),
    )
    bi.initialize()
    _load(bi, "bi")
    out, states = bi.unroll(
        4,
        mx.nd.array(G["x"]),
        layout="NTC",
        merge_outputs=True,
        valid_length=mx.nd.array(G["valid_length"]),
    )
    np.testing.assert_allclose(out.asnumpy(), G["bi/out"], **TOL)
    for i, s in enumerate(states):
        np.testing.assert_allclose(s.asnumpy(), G[f"bi/state{i}"], **TOL)
    with pytest.raises(NotImplementedError, match="unroll"):
        bi(mx.nd.ones((2, 3)), bi.begin_state(batch_size=2))


def test_residual_cell_list_outputs_match_mxnet():
    res = gluon.rnn.ResidualCell(gluon.rnn.GRUCell(3, input_size=3, prefix="g_"))
    res.initialize()
    _load(res, "res")
    x = mx.nd.array(G["x"].transpose(1, 0, 2))
    out, states = res.unroll(4, x, layout="TNC", merge_outputs=False)
    assert isinstance(out, list) and len(out) == 4
    np.testing.assert_allclose(np.stack([o.asnumpy() for o in out]), G["res/out"], **TOL)
    np.testing.assert_allclose(states[0].asnumpy(), G["res/state0"], **TOL)
    with pytest.raises(RuntimeError, match="modifier"):
        res.base_cell.begin_state(batch_size=2)


def test_unroll_default_returns_list_as_mxnet():
    cell = gluon.rnn.LSTMCell(3, input_size=2)
    cell.initialize()
    out, states = cell.unroll(3, mx.nd.ones((2, 3, 2)))
    assert isinstance(out, list) and [o.shape for o in out] == [(2, 3)] * 3
    out, _ = cell.unroll(3, [mx.nd.ones((2, 2))] * 3, layout="TNC", merge_outputs=True)
    assert out.shape == (3, 2, 3)
    with pytest.raises(ValueError, match="length=4"):
        cell.unroll(4, mx.nd.ones((2, 3, 2)))


def test_list_begin_states_through_hybridized_layer_and_cell():
    lstm = gluon.rnn.LSTM(4, input_size=3)
    lstm.initialize()
    x = mx.nd.ones((5, 2, 3))
    h, c = mx.nd.ones((1, 2, 4)), mx.nd.zeros((1, 2, 4))
    ref, ref_states = lstm(x, [h, c])
    lstm.hybridize()
    out, states = lstm(x, [h, c])
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-5, atol=1e-6)
    assert isinstance(states, list) and len(states) == 2
    for a, b in zip(states, ref_states):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-5, atol=1e-6)
    cell = gluon.rnn.LSTMCell(4, input_size=3)
    cell.initialize()
    cell.hybridize()
    xs = mx.nd.ones((2, 3))
    xs.attach_grad()
    with autograd.record():
        o, st = cell(xs, [mx.nd.zeros((2, 4)), mx.nd.zeros((2, 4))])
    o.backward()
    assert len(st) == 2 and xs.grad.shape == (2, 3)


def test_unfused_lstm_shares_parameters_and_matches():
    layer = gluon.rnn.LSTM(3, num_layers=2, bidirectional=True, input_size=2)
    stack = layer._unfuse()
    layer.initialize(mx.init.Uniform(0.3))
    x = mx.nd.array(np.random.RandomState(1).uniform(-1, 1, (4, 2, 2)))
    fused = layer(x).asnumpy()
    out, _ = stack.unroll(4, x, layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(out.asnumpy(), fused, rtol=1e-5, atol=1e-5)


def test_dropout_and_zoneout_cells():
    x = mx.nd.ones((2, 3, 4))
    out, states = gluon.rnn.DropoutCell(0.5).unroll(3, x, merge_outputs=True)
    np.testing.assert_array_equal(out.asnumpy(), 1.0)  # inference: identity
    assert states == []
    with autograd.train_mode():
        out, _ = gluon.rnn.DropoutCell(0.5).unroll(3, x, merge_outputs=True)
    assert set(np.unique(out.asnumpy())) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="rate"):
        gluon.rnn.DropoutCell(1.5)
    z = gluon.rnn.ZoneoutCell(gluon.rnn.RNNCell(3, input_size=4), 0.5, 0.5)
    z.initialize()
    out, states = z.unroll(3, x, merge_outputs=True)
    assert out.shape == (2, 3, 3) and states[0].shape == (2, 3)
    with pytest.raises(TypeError, match="Bidirectional"):
        gluon.rnn.ZoneoutCell(
            gluon.rnn.BidirectionalCell(gluon.rnn.RNNCell(2), gluon.rnn.RNNCell(2))
        )


def test_variational_dropout_cell():
    from mxjax.gluon.contrib.rnn import VariationalDropoutCell

    base = gluon.rnn.GRUCell(3, input_size=2)
    cell = VariationalDropoutCell(base)
    cell.initialize()
    x = mx.nd.array(np.random.RandomState(2).uniform(-1, 1, (2, 4, 2)))
    vl = mx.nd.array([2, 4])
    out, states = cell.unroll(4, x, merge_outputs=True, valid_length=vl)
    base._modified = False
    ref, ref_states = base.unroll(4, x, merge_outputs=True, valid_length=vl)
    base._modified = True
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(states[0].asnumpy(), ref_states[0].asnumpy(), rtol=1e-6, atol=1e-6)
    assert np.all(out.asnumpy()[0, 2:] == 0)  # past valid_length
    drop = VariationalDropoutCell(gluon.rnn.GRUCell(3, input_size=2), drop_outputs=0.5)
    drop.initialize()
    with autograd.train_mode():
        out, _ = drop.unroll(4, x, merge_outputs=True)
    zeros = out.asnumpy() == 0
    assert np.all(zeros == zeros[:, :1])  # one output mask for the whole sequence


def test_hybridized_block_takes_none_arguments():
    class Foo(gluon.HybridBlock):
        def hybrid_forward(self, F, a, b=None):
            if a is None:
                return b * 2
            return a if b is None else a + b

    foo = Foo()
    foo.hybridize()
    one = mx.nd.ones((2,))
    np.testing.assert_array_equal(foo(None, one).asnumpy(), [2.0, 2.0])
    np.testing.assert_array_equal(foo(one, None).asnumpy(), [1.0, 1.0])
    np.testing.assert_array_equal(foo(one, one).asnumpy(), [2.0, 2.0])
    x = mx.nd.ones((2,))
    x.attach_grad()
    with autograd.record():
        y = foo(None, x)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [2.0, 2.0])
