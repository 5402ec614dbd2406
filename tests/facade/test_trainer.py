"""Trainer semantics against MXNet 1.9.1 goldens (rescale, wd, wd_mult, lr_mult, grad_req='add')."""

import os

import jax
import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon
from tests.simulated_devices import simulated_devices_env

GOLD = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon", "trainer.npz")

CASES = {
    "sgd_wd": ("sgd", {"learning_rate": 0.1, "wd": 0.01}, "write", 1.0),
    "sgd_mom_lrmult": ("sgd", {"learning_rate": 0.1, "momentum": 0.9}, "write", 0.5),
    "sgd_add": ("sgd", {"learning_rate": 0.1}, "add", 1.0),
    "adam_wd": ("adam", {"learning_rate": 0.01, "wd": 0.1}, "write", 2.0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_trainer_matches_mxnet(case):
    g = np.load(GOLD)
    opt, oparams, req, lr_mult = CASES[case]
    net = gluon.nn.Dense(3, in_units=4)
    net.initialize()
    net.weight.set_data(mx.nd.array(g["w0"]))
    net.bias.set_data(mx.nd.array(g["b0"]))
    net.weight.lr_mult = lr_mult
    net.bias.wd_mult = 0.0
    for p in net.collect_params().values():
        p.grad_req = req
    trainer = gluon.Trainer(net.collect_params(), opt, dict(oparams))
    for _ in range(3):
        with autograd.record():
            y = net(mx.nd.array(g["x"]))
            loss = (y * y).sum()
        loss.backward()
        trainer.step(5)
    np.testing.assert_allclose(net.weight.data().asnumpy(), g[f"{case}_w"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net.bias.data().asnumpy(), g[f"{case}_b"], rtol=1e-5, atol=1e-6)


def _step_once(trainer, net, x, bs):
    with autograd.record():
        loss = net(x).sum()
    loss.backward()
    trainer.step(bs)


def test_stale_gradient_and_no_recompile(compile_counter):
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x = mx.nd.ones((4, 2))
    _step_once(trainer, net, x, 4)
    with pytest.raises(UserWarning, match="has not been updated by backward"):
        trainer.step(4)
    before = net.weight.data().asnumpy().copy()
    trainer.step(4, ignore_stale_grad=True)  # stale parameters are skipped
    np.testing.assert_array_equal(net.weight.data().asnumpy(), before)
    trainer.set_learning_rate(0.5)
    assert trainer.learning_rate == 0.5
    with compile_counter as c:  # a new learning rate and batch size compile nothing
        _step_once(trainer, net, x, 8)
    assert c.count == 0
    # numpy reference: w -= lr * sum(x)/bs per step
    np.testing.assert_allclose(net.weight.data().asnumpy(), 1 - 0.1 - 0.5 * 4 / 8, rtol=1e-6)


def test_save_load_states(tmp_path):
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One())
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.1})
    x = mx.nd.ones((4, 2))
    _step_once(trainer, net, x, 4)
    f = str(tmp_path / "t.states")
    trainer.save_states(f)
    w = net.weight.data().asnumpy().copy()
    _step_once(trainer, net, x, 4)
    w2 = net.weight.data().asnumpy().copy()
    net.weight.set_data(mx.nd.array(w))
    trainer.load_states(f)
    _step_once(trainer, net, x, 4)
    np.testing.assert_allclose(net.weight.data().asnumpy(), w2, rtol=1e-6)


@pytest.mark.skipif(len(jax.devices("cpu")) < 2, reason="needs 2 CPU devices (XLA_FLAGS)")
def test_multi_context_sums_gradients():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One(), ctx=ctxs)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with autograd.record():
        losses = [net(mx.nd.ones((2, 2), ctx=c)).sum() for c in ctxs]
    for loss in losses:
        loss.backward()
    trainer.step(4)
    for d in net.weight.list_data():
        np.testing.assert_allclose(d.asnumpy(), 1 - 0.1 * 4 / 4, rtol=1e-6)


def test_bad_arguments():
    net = gluon.nn.Dense(1, in_units=2)
    with pytest.raises(ValueError):
        gluon.Trainer(net.collect_params(), "nope")
    with pytest.raises(TypeError, match="params"):
        gluon.Trainer(3, "sgd")


_MULTI = """
import numpy as np
import mxjax as mx
from mxjax import autograd, gluon
ctxs = [mx.cpu(0), mx.cpu(1)]
net = gluon.nn.Dense(1, in_units=2)
net.initialize(mx.init.One(), ctx=ctxs)
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], np.float32)
parts = gluon.utils.split_and_load(x, ctxs)
assert [str(p.context) for p in parts] == ["cpu(0)", "cpu(1)"]
with autograd.record():
    losses = [net(p).sum() for p in parts]
for loss in losses:
    loss.backward()
trainer.step(4)
expected = 1 - 0.1 * x.sum(0) / 4  # gradients summed over both contexts
for d in net.weight.list_data():
    np.testing.assert_allclose(d.asnumpy()[0], expected, rtol=1e-6)
print("OK")
"""


def test_multi_context_in_subprocess():
    import subprocess
    import sys

    env = simulated_devices_env(2)
    r = subprocess.run(
        [sys.executable, "-c", _MULTI], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr[-2000:]


def test_allreduce_then_update_equals_step_and_optimizer_object():
    x = mx.nd.array([[1.0, 2.0]])
    results = []
    for split in (False, True):
        net = gluon.nn.Dense(1, in_units=2)
        net.initialize(mx.init.One())
        opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.5)
        trainer = gluon.Trainer(net.collect_params(), opt)
        assert trainer.optimizer is opt
        for _ in range(2):
            with autograd.record():
                loss = net(x).sum()
            loss.backward()
            if split:
                trainer.allreduce_grads()
                trainer.update(2)
            else:
                trainer.step(2)
        results.append(net.weight.data().asnumpy())
    np.testing.assert_array_equal(results[0], results[1])
    # numpy reference: MXNet momentum SGD, grad = x / 2
    w, mom = np.ones(2), np.zeros(2)
    for _ in range(2):
        mom = 0.5 * mom - 0.1 * np.array([1.0, 2.0]) / 2
        w = w + mom
    np.testing.assert_allclose(results[0][0], w, rtol=1e-6)
    with pytest.raises(ValueError, match="optimizer_params must be None"):
        gluon.Trainer(net.collect_params(), mx.optimizer.SGD(), {"learning_rate": 0.1})


def _recorded_net():
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One())
    with autograd.record():
        loss = net(mx.nd.ones((4, 2))).sum()
    loss.backward()
    return net


@pytest.mark.parametrize(
    "bad, err, msg",
    [
        (0, ValueError, "batch_size must be > 0; received 0"),
        (-4, ValueError, "batch_size must be > 0; received -4"),
        ("4", TypeError, "batch_size must be a real number; received str '4'"),
        (None, TypeError, "batch_size must be a real number; received NoneType"),
        (float("nan"), ValueError, "batch_size must be finite"),
    ],
)
def test_step_rejects_bad_batch_size_before_touching_weights(bad, err, msg):
    net = _recorded_net()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with pytest.raises(err, match=r"Trainer\.step: " + msg):
        trainer.step(bad)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), np.ones((1, 2)))
    trainer.step(4)  # the gradient is still fresh: the failed call consumed nothing
    np.testing.assert_allclose(net.weight.data().asnumpy(), np.full((1, 2), 0.9), rtol=1e-6)


@pytest.mark.parametrize(
    "params, err, msg",
    [
        (
            {"learning_rate": "abc"},
            TypeError,
            r"optimizer_params\['learning_rate'\] must be a real",
        ),
        ({"wd": -1.0}, ValueError, r"optimizer_params\['wd'\] must be >= 0; received -1"),
        ({"momentum": float("inf")}, ValueError, r"optimizer_params\['momentum'\] must be finite"),
        ([("learning_rate", 0.1)], TypeError, "optimizer_params must be a dict"),
    ],
)
def test_trainer_rejects_bad_optimizer_params_at_construction(params, err, msg):
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize()
    with pytest.raises(err, match=r"Trainer: " + msg):
        gluon.Trainer(net.collect_params(), "sgd", params)


def test_check_nan_raises_before_touching_weights_and_states():
    net = gluon.nn.Dense(1, in_units=2)
    net.initialize(mx.init.One())
    trainer = gluon.Trainer(
        net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9}, check_nan=True
    )
    with autograd.record():
        loss = net(mx.nd.ones((4, 2))).sum()
    loss.backward()
    trainer.step(4)
    before = net.weight.data().asnumpy().copy()
    states = trainer.state_arrays()
    with autograd.record():
        loss = net(mx.nd.array([[np.inf, 1.0]])).sum()
    loss.backward()
    with pytest.raises(FloatingPointError, match=r"gradient of Parameter 'dense\d+_weight' has 1 "):
        trainer.step(1)
    np.testing.assert_array_equal(net.weight.data().asnumpy(), before)
    after = trainer.state_arrays()
    assert sorted(after) == sorted(states)
    for k in states:
        np.testing.assert_array_equal(after[k], states[k])
