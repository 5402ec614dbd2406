"""mxjax.lr_scheduler against MXNet 1.9.1 golden values."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mxjax import lr_scheduler, optim

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "optim", "lr_schedulers.npz"))
META = json.loads(str(GOLDEN["meta"]))


def _make(cfg):
    cls, kwargs = META[cfg]
    return getattr(lr_scheduler, cls)(**kwargs)


@pytest.mark.parametrize("cfg", sorted(META))
def test_python_values_match_mxnet(cfg):
    sched = _make(cfg)
    got = [sched(n) for n in range(60)]
    assert all(isinstance(v, float) for v in got)
    np.testing.assert_allclose(got, GOLDEN[cfg], rtol=1e-12, atol=1e-15)
    # pure: calling out of order gives the same values
    np.testing.assert_allclose([sched(n) for n in reversed(range(60))], GOLDEN[cfg][::-1])


@pytest.mark.parametrize("cfg", sorted(META))
def test_jitted_optax_schedule_matches_mxnet(cfg):
    sched = lr_scheduler.as_optax_schedule(_make(cfg))
    got = jax.jit(jax.vmap(sched))(jnp.arange(60))
    np.testing.assert_allclose(np.asarray(got), GOLDEN[cfg], rtol=1e-5, atol=1e-8)


def test_offset_and_use_in_optimizers():
    sched = lr_scheduler.MultiFactorScheduler(step=[1], factor=0.5, base_lr=1.0)
    assert float(lr_scheduler.as_optax_schedule(sched, offset=1)(1)) == 0.5
    # optax's sgd counts from 0; mxjax.optim passes MXNet's 1-based num_update
    params = {"w": jnp.zeros(1)}
    for tx, first in (
        (optax.sgd(lr_scheduler.as_optax_schedule(sched, offset=1)), -1.0),
        (optim.sgd(sched), -1.0),
    ):
        state = tx.init(params)
        u, state = tx.update({"w": jnp.ones(1)}, state, params)
        assert float(u["w"][0]) == first
        u, state = tx.update({"w": jnp.ones(1)}, state, params)
        assert float(u["w"][0]) == -0.5


def test_errors():
    with pytest.raises(ValueError, match="`step` must be >= 1"):
        lr_scheduler.FactorScheduler(step=0)
    with pytest.raises(ValueError, match="`factor` must be <= 1"):
        lr_scheduler.FactorScheduler(step=1, factor=2.0)
    with pytest.raises(ValueError, match="increasing"):
        lr_scheduler.MultiFactorScheduler(step=[3, 2])
    with pytest.raises(ValueError, match="warmup_mode"):
        lr_scheduler.CosineScheduler(10, warmup_mode="cubic")
    with pytest.raises(ValueError, match="warmup_begin_lr"):
        lr_scheduler.PolyScheduler(10, base_lr=0.1, warmup_begin_lr=0.5)
    with pytest.raises(TypeError, match="max_update"):
        lr_scheduler.PolyScheduler(10.5)
    with pytest.raises(TypeError, match="warmup_steps"):
        lr_scheduler.CosineScheduler(10, warmup_steps=1.5)
    with pytest.raises(TypeError, match="callable"):
        lr_scheduler.as_optax_schedule(0.1)
