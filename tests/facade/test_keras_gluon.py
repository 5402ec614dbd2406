"""Keras-style compile/fit/evaluate/predict on Gluon networks (seed 004's idiom)."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import data
from mxjax.gluon import nn


@pytest.fixture(scope="module")
def mnist():
    (x, y), (xt, yt) = data.embedded_mnist(True), data.embedded_mnist(False)
    return (
        x.reshape(-1, 784).astype("float32") / 255,
        y,
        xt.reshape(-1, 784).astype("float32") / 255,
        yt,
    )


def test_seed_004_runs_as_written(mnist):
    x_train, y_train, x_test, y_test = mnist
    net = nn.Sequential()
    net.add(nn.Dense(32, activation="relu", input_shape=(784,)))
    net.add(nn.Dense(10))
    net.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
    history = net.fit(x_train, y_train, epochs=2, batch_size=32, verbose=0)
    assert history.history["accuracy"][1] > history.history["accuracy"][0]
    result = net.evaluate(x_test, y_test)
    assert result["accuracy"] > 0.85
    # fit wrote the trained weights into the Gluon Parameters: the imperative forward agrees
    out = net(mx.nd.array(x_test)).asnumpy()
    np.testing.assert_allclose(out, net.predict(x_test, batch_size=128), rtol=1e-4, atol=1e-4)
    assert np.mean(out.argmax(1) == y_test) == pytest.approx(result["accuracy"], abs=1e-6)


def test_fit_does_not_recompile_and_respects_hybrid_blocks(mnist, compile_counter):
    x_train, y_train, _, _ = mnist
    net = nn.HybridSequential()
    net.add(nn.Dense(16, activation="relu"), nn.BatchNorm(), nn.Dropout(0.2), nn.Dense(10))
    net.initialize(mx.init.Xavier())
    net.compile(
        optimizer=mx.optimizer.Adam(learning_rate=0.01),
        loss=mx.gluon.loss.SoftmaxCrossEntropyLoss(),
        metrics=[mx.metric.Accuracy()],
    )
    net.fit(x_train[:512], y_train[:512], epochs=1, batch_size=64, verbose=0)
    with compile_counter as c:  # a second epoch and a second fit call compile nothing
        net.fit(x_train[:512], y_train[:512], epochs=2, batch_size=64, verbose=0)
    assert c.count == 0
    # BatchNorm running statistics were updated in the block (state, grad_req='null')
    bn = net[1]
    assert not np.allclose(bn.running_mean.data().asnumpy(), 0.0)


def test_fit_before_compile_is_a_clear_error(mnist):
    net = nn.Dense(2)
    with pytest.raises(RuntimeError, match="compile"):
        net.fit(np.ones((4, 3), "float32"), np.zeros(4, "int32"))


@pytest.mark.parametrize("kind", ["gluon", "functional"])
@pytest.mark.parametrize("how", ["validation_data", "validation_split"])
def test_fit_with_validation_keeps_training(mnist, kind, how):
    """Regression: validation inside fit re-read the untrained Gluon weights every epoch."""
    from mxjax import layers as L, train

    x_train, y_train, x_test, y_test = mnist
    x, y, xv, yv = x_train[:1500], y_train[:1500], x_test[:500], y_test[:500]
    if kind == "gluon":
        model = nn.Sequential()
        model.add(nn.Dense(32, activation="relu"), nn.Dense(10))
        model.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
    else:
        layer = L.Sequential([L.Dense(32, activation="relu"), L.Dense(10)])
        model = train.Model(layer, initializer="xavier")
        model.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
    kwargs = (
        {"validation_data": (xv, yv)} if how == "validation_data" else {"validation_split": 0.25}
    )
    h = model.fit(x, y, epochs=3, batch_size=32, verbose=0, **kwargs)
    val = h.history["val_accuracy"]
    assert val[-1] > val[0] and val[-1] > 0.75, val
    assert h.history["accuracy"][-1] > h.history["accuracy"][0]
    # evaluate after fit sees the trained weights (the last validation's numbers)
    if how == "validation_data":
        assert model.evaluate(xv, yv)["accuracy"] == pytest.approx(val[-1], abs=1e-6)
    else:
        assert model.evaluate(x[1125:], y[1125:])["accuracy"] == pytest.approx(val[-1], abs=1e-6)


@pytest.fixture(scope="module")
def seed_runs(mnist):
    """The issue's seed script as written (softmax output) and the same network on logits."""
    x_train, y_train, x_test, y_test = mnist
    out = {}
    for last in ("softmax", None):
        net = nn.Sequential()
        net.add(nn.Dense(32, activation="relu", input_shape=(784,)))
        net.add(nn.Dense(64, activation="relu"))
        net.add(nn.Dense(10, activation=last))
        net.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
        net.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
        out[last] = (net, net.evaluate(x_test, y_test))
    return out


def test_seed_script_with_softmax_output_reaches_90_percent(seed_runs, mnist):
    net, result = seed_runs["softmax"]
    assert net._keras_engine.outputs_are_probabilities
    assert result["accuracy"] >= 0.9
    # outputs are probabilities (no second softmax anywhere): rows sum to one
    probs = net.predict(mnist[2][:64])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # the reported loss is the cross-entropy of those probabilities (NumPy reference)
    p = net.predict(mnist[2])
    ref = -np.mean(np.log(np.clip(p[np.arange(len(p)), mnist[3].astype(int)], 1e-7, 1.0)))
    assert result["loss"] == pytest.approx(ref, rel=1e-4)


def test_softmax_output_trains_as_well_as_logits(seed_runs):
    logits_net, logits = seed_runs[None]
    assert not logits_net._keras_engine.outputs_are_probabilities
    assert abs(seed_runs["softmax"][1]["accuracy"] - logits["accuracy"]) < 0.03


@pytest.mark.parametrize("act", ["softmax", "log_softmax"])
def test_softmax_activations_match_numpy(act):
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    out = nn.Activation(act)(mx.nd.array(x)).asnumpy()
    e = np.exp(x - x.max(axis=1, keepdims=True))
    ref = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out, ref if act == "softmax" else np.log(ref), rtol=1e-5, atol=1e-6)


def test_input_shape_sets_in_units_and_in_channels():
    assert nn.Dense(4, input_shape=(784,)).weight.shape == (4, 784)
    assert nn.Dense(4, input_shape=(1, 28, 28)).weight.shape == (4, 784)  # flatten=True
    assert nn.Dense(4, flatten=False, input_shape=(7, 3)).weight.shape == (4, 3)
    assert nn.Conv2D(8, 3, input_shape=(1, 28, 28)).weight.shape == (8, 1, 3, 3)
    with pytest.raises(ValueError, match="input_shape"):
        nn.Dense(4, input_shape=(None, 3))
    with pytest.raises(ValueError, match="disagrees"):
        nn.Dense(4, in_units=5, input_shape=(3,))
    with pytest.raises(ValueError, match="3 axes"):
        nn.Conv2D(8, 3, input_shape=(28, 28))
