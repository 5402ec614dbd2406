"""mx.optimizer facade: MXNet 1.9.1 goldens through to_optax, traced hyperparameters."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import mxjax as mx
from mxjax import optimizer

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "optim", "optimizers.npz"))
META = json.loads(str(GOLDEN["meta"]))
NAMES = ["fc_weight", "fc_bias"]
# one config per optimizer class (tests/test_optim.py covers every config of the maths)
FACADE_CFGS = sorted(
    {m["name"]: c for c, m in sorted(META.items(), key=lambda kv: kv[0], reverse=True)}.values()
)


def _jitted(tx, traces=None):
    @jax.jit
    def update(params, grads, state, hp):
        if traces is not None:
            traces.append(1)
        state = optimizer.set_hyperparams(state, **hp)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    return update


@pytest.mark.parametrize("cfg", FACADE_CFGS)
def test_facade_matches_mxnet(cfg):
    m = META[cfg]
    names = ["fc_weight"] if cfg == "adamw" else NAMES
    opt = optimizer.create(m["name"], param_idx2name=dict(enumerate(names)), **m["kwargs"])
    if cfg != "adamw":
        opt.set_lr_mult(m["lr_mult"])
        opt.set_wd_mult(m["wd_mult"])
    params = {n: jnp.asarray(GOLDEN[f"init/{n}"]) for n in names}
    tx = opt.to_optax(names)
    state = tx.init(params)
    update = _jitted(tx)
    for step in range(5):
        grads = {n: jnp.asarray(GOLDEN[f"grad/{n}"][step]) for n in names}
        params, state = update(params, grads, state, opt.next_hyperparams())
        for n in names:
            np.testing.assert_allclose(
                params[n], GOLDEN[f"{cfg}/{n}"][step], rtol=1e-5, atol=1e-6, err_msg=cfg
            )
    assert opt.num_update == 5


def test_hyperparameter_changes_do_not_recompile():
    opt = optimizer.SGD(learning_rate=0.1, momentum=0.5, wd=0.1)
    params = {"w": jnp.array([1.0, -2.0])}
    tx = opt.to_optax(["w"])
    state = tx.init(params)
    traces = []
    update = _jitted(tx, traces)
    w, mom = np.array([1.0, -2.0]), np.zeros(2)
    g = np.array([3.0, 1.0])
    for step, (lr, batch, wd) in enumerate([(0.1, 1, 0.1), (0.05, 4, 0.1), (0.2, 2, 0.0)]):
        opt.set_learning_rate(lr)
        opt.rescale_grad = 1.0 / batch
        opt.wd = wd
        params, state = update(
            params, {"w": jnp.asarray(g, jnp.float32)}, state, opt.next_hyperparams()
        )
        mom = 0.5 * mom - lr * (g / batch + wd * w)
        w = w + mom
        np.testing.assert_allclose(params["w"], w, rtol=1e-6, err_msg=f"step {step}")
    assert len(traces) == 1


def test_default_wd_mult_rule_and_param_multipliers():
    opt = optimizer.SGD(
        learning_rate=1.0,
        wd=0.5,
        param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma", 3: "bn_beta"},
    )
    assert opt.wd_mult == {"fc_bias": 0.0, "bn_beta": 0.0}
    lars = optimizer.LARS(param_idx2name={0: "fc_weight", 1: "bn_gamma"})
    assert lars.wd_mult == {"bn_gamma": 0.0}
    params = {n: jnp.ones(1) for n in ("fc_weight", "fc_bias", "bn_gamma", "bn_beta")}
    # explicit per-Parameter multipliers (what Gluon passes) win over the name rule
    tx = opt.to_optax(list(params), lr_mult={"bn_gamma": 2.0}, wd_mult={"bn_beta": 1.0})
    zeros = {n: jnp.zeros(1) for n in params}
    u, _ = tx.update(zeros, tx.init(params), params)
    got = {n: float(v[0]) for n, v in u.items()}
    assert got == {"fc_weight": -0.5, "fc_bias": 0.0, "bn_gamma": -1.0, "bn_beta": -0.5}


def test_lr_scheduler_follows_num_update():
    sched = mx.lr_scheduler.MultiFactorScheduler(step=[2], factor=0.1, base_lr=1.0)
    opt = optimizer.SGD(lr_scheduler=sched, learning_rate=2.0)  # overrides base_lr, as MXNet
    assert sched.base_lr == 2.0
    params = {"w": jnp.zeros(1)}
    tx = opt.to_optax()
    state = tx.init(params)
    update = _jitted(tx)
    deltas = []
    for _ in range(4):
        new, state = update(params, {"w": jnp.ones(1)}, state, opt.next_hyperparams())
        deltas.append(float(new["w"][0] - params["w"][0]))
        params = new
    np.testing.assert_allclose(deltas, [-2.0, -2.0, -0.2, -0.2], rtol=1e-6)
    with pytest.raises(UserWarning, match="LRScheduler"):
        opt.set_learning_rate(0.1)


def test_multi_precision_tracks_float32_run():
    rng = np.random.RandomState(0)
    w0 = rng.normal(size=(8,)).astype(np.float32)
    grads = rng.normal(size=(20, 8)).astype(np.float32)
    results = {}
    for mp in (False, True):
        opt = optimizer.Adam(learning_rate=1e-3, multi_precision=mp)
        dtype = jnp.float16 if mp else jnp.float32
        params = {"w": jnp.asarray(w0, dtype)}
        tx = opt.to_optax(["w"])
        state = tx.init(params)
        update = _jitted(tx)
        for g in grads:
            params, state = update(
                params, {"w": jnp.asarray(g, dtype)}, state, opt.next_hyperparams()
            )
        results[mp] = (params, state)
    ref = np.asarray(results[False][0]["w"])
    master = np.asarray(results[True][1].master["w"])
    np.testing.assert_allclose(master, ref, rtol=0, atol=2e-3)  # fp16 gradients
    assert results[True][0]["w"].dtype == jnp.float16
    np.testing.assert_allclose(np.asarray(results[True][0]["w"], np.float32), master, atol=2e-3)


def test_registry_and_create():
    assert isinstance(optimizer.create("RMSProp", centered=True), optimizer.RMSProp)
    assert optimizer.Optimizer.create_optimizer("adam").learning_rate == 0.001
    assert optimizer.Ftrl().learning_rate == 0.1
    assert optimizer.SGD().learning_rate == 0.01

    @optimizer.register
    class MySGD(optimizer.SGD):
        pass

    assert isinstance(optimizer.create("mysgd", momentum=0.9), MySGD)
    del optimizer.Optimizer.opt_registry["mysgd"]


def test_errors():
    with pytest.raises(ValueError, match="Cannot find optimizer 'nope'"):
        optimizer.create("nope")
    with pytest.raises(TypeError, match="param_idx2name"):
        optimizer.SGD(param_idx2name=[1, 2])
    with pytest.raises(TypeError, match="lr_scheduler"):
        optimizer.SGD(lr_scheduler=0.1)
    opt = optimizer.SGD()
    with pytest.raises(ValueError, match=r"`wd_mult` names \['nope'\]"):
        opt.to_optax(["w"], wd_mult={"nope": 0.0})
    state = opt.to_optax().init({"w": jnp.ones(1)})
    with pytest.raises(ValueError, match="unknown names \\['momentum'\\]"):
        optimizer.set_hyperparams(state, momentum=0.1)
    with pytest.raises(ValueError, match="expected the state of Optimizer.to_optax"):
        optimizer.set_hyperparams(optax.sgd(0.1).init({"w": jnp.ones(1)}), learning_rate=0.1)
    with pytest.raises(TypeError, match="no optax factory"):
        optimizer.Optimizer().to_optax()


def test_begin_num_update_offsets_adam_bias_correction():
    opt = optimizer.Adam(learning_rate=0.1, begin_num_update=3)
    params = {"w": jnp.array([1.0])}
    tx = opt.to_optax(["w"])
    hp = opt.next_hyperparams()
    assert opt.num_update == 4
    state = optimizer.set_hyperparams(tx.init(params), **hp)
    u, _ = tx.update({"w": jnp.array([2.0])}, state, params)
    t, g = 4, 2.0
    m, v = 0.1 * g, 0.001 * g * g
    expected = -0.1 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(u["w"], [expected], rtol=1e-5)


def test_nested_params_tree_and_dtype_preserved():
    opt = optimizer.LARS(learning_rate=1.0, eta=0.5, wd=0.0)
    params = {"dense0": {"weight": jnp.array([3.0, 4.0]), "bias": jnp.array([1.0], jnp.float16)}}
    names = ["dense0.bias", "dense0.weight"]
    tx = opt.to_optax(names, lr_mult={"dense0.bias": 0.5})
    grads = {"dense0": {"weight": jnp.array([0.0, 1.0]), "bias": jnp.array([2.0], jnp.float16)}}
    u, _ = jax.jit(tx.update)(grads, tx.init(params), params)
    # weight: lars lr = 1 * 0.5 * ||w|| / ||g|| = 2.5; bias (no LARS): lr = 0.5
    np.testing.assert_allclose(u["dense0"]["weight"], [0.0, -2.5], rtol=1e-6)
    assert u["dense0"]["bias"].dtype == jnp.float16
    np.testing.assert_allclose(np.asarray(u["dense0"]["bias"], np.float32), [-1.0])
