"""SGD-like MXNet optimizers: SGD, NAG, Signum, LARS, SGLD, DCASGD.

See :mod:`mxjax._src.optim.optimizers` for the conventions shared by all factories.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from mxjax._src.optim import base as _b
from mxjax._src.optim._common import build, check_nonneg, common_kwargs

__all__ = ["dcasgd", "lars", "nag", "sgd", "sgld", "signum"]


def sgd(
    learning_rate: Any = 0.01,
    momentum: float = 0.0,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
    lazy_update: bool = True,
) -> optax.GradientTransformation:
    """MXNet ``SGD``: ``mom = momentum*mom - lr*(g + wd*w); w += mom``.

    ``g = clip(rescale_grad * grad)``; without momentum ``w -= lr*(g + wd*w)``.
    ``lazy_update`` only matters for sparse gradients in MXNet and is accepted
    for compatibility (gradients here are dense).

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from mxjax import optim
        >>> tx = optim.sgd(0.1, momentum=0.9)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, s = tx.update({"w": jnp.array([1.0])}, tx.init(p), p)
        >>> optax.apply_updates(p, u)
        {'w': Array([0.9], dtype=float32)}
    """
    del lazy_update
    check_nonneg("sgd", momentum=momentum, wd=wd)

    def rule(c, g, w, s):
        if momentum == 0:
            return w - c.lr * g, s
        mom = momentum * s[0] - c.lr * g
        return w + mom, (mom,)

    return build(
        "sgd",
        rule,
        wd_mode="after_clip",
        slot_names=("momentum",) if momentum != 0 else (),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def nag(
    learning_rate: Any = 0.01,
    momentum: float = 0.0,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``NAG``: ``w += momentum^2*mom - (1+momentum)*lr*(g + wd*w)``.

    ``g = clip(rescale_grad*grad)``; then ``mom = momentum*mom - lr*(g + wd*w_new)``
    (MXNet's in-place kernel uses the updated weight there). Without momentum
    it is plain SGD.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.nag(0.1, momentum=0.9)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.19
    """
    check_nonneg("nag", momentum=momentum, wd=wd)

    def rule(c, g, w, s):
        if momentum == 0:
            return w - c.lr * (g + c.wd * w), s
        mom = momentum * s[0]
        new_w = w - mom + (momentum + 1) * (mom - c.lr * (g + c.wd * w))
        # MXNet's kernel writes the weight in place first, so the stored momentum
        # sees the decay of the *new* weight; reproduced for bit-compatibility.
        return new_w, (mom - c.lr * (g + c.wd * new_w),)

    return build(
        "nag",
        rule,
        wd_mode="rule",
        slot_names=("momentum",) if momentum != 0 else (),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def signum(
    learning_rate: Any = 0.01,
    momentum: float = 0.9,
    wd_lh: float = 0.0,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``Signum`` (and ``signSGD`` when ``momentum == 0``; Bernstein et al.).

    ``mom = momentum*mom - (1-momentum)*(g + wd*w)``; ``w = (1 - lr*wd_lh)*w + lr*sign(mom)``.
    Without momentum: ``w = (1 - lr*wd)*w - lr*sign(g)``. ``g = clip(rescale_grad*grad)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.signum(0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([3.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """
    check_nonneg("signum", momentum=momentum, wd_lh=wd_lh)

    def rule(c, g, w, s):
        if momentum == 0:
            return (1 - c.lr * c.wd) * w - c.lr * jnp.sign(g), s
        mom = momentum * s[0] - (1 - momentum) * (c.wd * w + g)
        return (1 - c.lr * wd_lh) * w + c.lr * jnp.sign(mom), (mom,)

    return build(
        "signum",
        rule,
        wd_mode="rule",
        slot_names=("momentum",) if momentum != 0 else (),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


_NO_LARS_SUFFIXES = ("gamma", "beta", "bias")


def lars(
    learning_rate: Any = 0.01,
    momentum: float = 0.0,
    eta: float = 0.001,
    eps: float = 0.0,
    momentum_correction: bool = True,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
    lazy_update: bool = True,
) -> optax.GradientTransformation:
    """MXNet ``LARS`` (You et al.): SGD with a layer-wise learning rate.

    For parameters whose name does not end in ``gamma``/``beta``/``bias``:
    ``lr *= eta*||w||/(||rescale_grad*grad|| + wd*||w|| + eps)`` when both norms
    are positive (the gradient norm is taken before clipping). Then SGD with
    ``momentum`` (scaled by ``lr_t/lr_{t-1}`` if ``momentum_correction``).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.lars(1.0, eta=0.5)
        >>> p = {"weight": jnp.array([3.0, 4.0])}
        >>> tx.update({"weight": jnp.array([0.0, 1.0])}, tx.init(p), p)[0]
        {'weight': Array([ 0. , -2.5], dtype=float32)}
    """
    del lazy_update
    check_nonneg("lars", momentum=momentum, eta=eta, eps=eps)
    clip = clip_gradient if clip_gradient is not None and clip_gradient > 0 else None

    def extra_step(last_lr, t, lr):
        cur = jnp.asarray(lr, jnp.float32)
        last = jnp.where(jnp.isnan(last_lr), cur, last_lr)
        if momentum_correction:
            mom = jnp.where(last != 0, momentum * cur / jnp.where(last != 0, last, 1.0), momentum)
        else:
            mom = jnp.asarray(momentum, jnp.float32)
        return cur, mom

    def rule(c, g, w, s):
        lr = c.lr
        if not c.name.endswith(_NO_LARS_SUFFIXES):
            w_norm = jnp.sqrt(jnp.sum(jnp.square(w.astype(jnp.float32))))
            g_norm = jnp.sqrt(jnp.sum(jnp.square(g.astype(jnp.float32))))
            ok = (w_norm > 0) & (g_norm > 0)
            lars_lr = lr * eta * w_norm / (g_norm + c.wd * w_norm + eps)
            lr = jnp.where(ok, lars_lr, lr)
        if clip is not None:
            g = jnp.clip(g, -clip, clip)
        g = g + c.wd * w
        if momentum == 0:
            return w - lr * g, s
        mom = c.extra * s[0] - lr * g
        return w + mom, (mom,)

    return build(
        "lars",
        rule,
        wd_mode="rule_clip",
        slot_names=("momentum",) if momentum != 0 else (),
        extra_init=lambda: jnp.full([], jnp.nan, jnp.float32),
        extra_step=extra_step,
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def sgld(
    learning_rate: Any = 0.01,
    *,
    key: jax.Array | int = 0,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``SGLD`` (stochastic gradient Langevin dynamics, Welling & Teh).

    ``w += -lr/2*(g + wd*w) + N(0, lr)`` with ``g = clip(rescale_grad*grad)``.
    The noise comes from ``key`` (a typed key or an int seed) kept in the state.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.sgld(0.01, key=jax.random.key(0))
        >>> p = {"w": jnp.zeros(3)}
        >>> tx.update({"w": jnp.zeros(3)}, tx.init(p), p)[0]["w"].shape
        (3,)
    """
    if isinstance(key, int):
        key = jax.random.key(key)

    def extra_step(k, t, lr):
        k, sub = jax.random.split(k)
        return k, sub

    def rule(c, g, w, s):
        noise = jax.random.normal(jax.random.fold_in(c.extra, c.index), w.shape, w.dtype)
        return w - c.lr / 2 * g + jnp.sqrt(c.lr) * noise, s

    return build(
        "sgld",
        rule,
        wd_mode="after_clip",
        extra_init=lambda: key,
        extra_step=extra_step,
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def dcasgd(
    learning_rate: Any = 0.01,
    momentum: float = 0.0,
    lamda: float = 0.04,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``DCASGD`` (delay-compensated async SGD, Zheng et al.).

    ``mom = momentum*mom - lr*(g + wd*w + lamda*g^2*(w - w_prev))``; ``w_prev = w``;
    ``w += mom`` with ``g = clip(rescale_grad*grad)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.dcasgd(0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """
    check_nonneg("dcasgd", momentum=momentum, lamda=lamda)

    def rule(c, g, w, s):
        prev = s[0]
        step = -c.lr * (g + c.wd * w + lamda * g * g * (w - prev))
        if momentum == 0:
            return w + step, (w,)
        mom = momentum * s[1] + step
        return w + mom, (w, mom)

    def slot_init(w, i):
        return jnp.array(w) if i == 0 else jnp.zeros_like(w)

    return build(
        "dcasgd",
        rule,
        wd_mode="rule",
        slot_names=("previous_weight", "momentum") if momentum != 0 else ("previous_weight",),
        slot_init=slot_init,
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )
