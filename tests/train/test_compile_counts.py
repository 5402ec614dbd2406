"""Compile-count guards: how many XLA programs the first step compiles, and that a second
step, a second epoch, a second fit, a new dataset length (same size bucket) and a new
learning rate compile nothing more (DESIGN.md: performance principles)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jax
import numpy as np
import optax
import pytest

import mxjax as mx
from mxjax import gluon, layers as L, train
from mxjax._src.train.feed import capacity

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)).astype(np.float32), rng.integers(0, 3, n).astype(np.int32)


def _ce(out, y):
    return optax.softmax_cross_entropy_with_integer_labels(out, y)


def _numpy_mlp_metrics(x, y, w1, b1, w2, b2):
    """Accuracy and mean softmax cross-entropy of a relu MLP, in NumPy."""
    logits = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return np.mean(logits.argmax(axis=1) == y), -logp[np.arange(len(y)), y].mean()


def _deferred_gluon_mlp(hidden, optimizer, lr):
    """A hybridized 2-layer Gluon MLP with deferred shapes, and its Trainer."""
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(hidden, activation="relu"), gluon.nn.Dense(3))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    return net, gluon.Trainer(net.collect_params(), optimizer, {"learning_rate": lr})


@pytest.fixture(scope="module")
def fitted():
    """One Model fitted once (its programs compiled), shared by the guards below."""
    m = train.Model(L.Sequential([L.Dense(8, activation="relu"), L.Dense(3)]), seed=1)
    m.compile("sgd", _ce, metrics=["accuracy"], learning_rate=0.1)
    x, y = _data(320)
    m.fit(x, y, batch_size=20, epochs=1, verbose=0)
    return m, x, y


def test_first_fit_compiles_only_the_step(compile_counter):
    m = train.Model(L.Sequential([L.Dense(5, activation="relu"), L.Dense(3)]), seed=0)
    m.compile("adam", _ce, metrics=["accuracy"])
    x, y = _data(40)
    with compile_counter as c:
        m.fit(x, y, batch_size=10, epochs=1, verbose=0)
    # the train step only: keys, initial values, optimizer state and metric sums are
    # made on the host
    assert c.count == 1, c.names
    assert m._gather_step._cache_size() == 1


def test_second_epoch_second_fit_new_lr_compile_nothing(fitted, compile_counter):
    m, x, y = fitted
    with compile_counter as c:
        m.fit(x, y, batch_size=20, epochs=2, verbose=0)
        m.set_learning_rate(0.01)
        m.fit(x, y, batch_size=20, epochs=1, verbose=0)
    assert c.count == 0, c.names
    assert m.learning_rate == pytest.approx(0.01)


def test_weights_set_and_loaded_then_fit_compile_nothing(fitted, compile_counter, tmp_path):
    m, x, y = fitted
    path = str(tmp_path / "w.params")
    m.save_parameters(path)
    params, state = m.get_weights()
    with compile_counter as c:
        m.set_weights((params, state))
        m.load_parameters(path)
        loaded = m.get_weights()[0]
        m.fit(x, y, batch_size=20, epochs=1, verbose=0)
    assert c.count == 0, c.names
    for name in ("0", "1"):
        np.testing.assert_array_equal(loaded[name]["weight"], params[name]["weight"])


def test_new_dataset_length_reuses_the_step(fitted, compile_counter):
    m, _, _ = fitted
    assert capacity(320) == capacity(300) == 320  # one size bucket
    x, y = _data(300, seed=2)
    with compile_counter as c:
        m.fit(x, y, batch_size=20, epochs=1, verbose=0)
    assert c.count == 0, c.names
    assert m._gather_step._cache_size() == 1


def test_size_buckets_add_at_most_an_eighth():
    for n in [1, 7, 16, 17, 100, 300, 301, 1000, 60000, 123457]:
        c = capacity(n)
        assert n <= c <= max(n + 1, int(np.ceil(n * 1.125)))
    assert capacity(300) == capacity(301) == 320


def test_gluon_trainer_loop_second_step_and_new_lr_compile_nothing(compile_counter):
    net, trainer = _deferred_gluon_mlp(8, "sgd", 0.1)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    x, y = (mx.nd.array(a) for a in _data(10))

    def step():
        with mx.autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(10)
        return loss.asnumpy()

    with compile_counter as c:
        step()
    # the step only: the deferred-shape pass, the random keys and the optimizer states
    # compile nothing (no program per layer)
    assert c.count == 1, (c.names, c.loaded)
    with compile_counter as c:
        step()
        trainer.set_learning_rate(0.05)
        step()
    assert c.count == 0, c.names


def test_estimator_second_fit_compiles_nothing(compile_counter):
    from mxjax.gluon.contrib.estimator import Estimator

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, activation="relu", in_units=6), gluon.nn.Dense(3, in_units=8))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)
    est.logger.disabled = True
    x, y = _data(40)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=10)
    est.fit(loader, epochs=1)
    with compile_counter as c:
        est.fit(loader, epochs=2)
    assert c.count == 0, c.names


def test_estimator_evaluate_pads_a_smaller_last_batch(compile_counter):
    from mxjax.gluon.contrib.estimator import Estimator

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(7, activation="relu", in_units=6), gluon.nn.Dense(3, in_units=7))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)
    x, y = _data(45, seed=3)
    est.evaluate(gluon.data.DataLoader(gluon.data.ArrayDataset(x[:20], y[:20]), batch_size=10))
    with compile_counter as c:  # batches of 10, 10, 10, 10 and 5 rows: the same program
        est.evaluate(gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=10))
    assert c.count == 0, (c.names, c.loaded)
    acc, loss = (m.get()[1] for m in est.val_metrics)  # accuracy, then the loss
    assert est.val_metrics[0].num_inst == 45
    # the padded rows are dropped: the same values as NumPy over the 45 rows
    params = net.collect_params()
    want_acc, want_loss = _numpy_mlp_metrics(x, y, *(params[k].data().asnumpy() for k in params))
    assert acc == pytest.approx(want_acc, abs=1e-6)
    assert loss == pytest.approx(want_loss, rel=1e-5)


def test_evaluate_with_a_smaller_last_batch_runs_one_program(compile_counter):
    m = train.Model(L.Sequential([L.Dense(7, activation="relu"), L.Dense(3)]), seed=4)
    m.compile("sgd", "softmax_cross_entropy", metrics=["accuracy"])
    x, y = _data(45, seed=5)
    with compile_counter as c:  # batches of 10, 10, 10, 10 and 5 rows (initialization included)
        logs = m.evaluate(x, y, batch_size=10)
    assert c.count == 1, c.names
    # the padded rows add nothing: the same values as NumPy over the 45 rows
    p = jax.device_get(m.params)
    acc, loss = _numpy_mlp_metrics(x, y, *(p[i][k] for i in "01" for k in ("weight", "bias")))
    assert logs["accuracy"] == pytest.approx(acc, abs=1e-6)
    assert logs["loss"] == pytest.approx(loss, rel=1e-5)


def test_estimator_first_epoch_compiles_only_the_step(compile_counter):
    from mxjax.gluon.contrib.estimator import Estimator

    net, trainer = _deferred_gluon_mlp(5, "adam", 0.01)
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)
    est.logger.disabled = True
    x, y = _data(30, seed=6)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=10)
    with compile_counter as c:  # shapes, initial values, optimizer states: on the host
        est.fit(loader, epochs=1)
    assert c.count == 1, c.names
    assert trainer.optimizer.num_update == 3


_WARM = """
import json, jax, numpy as np
events = {"compiled": 0, "hits": 0}
def listen(name, *args, **kwargs):
    if name == "/jax/core/compile/backend_compile_duration":
        events["compiled"] += 1
    elif name == "/jax/compilation_cache/cache_hits":
        events["hits"] += 1
jax.monitoring.register_event_listener(listen)
jax.monitoring.register_event_duration_secs_listener(listen)
from mxjax import layers as L, train
rng = np.random.default_rng(0)
x, y = rng.standard_normal((40, 6)).astype("float32"), rng.integers(0, 3, 40).astype("int32")
m = train.Model(L.Sequential([L.Dense(5, activation="relu"), L.Dense(3)]))
m.compile("adam", "softmax_cross_entropy", metrics=["accuracy"])
m.fit(x, y, batch_size=10, epochs=1, verbose=0)
m.evaluate(x[:25], y[:25], batch_size=10)
print(json.dumps({"compiled": events["compiled"] - events["hits"], "hits": events["hits"]}))
"""


def test_a_warm_second_process_compiles_nothing(tmp_path):
    """fit and evaluate in a new process with the cache a first one filled: 0 programs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_COMP", "MXJAX_CH"))}
    env.update(MXJAX_CACHE_DIR=str(tmp_path), JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = _ROOT + os.pathsep + env.get("PYTHONPATH", "")

    def run():
        out = subprocess.run(
            [sys.executable, "-c", _WARM], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    cold = run()
    assert cold == {"compiled": 2, "hits": 0}  # the train step and the eval step
    assert run() == {"compiled": 0, "hits": 2}


def test_fit_on_device_arrays_with_a_validation_split(compile_counter):
    m = train.Model(L.Sequential([L.Dense(5, activation="relu"), L.Dense(3)]), seed=2)
    m.compile("sgd", "softmax_cross_entropy", metrics=["accuracy"])
    x, y = (jax.device_put(a) for a in _data(40, seed=7))
    with compile_counter as c:  # the arrays are split on the host: no slicing program
        m.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_split=0.2)
    assert sorted(c.names) == ["jit(fn)", "jit(step)"]  # the train step, the eval step


class _Interrupt(train.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise KeyboardInterrupt


def test_a_resumed_fit_compiles_only_the_step(compile_counter, tmp_path):
    x, y = _data(40, seed=8)

    def model():
        m = train.Model(L.Sequential([L.Dense(5, activation="relu"), L.Dense(3)]), seed=3)
        return m.compile("adam", "softmax_cross_entropy")

    with pytest.raises(KeyboardInterrupt):
        model().fit(x, y, batch_size=8, epochs=2, verbose=0,
                    callbacks=[train.BackupAndRestore(str(tmp_path)), _Interrupt()])  # fmt: skip
    m = model()
    with compile_counter as c:  # the backup is read and placed without programs
        m.fit(x, y, batch_size=8, epochs=2, verbose=0,
              callbacks=[train.BackupAndRestore(str(tmp_path))])  # fmt: skip
    assert c.count == 1, c.names
    assert m.history.epoch == [0, 1]
