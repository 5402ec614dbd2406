"""Shared helpers of the optimizer factories."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from mxjax._src.optim import base as _b


def check_nonneg(who: str, **values: Any) -> None:
    for k, v in values.items():
        if isinstance(v, int | float) and not v >= 0:
            raise ValueError(f"{who}: `{k}` must be >= 0, got {v!r}")


def check_beta(who: str, **values: Any) -> None:
    for k, v in values.items():
        if isinstance(v, int | float) and not 0 <= v < 1:
            raise ValueError(f"{who}: `{k}` must be in [0, 1), got {v!r}")


def build(
    who,
    rule,
    *,
    wd_mode,
    learning_rate,
    wd,
    rescale_grad,
    clip_gradient,
    l1,
    lr_mult,
    wd_mult,
    **rule_kw,
):
    if clip_gradient is not None and not isinstance(clip_gradient, int | float):
        raise TypeError(f"{who}: `clip_gradient` must be a number or None, got {clip_gradient!r}")
    tx = _b.mx_rule(
        who, rule, learning_rate=learning_rate, wd=wd, lr_mult=lr_mult, wd_mult=wd_mult, **rule_kw
    )
    return _b.mx_chain(
        tx,
        wd_mode=wd_mode,
        wd=wd,
        rescale=rescale_grad,
        clip=clip_gradient,
        l1=l1,
        wd_mult=wd_mult,
    )


def f32(t):
    """``t`` as a float32 array (step counts in formulas)."""
    return jnp.asarray(t, jnp.float32)


def common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult):
    """The options every factory forwards to :func:`build`."""
    return dict(
        learning_rate=learning_rate,
        wd=wd,
        rescale_grad=rescale_grad,
        clip_gradient=clip_gradient,
        l1=l1,
        lr_mult=lr_mult,
        wd_mult=wd_mult,
    )
