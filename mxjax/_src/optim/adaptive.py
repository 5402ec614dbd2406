"""Adaptive MXNet optimizers: Adam, AdamW, Adamax, Nadam, RMSProp, AdaGrad, AdaDelta,
Ftrl, FTML, LAMB.

See :mod:`mxjax._src.optim.optimizers` for the conventions shared by all factories.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import optax

from mxjax._src.optim import base as _b
from mxjax._src.optim._common import build, check_beta, common_kwargs, f32

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "ftml",
    "ftrl",
    "lamb",
    "nadam",
    "rmsprop",
]


def adam(
    learning_rate: Any = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
    lazy_update: bool = True,
) -> optax.GradientTransformation:
    """MXNet ``Adam``, bias correction folded into the learning rate.

    .. math::
        g = \\mathrm{clip}(r\\,\\mathrm{grad} + wd\\,w),\\quad
        m \\leftarrow \\beta_1 m + (1-\\beta_1) g,\\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2,\\\\
        w \\leftarrow w - lr\\frac{\\sqrt{1-\\beta_2^t}}{1-\\beta_1^t}\\,
        \\frac{m}{\\sqrt{v} + \\epsilon}

    (``epsilon`` is added to the uncorrected ``sqrt(v)``, as in MXNet).
    ``lazy_update`` only matters for sparse gradients in MXNet.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.adam(0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """
    del lazy_update
    check_beta("adam", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = f32(c.t)
        lr_t = c.lr * jnp.sqrt(1 - beta2**t) / (1 - beta1**t)
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        return w - lr_t * m / (jnp.sqrt(v) + epsilon), (m, v)

    return build(
        "adam",
        rule,
        wd_mode="before_clip",
        slot_names=("mean", "var"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def adamw(
    learning_rate: Any = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    *,
    wd: Any = 0.0,
    correct_bias: bool = True,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """AdamW (MXNet's ``contrib.adamw_update`` with ``eta=1``): decoupled weight decay.

    ``g = clip(rescale_grad*grad)``; moments as in :func:`adam`;
    ``w -= lr_t*m/(sqrt(v)+epsilon) + lr*wd*w`` with
    ``lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t)`` (``lr_t = lr`` if not ``correct_bias``).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.adamw(0.1, wd=0.5)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.15
    """
    check_beta("adamw", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = f32(c.t)
        lr_t = c.lr * jnp.sqrt(1 - beta2**t) / (1 - beta1**t) if correct_bias else c.lr
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        return w - (lr_t * m / (jnp.sqrt(v) + epsilon) + c.lr * c.wd * w), (m, v)

    return build(
        "adamw",
        rule,
        wd_mode="rule",
        slot_names=("mean", "var"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def adamax(
    learning_rate: Any = 0.002,
    beta1: float = 0.9,
    beta2: float = 0.999,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``Adamax``: ``m = b1*m + (1-b1)*g; u = max(b2*u, |g|); w -= lr/(1-b1^t)*m/u``.

    ``g = clip(rescale_grad*grad + wd*w)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.adamax(0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """
    check_beta("adamax", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        lr_t = c.lr / (1 - beta1 ** f32(c.t))
        m = beta1 * s[0] + (1 - beta1) * g
        u = jnp.maximum(beta2 * s[1], jnp.abs(g))
        return w - lr_t * m / u, (m, u)

    return build(
        "adamax",
        rule,
        wd_mode="before_clip",
        slot_names=("mean", "inf_norm"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def nadam(
    learning_rate: Any = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    schedule_decay: float = 0.004,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``Nadam`` (Dozat's Nesterov Adam with a momentum schedule).

    ``g = clip(rescale_grad*grad + wd*w)``; ``mu_t = beta1*(1 - 0.5*0.96^(t*schedule_decay))``.
    The momentum-schedule product is kept per update step (MXNet keeps one per
    optimizer object and advances it for every parameter it updates; the two
    agree when one optimizer updates one parameter).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.nadam(0.1)
        >>> p = {"w": jnp.array([1.0])}
        >>> u = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)[0]
        >>> bool(u["w"][0] < 0)
        True
    """
    check_beta("nadam", beta1=beta1, beta2=beta2)

    def mu(t):
        return beta1 * (1.0 - 0.5 * jnp.power(0.96, t * schedule_decay))

    def extra_step(m_sched, t, lr):
        tf = f32(t)
        mu_t, mu_t1 = mu(tf), mu(tf + 1)
        new = m_sched * mu_t
        return new, (new, new * mu_t1, mu_t, mu_t1)

    def rule(c, g, w, s):
        m_sched, m_sched_next, mu_t, mu_t1 = c.extra
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        g_prime = g / (1 - m_sched)
        m_prime = m / (1 - m_sched_next)
        v_prime = v / (1 - beta2 ** f32(c.t))
        m_bar = (1 - mu_t) * g_prime + mu_t1 * m_prime
        return w - c.lr * m_bar / (jnp.sqrt(v_prime) + epsilon), (m, v)

    return build(
        "nadam",
        rule,
        wd_mode="before_clip",
        slot_names=("mean", "var"),
        extra_init=lambda: jnp.ones([], jnp.float32),
        extra_step=extra_step,
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def rmsprop(
    learning_rate: Any = 0.001,
    gamma1: float = 0.9,
    gamma2: float = 0.9,
    epsilon: float = 1e-8,
    centered: bool = False,
    clip_weights: float | None = None,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``RMSProp`` (Tieleman & Hinton) and the centered variant (Graves).

    ``g = clip(rescale_grad*grad + wd*w)``; ``n = (1-gamma1)*g^2 + gamma1*n``.
    Plain: ``w -= lr*g/sqrt(n + epsilon)``. Centered: ``gbar = (1-gamma1)*g +
    gamma1*gbar``, ``delta = gamma2*delta - lr*g/sqrt(n - gbar^2 + epsilon)``,
    ``w += delta``. Weights are clipped to ``[-clip_weights, clip_weights]`` if set.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.rmsprop(0.1, centered=True)
        >>> p = {"w": jnp.array([1.0])}
        >>> u = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)[0]
        >>> round(float(u["w"][0]), 4)
        -0.3333
    """
    check_beta("rmsprop", gamma1=gamma1)

    def clip_w(w):
        return jnp.clip(w, -clip_weights, clip_weights) if clip_weights else w

    def rule(c, g, w, s):
        n = (1 - gamma1) * g * g + gamma1 * s[0]
        if not centered:
            return clip_w(w - c.lr * g / jnp.sqrt(n + epsilon)), (n,)
        gbar = (1 - gamma1) * g + gamma1 * s[1]
        delta = gamma2 * s[2] - c.lr * g / jnp.sqrt(n - gbar * gbar + epsilon)
        return clip_w(w + delta), (n, gbar, delta)

    return build(
        "rmsprop",
        rule,
        wd_mode="before_clip",
        slot_names=("n", "g", "delta") if centered else ("n",),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def adagrad(
    learning_rate: Any = 0.01,
    eps: float = 1e-7,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``AdaGrad``: ``h += g^2; w -= lr*(g/sqrt(h + eps) + wd*w)``.

    ``g = clip(rescale_grad*grad)`` (weight decay is outside the adaptive scaling).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.adagrad(0.1, eps=0.0)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([2.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """

    def rule(c, g, w, s):
        h = s[0] + g * g
        return w - c.lr * (g / jnp.sqrt(h + eps) + c.wd * w), (h,)

    return build(
        "adagrad",
        rule,
        wd_mode="rule",
        slot_names=("history",),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def adadelta(
    learning_rate: Any = 1.0,
    rho: float = 0.9,
    epsilon: float = 1e-5,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``AdaDelta`` (Zeiler): MXNet ignores the learning rate; so does this.

    ``acc_g = rho*acc_g + (1-rho)*g^2``; ``d = sqrt(acc_d + eps)/sqrt(acc_g + eps)*g``;
    ``acc_d = rho*acc_d + (1-rho)*d^2``; ``w -= d + wd*w`` with ``g = clip(rescale_grad*grad)``.
    ``learning_rate`` is accepted for a uniform signature and not used.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.adadelta(rho=0.0, epsilon=1.0)
        >>> p = {"w": jnp.array([1.0])}
        >>> u, _ = tx.update({"w": jnp.array([0.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        0.0
    """
    check_beta("adadelta", rho=rho)

    def rule(c, g, w, s):
        acc_g = rho * s[0] + (1 - rho) * g * g
        d = jnp.sqrt(s[1] + epsilon) / jnp.sqrt(acc_g + epsilon) * g
        acc_d = rho * s[1] + (1 - rho) * d * d
        return w - (d + c.wd * w), (acc_g, acc_d)

    return build(
        "adadelta",
        rule,
        wd_mode="rule",
        slot_names=("acc_g", "acc_delta"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def ftrl(
    learning_rate: Any = 0.1,
    lamda1: float = 0.01,
    beta: float = 1.0,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``Ftrl`` (FTRL-Proximal, McMahan et al.).

    ``z += g - (sqrt(n + g^2) - sqrt(n))*w/lr``; ``n += g^2``;
    ``w = (sign(z)*lamda1 - z)/((beta + sqrt(n))/lr + wd)`` where ``|z| > lamda1``, else 0.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.ftrl(0.1, lamda1=0.0)
        >>> p = {"w": jnp.array([0.0])}
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.05
    """

    def rule(c, g, w, s):
        z, n = s
        z = z + g - (jnp.sqrt(n + g * g) - jnp.sqrt(n)) * w / c.lr
        n = n + g * g
        new_w = (jnp.sign(z) * lamda1 - z) / ((beta + jnp.sqrt(n)) / c.lr + c.wd)
        return jnp.where(jnp.abs(z) > lamda1, new_w, jnp.zeros_like(w)), (z, n)

    return build(
        "ftrl",
        rule,
        wd_mode="rule",
        slot_names=("z", "n"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def ftml(
    learning_rate: Any = 0.01,
    beta1: float = 0.6,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``FTML`` (Follow the Moving Leader, Zheng & Kwok).

    ``g = clip(rescale_grad*grad + wd*w)``; ``v = b2*v + (1-b2)*g^2``;
    ``d_t = (1-b1^t)/lr*(sqrt(v/(1-b2^t)) + eps)``; ``z = b1*z + (1-b1)*g - (d_t - b1*d)*w``;
    ``w = -z/d_t``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.ftml(0.1)
        >>> p = {"w": jnp.array([0.0])}
        >>> u, _ = tx.update({"w": jnp.array([1.0])}, tx.init(p), p)
        >>> round(float(u["w"][0]), 4)
        -0.1
    """
    check_beta("ftml", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        d, v, z = s
        t = f32(c.t)
        v = beta2 * v + (1 - beta2) * g * g
        d_t = (1 - beta1**t) / c.lr * (jnp.sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * w
        return -z / d_t, (d_t, v, z)

    return build(
        "ftml",
        rule,
        wd_mode="before_clip",
        slot_names=("d", "v", "z"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def lamb(
    learning_rate: Any = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-6,
    lower_bound: float | None = None,
    upper_bound: float | None = None,
    bias_correction: bool = True,
    *,
    wd: Any = 0.0,
    rescale_grad: Any = 1.0,
    clip_gradient: float | None = None,
    l1: Any = 0.0,
    lr_mult: _b.Mult = None,
    wd_mult: _b.Mult = None,
) -> optax.GradientTransformation:
    """MXNet ``LAMB`` (You et al.): Adam direction with a layer-wise trust ratio.

    ``r = m_hat/(sqrt(v_hat) + eps) + wd*w``; ``r1 = clamp(||w||, lower, upper)``;
    ``r2 = ||r||``; ``w -= lr*(r1/r2 if r1 > 0 and r2 > 0 else 1)*r``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import optim
        >>> tx = optim.lamb(0.1)
        >>> p = {"w": jnp.array([3.0, 4.0])}
        >>> tx.update({"w": jnp.array([1.0, 1.0])}, tx.init(p), p)[0]["w"].shape
        (2,)
    """
    check_beta("lamb", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = f32(c.t)
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        if bias_correction:
            r = (m / (1 - beta1**t)) / (jnp.sqrt(v / (1 - beta2**t)) + epsilon)
        else:
            r = m / (jnp.sqrt(v) + epsilon)
        r = r + c.wd * w
        r1 = jnp.sqrt(jnp.sum(jnp.square(w.astype(jnp.float32))))
        if lower_bound:
            r1 = jnp.maximum(r1, lower_bound)
        if upper_bound:
            r1 = jnp.minimum(r1, upper_bound)
        r2 = jnp.sqrt(jnp.sum(jnp.square(r.astype(jnp.float32))))
        ratio = jnp.where((r1 > 0) & (r2 > 0), r1 / jnp.where(r2 > 0, r2, 1.0), 1.0)
        return w - c.lr * ratio * r, (m, v)

    return build(
        "lamb",
        rule,
        wd_mode="rule",
        slot_names=("mean", "var"),
        **common_kwargs(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )
