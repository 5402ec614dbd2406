"""gluon.nn / gluon.rnn / gluon.loss blocks against MXNet 1.9.1 goldens (layers.npz)."""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd
from mxjax.gluon import loss, nn, rnn

HERE = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon")


@pytest.fixture(scope="module")
def gold():
    return np.load(os.path.join(HERE, "layers.npz"))


@pytest.fixture(scope="module")
def names():
    with open(os.path.join(HERE, "layer_names.json")) as f:
        return json.load(f)


def _convbn():
    net = nn.HybridSequential(prefix="cb_")
    with net.name_scope():
        net.add(
            nn.Conv2D(3, 3, padding=1, in_channels=2),
            nn.BatchNorm(in_channels=3),
            nn.Activation("relu"),
            nn.GlobalAvgPool2D(),
            nn.Dense(2, in_units=3),
        )
    return net


@pytest.mark.parametrize("hybridize", [False, True])
def test_conv_batchnorm_training_step_matches_mxnet(gold, names, hybridize):
    net = _convbn()
    assert list(net.collect_params().keys()) == names["convbn_full"]
    assert sorted(net._collect_params_with_prefix()) == names["convbn"]
    net.load_parameters(os.path.join(HERE, "convbn.params"))
    if hybridize:
        net.hybridize()
    with autograd.record():
        y = net(mx.nd.array(gold["convbn_x"]))
        out = (y * y).sum()
    out.backward()
    np.testing.assert_allclose(y.asnumpy(), gold["convbn_y"], rtol=1e-4, atol=1e-5)
    for k, p in net._collect_params_with_prefix().items():
        np.testing.assert_allclose(
            p.data().asnumpy(), gold[f"convbn_after.{k}"], rtol=1e-4, atol=1e-6, err_msg=k
        )
        if p.grad_req != "null":
            np.testing.assert_allclose(
                p.grad().asnumpy(), gold[f"convbn_grad.{k}"], rtol=1e-3, atol=1e-5, err_msg=k
            )


def test_lstm_matches_mxnet(gold, names):
    lstm = rnn.LSTM(4, num_layers=2, bidirectional=True, input_size=3, prefix="lstm_")
    assert list(lstm.collect_params().keys()) == names["lstm_full"]
    assert sorted(lstm._collect_params_with_prefix()) == names["lstm"]
    lstm.load_parameters(os.path.join(HERE, "lstm.params"))
    h0 = [mx.nd.array(gold["lstm_h0"]), mx.nd.array(gold["lstm_c0"])]
    y, (h, c) = lstm(mx.nd.array(gold["lstm_x"]), h0)
    np.testing.assert_allclose(y.asnumpy(), gold["lstm_y"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h.asnumpy(), gold["lstm_h"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c.asnumpy(), gold["lstm_c"], rtol=1e-4, atol=1e-5)
    assert lstm(mx.nd.array(gold["lstm_x"])).shape == (5, 2, 8)


def test_gru_cell_unroll_valid_length_matches_mxnet(gold, names):
    cell = rnn.GRUCell(3, input_size=2, prefix="gru_")
    assert list(cell.collect_params().keys()) == names["gru"]
    cell.load_parameters(os.path.join(HERE, "grucell.params"))
    y, states = cell.unroll(
        4,
        mx.nd.array(gold["gru_x"]),
        layout="NTC",
        merge_outputs=True,
        valid_length=mx.nd.array([2, 4]),
    )
    np.testing.assert_allclose(y.asnumpy(), gold["gru_y"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(states[0].asnumpy(), gold["gru_h"], rtol=1e-4, atol=1e-5)


LOSSES = {
    "SoftmaxCELoss": loss.SoftmaxCELoss,
    "L2Loss": loss.L2Loss,
    "L1Loss": loss.L1Loss,
    "SigmoidBCELoss": loss.SigmoidBCELoss,
    "HuberLoss": lambda: loss.HuberLoss(rho=0.5),
    "HingeLoss": loss.HingeLoss,
    "LogisticLoss": loss.LogisticLoss,
    "KLDivLoss": loss.KLDivLoss,
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_blocks_match_mxnet(gold, name):
    fn = LOSSES[name]()
    a0 = mx.nd.array(gold[f"loss_{name}_in0"])
    a0.attach_grad()
    with autograd.record():
        val = fn(a0, mx.nd.array(gold[f"loss_{name}_in1"]))
    val.backward()
    np.testing.assert_allclose(val.asnumpy(), gold[f"loss_{name}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a0.grad.asnumpy(), gold[f"loss_{name}_grad"], rtol=1e-4, atol=1e-6)


def test_dropout_follows_training_mode():
    drop = nn.Dropout(0.5)
    x = mx.nd.ones((100, 10))
    np.testing.assert_array_equal(drop(x).asnumpy(), 1.0)  # inference: identity
    with autograd.record():
        y = drop(x).asnumpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7
    with autograd.record(train_mode=False):
        np.testing.assert_array_equal(drop(x).asnumpy(), 1.0)


def test_lambda_embedding_flatten_and_keras_input_shape():
    emb = nn.Embedding(10, 3)
    emb.initialize(mx.init.Uniform(0.1))
    w = emb.weight.data().asnumpy()
    np.testing.assert_allclose(emb(mx.nd.array([[1, 4]])).asnumpy(), w[[[1, 4]]])
    assert nn.Flatten()(mx.nd.ones((2, 3, 4))).shape == (2, 12)
    lam = nn.HybridLambda(lambda F, x: F.relu(x))
    np.testing.assert_array_equal(lam(mx.nd.array([-1.0, 2.0])).asnumpy(), [0.0, 2.0])
    d = nn.Dense(32, activation="relu", input_shape=(784,))
    assert d.input_shape == (784,)
    with pytest.raises(ValueError, match="units"):
        nn.Dense(0)


def test_names_and_aliases():
    assert nn.Conv2D(2, 3).name.startswith("conv")
    assert nn.MaxPool2D().name.startswith("pool")
    assert nn.Activation("relu").name.startswith("relu")


def test_every_core_layer_has_a_gluon_block():
    from mxjax import layers as L

    helpers = {
        "Composite",
        "Layer",
        "Scope",
        "Sequential",
        "flatten_names",
        "layer",
        "unflatten_names",
    }
    from mxjax.gluon.contrib import rnn as contrib_rnn

    missing = set(L.__all__) - helpers - set(nn.__all__) - set(rnn.__all__)
    missing -= set(contrib_rnn.__all__)
    for kind in ("RNN", "LSTM", "GRU"):  # served by Conv1D/2D/3D<kind>Cell
        if all(hasattr(contrib_rnn, f"Conv{d}D{kind}Cell") for d in (1, 2, 3)):
            missing.discard(f"Conv{kind}Cell")
    assert not missing, f"core layers without a gluon block: {sorted(missing)}"


def test_multi_head_attention_matches_numpy():
    rng = np.random.RandomState(0)
    q = rng.randn(2, 5, 4).astype(np.float32)
    k = rng.randn(2, 3, 6).astype(np.float32)
    att = nn.MultiHeadAttention(8, 2)
    att.initialize(mx.init.Xavier())
    y = att(mx.nd.array(q), mx.nd.array(k)).asnumpy()
    p = {n: v.data().asnumpy() for n, v in att._reg_params.items()}

    def proj(x, n):
        return x @ p[f"{n}_weight"].T + p[f"{n}_bias"]

    def heads(x):  # (B, T, U) -> (B, H, T, D)
        b, t, _ = x.shape
        return x.reshape(b, t, 2, 4).transpose(0, 2, 1, 3)

    qh, kh, vh = heads(proj(q, "query")), heads(proj(k, "key")), heads(proj(k, "value"))
    s = qh @ kh.transpose(0, 1, 3, 2) / np.sqrt(4.0)
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    ctx = (w @ vh).transpose(0, 2, 1, 3).reshape(2, 5, 8)
    np.testing.assert_allclose(y, proj(ctx, "out"), rtol=1e-4, atol=1e-5)
