"""mxjax.optim against MXNet 1.9.1 golden values and NumPy references."""

import json
import os

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import optax
import pytest

from mxjax import optim

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "optim", "optimizers.npz"))
META = json.loads(str(GOLDEN["meta"]))
NAMES = ["fc_weight", "fc_bias"]


def _run(tx, params, grads, steps=5, jit=False):
    state = tx.init(params)
    update = jax.jit(tx.update) if jit else tx.update
    hist = []
    for step in range(steps):
        g = {n: jnp.asarray(grads[n][step]) for n in params}
        u, state = update(g, state, params)
        params = optax.apply_updates(params, u)
        hist.append(params)
    return hist, state


@pytest.mark.parametrize("cfg", sorted(META))
def test_matches_mxnet(cfg):
    m = META[cfg]
    kwargs = dict(m["kwargs"])
    names = ["fc_weight"] if cfg == "adamw" else NAMES
    if cfg != "adamw":
        kwargs.update(lr_mult=m["lr_mult"], wd_mult=m["wd_mult"])
    params = {n: jnp.asarray(GOLDEN[f"init/{n}"]) for n in names}
    grads = {n: GOLDEN[f"grad/{n}"] for n in names}
    hist, _ = _run(optim.create(m["name"], **kwargs), params, grads)
    for step, p in enumerate(hist):
        for n in names:
            np.testing.assert_allclose(
                np.asarray(p[n]),
                GOLDEN[f"{cfg}/{n}"][step],
                rtol=1e-5,
                atol=1e-6,
                err_msg=f"{cfg} {n} step {step}",
            )


def test_golden_configs_are_distinct():
    # LARS must not silently reduce to SGD on the same data.
    assert not np.allclose(GOLDEN["lars_full/fc_weight"], GOLDEN["sgd_full/fc_weight"])


def _numpy_sgd(w, grads, lr_fn, wd, l1, rescale, clip, momentum):
    mom = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        g = np.clip(rescale * g, -clip, clip) + wd * w + l1 * np.sign(w)
        mom = momentum * mom - lr_fn(t) * g
        w = w + mom
        out.append(w)
    return out


def test_l1_schedule_and_callable_multipliers():
    rng = np.random.RandomState(1)
    w0 = {"a": {"weight": rng.normal(size=(2, 3)).astype(np.float32)}, "b": rng.normal(size=3)}
    w0["b"] = w0["b"].astype(np.float32)
    grads = {"a": rng.normal(size=(4, 2, 3)), "b": rng.normal(size=(4, 3))}

    def sched(n):
        return 0.1 / n

    tx = optim.sgd(
        sched,
        momentum=0.5,
        wd=0.01,
        l1=0.02,
        rescale_grad=0.5,
        clip_gradient=0.7,
        lr_mult=lambda name: 2.0 if name == "b" else 1.0,
        wd_mult={"a": {"weight": 3.0}},
    )
    params = jax.tree_util.tree_map(jnp.asarray, w0)
    state = tx.init(params)
    update = jax.jit(tx.update)
    for step in range(4):
        g = {
            "a": {"weight": jnp.asarray(grads["a"][step], jnp.float32)},
            "b": jnp.asarray(grads["b"][step], jnp.float32),
        }
        u, state = update(g, state, params)
        params = optax.apply_updates(params, u)
    ref_a = _numpy_sgd(w0["a"]["weight"], grads["a"], sched, 0.03, 0.06, 0.5, 0.7, 0.5)[-1]
    ref_b = _numpy_sgd(w0["b"], grads["b"], lambda n: 2 * sched(n), 0.01, 0.02, 0.5, 0.7, 0.5)[-1]
    np.testing.assert_allclose(params["a"]["weight"], ref_a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(params["b"], ref_b, rtol=1e-5, atol=1e-6)


def test_sgld_statistics():
    lr, n = 0.04, 20000
    tx = optim.sgld(lr, key=jax.random.key(3), wd=0.5)
    params = {"w": jnp.ones(n)}
    state = tx.init(params)
    update = jax.jit(tx.update)
    u, state = update({"w": jnp.full(n, 2.0)}, state, params)
    d = np.asarray(u["w"])
    # mean: -lr/2*(g + wd*w) = -0.02*2.5 = -0.05; std: sqrt(lr) = 0.2
    assert abs(d.mean() + 0.05) < 4 * 0.2 / np.sqrt(n)
    assert abs(d.std() - 0.2) < 0.01
    u2, _ = update({"w": jnp.full(n, 2.0)}, state, params)
    assert not np.allclose(u2["w"], u["w"])  # the key advances


def test_traced_hyperparameters_do_not_recompile():
    tx = optax.inject_hyperparams(optim.sgd, static_args=("momentum",))(
        learning_rate=0.1, rescale_grad=1.0, momentum=0.9
    )
    params = {"w": jnp.ones(3)}
    traces = []

    @jax.jit
    def step(params, state, lr, rescale):
        traces.append(1)
        state.hyperparams["learning_rate"] = lr
        state.hyperparams["rescale_grad"] = rescale
        u, state = tx.update({"w": jnp.ones(3)}, state, params)
        return optax.apply_updates(params, u), state

    state = tx.init(params)
    p1, state = step(params, state, 0.1, 1.0)
    p2, state = step(p1, state, 0.2, 0.5)
    assert len(traces) == 1
    np.testing.assert_allclose(p1["w"], 0.9, rtol=1e-6)
    np.testing.assert_allclose(p2["w"], 0.9 + 0.9 * -0.1 - 0.2 * 0.5, rtol=1e-6)


def test_updates_are_differentiable():
    # the update is smooth in the gradient for adam; check against finite differences
    tx = optim.adam(0.1, wd=0.01)
    params = {"w": jnp.array([0.5, -1.0, 2.0])}
    state = tx.init(params)

    @jax.jit
    def f(g):
        return tx.update({"w": g}, state, params)[0]["w"]

    jax.test_util.check_grads(
        f, (jnp.array([0.3, -0.2, 1.1]),), order=1, modes=["rev"], atol=1e-2, rtol=1e-2
    )


def test_param_names_and_multipliers():
    p = {"net": {"0": {"weight": jnp.ones(1), "bias": jnp.ones(1)}}}
    assert optim.param_names(p) == ["net.0.bias", "net.0.weight"]
    assert optim.leaf_multipliers({"net.0.bias": 0.0}, p) == [0.0, 1.0]
    assert optim.leaf_multipliers({"net": {"0": {"weight": 2.0}}}, p) == [1.0, 2.0]
    assert optim.leaf_multipliers([0.5, 3.0], [jnp.ones(1), jnp.ones(2)]) == [0.5, 3.0]
    tx = optim.sgd(1.0, lr_mult=(2.0, 0.5))
    params = (jnp.ones(1), jnp.ones(1))
    u, _ = tx.update((jnp.ones(1), jnp.ones(1)), tx.init(params), params)
    assert [float(x[0]) for x in u] == [-2.0, -0.5]


def test_errors():
    with pytest.raises(ValueError, match="unknown optimizer 'nope'"):
        optim.create("nope")
    with pytest.raises(TypeError, match="unexpected keyword"):
        optim.create("sgd", betaa=0.1)
    with pytest.raises(ValueError, match="beta1"):
        optim.adam(beta1=1.5)
    with pytest.raises(ValueError, match="momentum"):
        optim.sgd(momentum=-1.0)
    with pytest.raises(ValueError, match="lr_mult: names \\['nope'\\]"):
        optim.leaf_multipliers({"nope": 1.0}, {"w": jnp.ones(1)}, "lr_mult")
    with pytest.raises(TypeError, match="wd_mult"):
        optim.leaf_multipliers([1.0, 2.0], {"w": jnp.ones(1)}, "wd_mult")
    tx = optim.sgd(0.1)
    with pytest.raises(ValueError, match="needs `params`"):
        tx.update({"w": jnp.ones(1)}, tx.init({"w": jnp.ones(1)}))


def test_create_accepts_mxnet_base_options_and_scheduler():
    calls = []

    def sched(n):
        calls.append(n)
        return 0.5

    tx = optim.create("SGD", lr_scheduler=sched, param_idx2name={0: "w"}, multi_precision=False)
    params = {"w": jnp.ones(1)}
    u, _ = tx.update({"w": jnp.ones(1)}, tx.init(params), params)
    np.testing.assert_allclose(u["w"], -0.5)
    assert calls and int(calls[0]) == 1  # schedules see MXNet's 1-based num_update


def test_dcasgd_momentum_against_numpy():
    # MXNet 1.9.1's DCASGD crashes with momentum > 0, so the reference is NumPy.
    rng = np.random.RandomState(2)
    w = rng.normal(size=5).astype(np.float32)
    grads = rng.normal(size=(4, 5)).astype(np.float32)
    lr, mom_c, lamda, wd = 0.1, 0.9, 0.04, 0.01
    tx = optim.dcasgd(lr, momentum=mom_c, lamda=lamda, wd=wd, clip_gradient=0.8)
    params = {"w": jnp.asarray(w)}
    state = tx.init(params)
    ref, prev, mom = w.astype(np.float64), w.astype(np.float64), np.zeros(5)
    for g in grads:
        u, state = tx.update({"w": jnp.asarray(g)}, state, params)
        params = optax.apply_updates(params, u)
        gc = np.clip(g, -0.8, 0.8)
        mom = mom_c * mom - lr * (gc + wd * ref + lamda * gc * gc * (ref - prev))
        prev = ref
        ref = ref + mom
    np.testing.assert_allclose(params["w"], ref, rtol=1e-5, atol=1e-6)


def test_create_does_not_mutate_the_callers_scheduler():
    from mxjax import lr_scheduler, optim

    sched = lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1.0)
    optim.create("sgd", learning_rate=0.1, lr_scheduler=sched)
    assert sched.base_lr == 1.0


def test_default_learning_rates_come_from_the_factories():
    import inspect

    from mxjax import optim
    from mxjax.train import resolve_optimizer

    for name, factory in optim.OPTIMIZERS.items():
        default = inspect.signature(factory).parameters["learning_rate"].default
        assert optim.default_learning_rate(name) == default
        assert resolve_optimizer(name)[1] == default


@pytest.mark.parametrize(
    ("name", "kwargs", "fields"),
    [("sgd", {"momentum": 0.9}, ("momentum",)), ("sgd", {}, ()), ("adam", {}, ("mean", "var")),
     ("rmsprop", {"centered": True}, ("n", "g", "delta")), ("dcasgd", {}, ("previous_weight",))],
)  # fmt: skip
def test_rule_states_name_their_slots(name, kwargs, fields):
    import jax.numpy as jnp

    from mxjax import optim

    tx = optim.create(name, **kwargs)
    params = {"w": jnp.ones(3)}
    state = tx.init(params)
    rule = [s for s in state if isinstance(s, optim.MXRuleState)][0]
    assert rule.slots._fields == fields
    _, new = tx.update({"w": jnp.ones(3)}, state, params)
    new_rule = [s for s in new if isinstance(s, optim.MXRuleState)][0]
    assert type(new_rule.slots) is type(rule.slots)  # stable tree structure across steps
    assert type(optim.create(name, **kwargs).init(params)[-1].slots) is type(rule.slots)
