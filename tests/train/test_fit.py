"""The Keras-style training engine: learning, no recompilation, callbacks, history."""

from __future__ import annotations

import csv
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mxjax import layers as L, train


def _blobs(n=256, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n).astype(np.int32)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]], np.float32)
    x = centers[y] + 0.5 * rng.standard_normal((n, 2)).astype(np.float32)
    return x, y


def _model(seed=0):
    return train.Model(
        L.Sequential([L.Dense(16, activation="relu"), L.Dense(3)]), seed=seed, initializer="xavier"
    )


def _ce(out, y):  # independent reference loss (optax)
    return optax.softmax_cross_entropy_with_integer_labels(out, y)


def test_fit_learns_and_reports_history():
    x, y = _blobs()
    m = _model().compile("adam", _ce, metrics=["accuracy"], learning_rate=0.05)
    h = m.fit(x, y, epochs=5, batch_size=32, verbose=0, validation_split=0.25)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]
    assert h.history["val_accuracy"][-1] > 0.9
    ev = m.evaluate(x, y, batch_size=64)
    # evaluate agrees with a NumPy recomputation from predict
    logits = m.predict(x, batch_size=50)
    ref_acc = float(np.mean(logits.argmax(-1) == y))
    ref_loss = float(np.mean(_ce(jnp.asarray(logits), jnp.asarray(y))))
    assert ev["accuracy"] == pytest.approx(ref_acc, abs=1e-6)
    assert ev["loss"] == pytest.approx(ref_loss, rel=1e-4)


def test_second_step_epoch_and_fit_do_not_recompile(compile_counter):
    x, y = _blobs(96)
    m = _model().compile("sgd", _ce, metrics=["accuracy"])
    m.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert m._gather_step._cache_size() == 1
    with compile_counter as c:  # more epochs, a second fit call: no XLA compilation at all
        m.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert c.count == 0
    assert m._gather_step._cache_size() == 1
    # an uneven last batch is padded and masked: the same program, for every length
    # of the size bucket too (80 and 75 samples: arrays of capacity 80)
    m2 = _model().compile("sgd", _ce, metrics=["accuracy"])
    m2.fit(x[:80], y[:80], epochs=3, batch_size=32, verbose=0)
    assert m2._gather_step._cache_size() == 1
    with compile_counter as c:
        m2.fit(x[:75], y[:75], epochs=1, batch_size=32, verbose=0)
    assert c.count == 0, c.names


def test_padded_last_batch_trains_on_its_real_rows_only():
    """fit on 80 samples in batches of 32: the last 16 train exactly as an unpadded batch."""
    x, y = _blobs(80)
    m = _model().compile("sgd", _ce, metrics=["accuracy"], learning_rate=0.5)
    m.predict(x[:1])  # builds the parameters only
    params, state = jax.tree.map(np.array, (m.params, m.state))  # fit donates its buffers
    h = m.fit(x, y, epochs=1, batch_size=32, verbose=0, shuffle=False)

    def loss(p, xb, yb):
        out, _ = m.apply_fn(p, state, jnp.asarray(xb), train=True)
        return jnp.mean(_ce(out, jnp.asarray(yb))), out

    losses, hits = [], []
    for lo in range(0, 80, 32):  # a hand-written loop over the real batches (32, 32, 16)
        xb, yb = x[lo : lo + 32], y[lo : lo + 32]
        (value, out), g = jax.value_and_grad(loss, has_aux=True)(params, xb, yb)
        losses.append(float(value) * len(yb))
        hits.append(int(np.sum(np.asarray(out).argmax(-1) == yb)))
        params = jax.tree.map(lambda p, d: p - 0.5 * d, params, g)
    for got, ref in zip(jax.tree.leaves(m.params), jax.tree.leaves(params)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(ref), rtol=1e-5, atol=1e-6)
    assert h.history["loss"][0] == pytest.approx(sum(losses) / 80, rel=1e-5)
    assert h.history["accuracy"][0] == pytest.approx(sum(hits) / 80, abs=1e-6)


def test_batchnorm_network_keeps_an_exact_last_batch(compile_counter):
    """BatchNorm's batch statistics would see padding: its last batch gets its own program."""
    x, y = _blobs(80)
    net = L.Sequential([L.Dense(8), L.BatchNorm(), L.Activation("relu"), L.Dense(3)])
    m = train.Model(net, seed=0).compile("sgd", _ce, learning_rate=0.1)
    m.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert m._gather_step._cache_size() == 2  # full batches, and the 16-row one


def test_iterable_source_and_set_learning_rate_do_not_recompile():
    x, y = _blobs(64)

    class Loader:  # a minimal DataLoader: re-iterable, with a length
        def __iter__(self):
            return ((x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16))

        def __len__(self):
            return 4

    batches = Loader()
    m = _model().compile("sgd", _ce, metrics=["accuracy"], learning_rate=0.1)
    m.fit(batches, epochs=2, verbose=0)
    assert m._train_step._cache_size() == 1
    m.set_learning_rate(0.01)
    assert m.learning_rate == pytest.approx(0.01)
    m.fit(batches, epochs=1, verbose=0)
    assert m._train_step._cache_size() == 1


def test_one_step_matches_hand_written_optax_step():
    x, y = _blobs(32)
    layer = L.Sequential([L.Dense(8, activation="tanh"), L.Dense(3)])
    p0, s0 = layer.init(jax.random.key(3), jnp.asarray(x[:1]))
    m = train.Model(layer, params=p0, state=s0).compile(optax.sgd(0.1), _ce)
    m.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)

    def loss(p):
        return jnp.mean(_ce(layer.apply(p, s0, jnp.asarray(x))[0], jnp.asarray(y)))

    g = jax.grad(loss)(p0)
    expected = jax.tree.map(lambda a, b: a - 0.1 * b, p0, g)
    for a, b in zip(jax.tree.leaves(m.params), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_callbacks(tmp_path):
    x, y = _blobs(128)
    m = _model().compile("adam", _ce, metrics=["accuracy"], learning_rate=0.01)
    seen = []
    cbs = [
        train.CSVLogger(str(tmp_path / "log.csv")),
        train.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e)),
        train.EarlyStopping(monitor="loss", patience=0, min_delta=10.0),  # stops after epoch 2
        train.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0),
    ]
    h = m.fit(x, y, epochs=10, batch_size=32, verbose=0, callbacks=cbs)
    assert seen == [0, 1] and h.epoch == [0, 1]
    assert m.learning_rate == pytest.approx(0.005)
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1]
    assert float(rows[0]["loss"]) == pytest.approx(h.history["loss"][0])


def test_terminate_on_nan():
    x, y = _blobs(64)
    x[5] = np.nan
    m = _model().compile("sgd", _ce)
    h = m.fit(
        x, y, epochs=3, batch_size=16, verbose=0, shuffle=False, callbacks=[train.TerminateOnNaN()]
    )
    assert len(h.epoch) == 1 and math.isnan(h.history["loss"][0])


def test_history_plot(tmp_path):
    x, y = _blobs(64)
    m = _model().compile("adam", _ce, metrics=["accuracy"])
    h = m.fit(x, y, epochs=2, batch_size=32, verbose=0, validation_data=(x, y))
    path = h.plot(str(tmp_path / "curves.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plain_progress_lines(capsys):
    x, y = _blobs(64)
    m = _model().compile("adam", _ce, metrics=["accuracy"])
    m.fit(x, y, epochs=1, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "loss" in out and "samples/s" in out


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(y=None), "y is required"),
        (dict(y=np.zeros(3, np.int32)), "samples but y has 3"),
        (dict(validation_split=1.5), "validation_split"),
    ],
)
def test_fit_errors(kwargs, match):
    x, y = _blobs(32)
    m = _model().compile("adam", _ce)
    args = {"y": y, **kwargs}
    with pytest.raises(ValueError, match=match):
        m.fit(x, args.pop("y"), verbose=0, **args)


def test_fit_before_compile_is_an_error():
    with pytest.raises(RuntimeError, match="compile"):
        _model().fit(*_blobs(8), verbose=0)


def test_unknown_optimizer_and_metric():
    with pytest.raises(ValueError, match="metric"):
        _model().compile("adam", _ce, metrics=["nope"])
    with pytest.raises(TypeError, match="optimizer"):
        _model().compile(3.0, _ce)


@pytest.mark.parametrize("kind", ["name", "mx_optimizer"])
def test_set_learning_rate_before_and_between_fits_takes_effect(kind):
    """One way to change the LR: before the first step too, and the mx optimizer's own."""
    import mxjax as mx

    x, y = _blobs(32)
    layer = L.Sequential([L.Dense(3)])
    p0, s0 = layer.init(jax.random.key(3), jnp.asarray(x[:1]))
    opt = "sgd" if kind == "name" else mx.optimizer.SGD(learning_rate=0.5)
    m = train.Model(layer, params=p0, state=s0).compile(opt, _ce, learning_rate=None)
    m.set_learning_rate(0.1)  # before any state exists
    assert m.learning_rate == pytest.approx(0.1)
    if kind == "mx_optimizer":
        assert opt.learning_rate == pytest.approx(0.1)
    m.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    g = jax.grad(lambda p: jnp.mean(_ce(layer.apply(p, s0, jnp.asarray(x))[0], jnp.asarray(y))))(p0)
    for a, b, gg in zip(jax.tree.leaves(m.params), jax.tree.leaves(p0), jax.tree.leaves(g)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b - 0.1 * gg), rtol=1e-5, atol=1e-6)


def test_learning_rate_changed_inside_an_epoch_applies_to_the_next_step():
    """The step uploads hyperparameters only when they change: a change mid-epoch still lands."""
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    model = train.Model(L.Dense(2), seed=0)
    model.compile("sgd", "softmax_cross_entropy", learning_rate=0.5)
    seen = []

    class FreezeAfterTwo(train.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(np.asarray(self.model.params["weight"]).copy())
            if batch == 1:
                self.model.set_learning_rate(0.0)

    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[FreezeAfterTwo()])
    assert not np.allclose(seen[0], seen[1])  # learning rate 0.5: both steps moved
    for w in seen[2:]:  # from the third step on, learning rate 0: nothing moves
        np.testing.assert_array_equal(w, seen[1])
    assert model.learning_rate == 0.0
