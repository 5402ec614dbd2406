"""MXNet 1.9.1 learning-rate schedulers, as pure functions of ``num_update``.

``sched(num_update)`` returns MXNet's value. MXNet's ``FactorScheduler``,
``MultiFactorScheduler``, ``PolyScheduler`` and ``CosineScheduler`` keep state
between calls; these compute the same values in closed form, equal to
MXNet's for any monotonically increasing sequence of ``num_update`` (the way
an optimizer calls them). Called with a Python number they return a Python
float (computed in double precision like MXNet); called with a JAX value they
return a ``jnp`` scalar, so they are jit-safe and can be passed straight to
:mod:`mxjax.optim` as ``learning_rate``, or wrapped by
:func:`as_optax_schedule` for optax's own optimizers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "CosineScheduler",
    "FactorScheduler",
    "LRScheduler",
    "MultiFactorScheduler",
    "PolyScheduler",
    "as_optax_schedule",
]


def _is_traced(n: Any) -> bool:
    # tracers are jax.Array instances too
    return isinstance(n, jax.Array)


class LRScheduler:
    """Base class: warmup handling shared by every scheduler.

    Args:
        base_lr: learning rate after warmup.
        warmup_steps: number of warmup updates (int >= 0).
        warmup_begin_lr: learning rate at update 0 of the warmup.
        warmup_mode: ``'linear'`` (ramp from ``warmup_begin_lr`` to ``base_lr``)
            or ``'constant'`` (``warmup_begin_lr`` throughout).

    Raises:
        ValueError: bad warmup settings (as MXNet).
        TypeError: ``warmup_steps`` not an int.

    Examples:
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.LRScheduler(base_lr=0.1, warmup_steps=10, warmup_begin_lr=0.0)
        >>> round(s.get_warmup_lr(5), 6)
        0.05
    """

    def __init__(
        self,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        name = type(self).__name__
        if not isinstance(warmup_steps, int) or isinstance(warmup_steps, bool):
            raise TypeError(f"{name}: `warmup_steps` must be an int, got {warmup_steps!r}")
        if warmup_steps < 0:
            raise ValueError(f"{name}: `warmup_steps` must be >= 0, got {warmup_steps}")
        if warmup_begin_lr > base_lr:
            raise ValueError(
                f"{name}: `base_lr` ({base_lr}) has to be >= `warmup_begin_lr` ({warmup_begin_lr})"
            )
        if warmup_mode not in ("linear", "constant"):
            raise ValueError(
                f"{name}: `warmup_mode` must be 'linear' or 'constant', got {warmup_mode!r}"
            )
        self.base_lr = base_lr
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update: Any) -> Any:
        """Learning rate during warmup (``num_update < warmup_steps``)."""
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr + 0.0 * num_update
        increase = (self.warmup_final_lr - self.warmup_begin_lr) * num_update / self.warmup_steps
        return self.warmup_begin_lr + increase

    def _after_warmup(self, n: Any, xp: Any, n_int: Any = None) -> Any:
        del n, xp, n_int
        return self.base_lr

    def __call__(self, num_update: Any) -> Any:
        """The learning rate for update ``num_update`` (float, or jnp scalar if traced)."""
        traced = _is_traced(num_update)
        xp = jnp if traced else np
        n = jnp.asarray(num_update, jnp.float32) if traced else float(num_update)
        is_int = traced and jnp.issubdtype(jnp.asarray(num_update).dtype, jnp.integer)
        value = self._after_warmup(n, xp, jnp.asarray(num_update) if is_int else None)
        if self.warmup_steps > 0:
            value = xp.where(n < self.warmup_steps, self.get_warmup_lr(n), value)
        return value if traced else float(value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class FactorScheduler(LRScheduler):
    """Multiplies the learning rate by ``factor`` every ``step`` updates.

    ``lr = max(base_lr * factor**k, stop_factor_lr)`` with
    ``k = ceil(num_update/step) - 1`` decays so far (no floor before the first decay).

    Raises:
        ValueError: ``step < 1`` or ``factor > 1``.

    Examples:
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.FactorScheduler(step=10, factor=0.5, base_lr=1.0)
        >>> [s(n) for n in (1, 10, 11, 21)]
        [1.0, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        step: int,
        factor: float = 1,
        stop_factor_lr: float = 1e-8,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError(f"FactorScheduler: `step` must be >= 1, got {step}")
        if factor > 1.0:
            raise ValueError(f"FactorScheduler: `factor` must be <= 1, got {factor}")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr

    def _after_warmup(self, n, xp, n_int=None):
        if n_int is not None:
            # exact integer ceil (float32 n/step can round up past an integer)
            k = jnp.maximum((n_int + self.step - 1) // self.step - 1, 0).astype(jnp.float32)
        else:
            k = xp.maximum(xp.ceil(n / self.step) - 1, 0)
        if xp is np:  # host: MXNet's repeated product, so values match MXNet bit for bit
            lr = self.base_lr
            for _ in range(int(k)):
                lr = max(lr * self.factor, self.stop_factor_lr)
            return lr
        lr = self.base_lr * xp.power(self.factor, k)
        return xp.where(k > 0, xp.maximum(lr, self.stop_factor_lr), lr)


class MultiFactorScheduler(LRScheduler):
    """Multiplies the learning rate by ``factor`` after each update count in ``step``.

    Raises:
        ValueError: ``step`` not a non-empty increasing list of ints >= 1, or ``factor > 1``.

    Examples:
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.MultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
        >>> [round(s(n), 6) for n in (2, 3, 5)]
        [1.0, 0.1, 0.01]
    """

    def __init__(
        self,
        step: Sequence[int],
        factor: float = 1,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list | tuple) or len(step) < 1:
            raise ValueError(f"MultiFactorScheduler: `step` must be a non-empty list, got {step!r}")
        for i, s in enumerate(step):
            if s < 1 or (i and s <= step[i - 1]):
                raise ValueError(
                    f"MultiFactorScheduler: `step` must be increasing ints >= 1, got {step!r}"
                )
        if factor > 1.0:
            raise ValueError(f"MultiFactorScheduler: `factor` must be <= 1, got {factor}")
        self.step = list(step)
        self.factor = factor

    def _after_warmup(self, n, xp, n_int=None):
        k = sum(xp.where(n > s, 1.0, 0.0) for s in self.step)
        return self.base_lr * xp.power(self.factor, k)


def _check_max_update(name: str, max_update: Any) -> None:
    if not isinstance(max_update, int) or isinstance(max_update, bool):
        raise TypeError(f"{name}: `max_update` must be an int, got {max_update!r}")
    if max_update < 1:
        raise ValueError(f"{name}: `max_update` must be >= 1, got {max_update}")


class PolyScheduler(LRScheduler):
    """Polynomial decay from ``base_lr`` to ``final_lr`` over ``max_update`` updates.

    ``lr = final_lr + (base_lr - final_lr)*(1 - (n - warmup_steps)/(max_update - warmup_steps))**pwr``
    for ``n <= max_update``, ``final_lr`` afterwards.

    Examples:
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, pwr=1)
        >>> [round(s(n), 6) for n in (0, 5, 10, 20)]
        [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        pwr: float = 2,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _check_max_update("PolyScheduler", max_update)
        self.power = pwr
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = max_update - warmup_steps

    def _after_warmup(self, n, xp, n_int=None):
        frac = xp.clip(1 - (n - self.warmup_steps) / self.max_steps, 0.0, None)
        lr = self.final_lr + (self.base_lr_orig - self.final_lr) * xp.power(frac, self.power)
        return xp.where(n <= self.max_update, lr, self.final_lr)


class CosineScheduler(LRScheduler):
    """Cosine decay from ``base_lr`` to ``final_lr`` over ``max_update`` updates.

    ``lr = final_lr + (base_lr - final_lr)*(1 + cos(pi*(n - warmup_steps)/(max_update -
    warmup_steps)))/2`` for ``n <= max_update``, ``final_lr`` afterwards.

    Examples:
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0)
        >>> [round(s(n), 6) for n in (0, 5, 10)]
        [1.0, 0.5, 0.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _check_max_update("CosineScheduler", max_update)
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = max_update - warmup_steps

    def _after_warmup(self, n, xp, n_int=None):
        frac = (n - self.warmup_steps) / self.max_steps
        lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (1 + xp.cos(math.pi * frac)) / 2
        return xp.where(n <= self.max_update, lr, self.final_lr)


def as_optax_schedule(sched: Callable[[Any], Any], offset: int = 0) -> Callable[[Any], Any]:
    """An optax schedule (pure, jit-safe ``count -> lr``) from an MXNet scheduler.

    The result evaluates ``sched(count + offset)`` with ``jnp``. optax's own
    optimizers count from 0 while MXNet's first update has ``num_update = 1``:
    pass ``offset=1`` to reproduce MXNet's numbering there. (:mod:`mxjax.optim`
    already passes the 1-based ``num_update``; give it ``sched`` directly.)

    Raises:
        TypeError: ``sched`` is not callable.

    Examples:
        >>> import jax, optax
        >>> from mxjax import lr_scheduler
        >>> s = lr_scheduler.as_optax_schedule(lr_scheduler.FactorScheduler(2, 0.5, base_lr=1.0))
        >>> float(jax.jit(s)(3))
        0.5
        >>> tx = optax.sgd(s)
    """
    if not callable(sched):
        raise TypeError(f"as_optax_schedule: `sched` must be callable, got {type(sched).__name__}")

    def schedule(count):
        return jnp.asarray(sched(jnp.asarray(count) + offset), jnp.float32)

    return schedule
