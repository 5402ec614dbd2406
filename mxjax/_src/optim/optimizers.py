"""Every MXNet 1.9.1 optimizer as an optax ``GradientTransformation``.

Each factory takes MXNet's hyperparameters (names and defaults of
``mx.optimizer.<Name>``) plus the options every MXNet optimizer has:
``wd``, ``rescale_grad``, ``clip_gradient``, ``lr_mult``, ``wd_mult`` and an
extra ``l1`` (``l1 * sign(weight)`` added to the gradient next to ``wd``).
``learning_rate`` is a number, a traced scalar or a schedule of MXNet's
1-based ``num_update``. ``update`` must be called with ``params``; the
updates are ``new_weight - weight`` (apply them with ``optax.apply_updates``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from mxjax._src.optim import base as _b

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "dcasgd",
    "ftml",
    "ftrl",
    "lamb",
    "lars",
    "nadam",
    "nag",
    "rmsprop",
    "sgd",
    "sgld",
    "signum",
]


def _check_nonneg(who: str, **values: Any) -> None:
    for k, v in values.items():
        if isinstance(v, int | float) and not v >= 0:
            raise ValueError(f"{who}: `{k}` must be >= 0, got {v!r}")


def _check_beta(who: str, **values: Any) -> None:
    for k, v in values.items():
        if isinstance(v, int | float) and not 0 <= v < 1:
            raise ValueError(f"{who}: `{k}` must be in [0, 1), got {v!r}")


def _build(
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


def _f(t):
    return jnp.asarray(t, jnp.float32)


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
    _check_nonneg("sgd", momentum=momentum, wd=wd)

    def rule(c, g, w, s):
        if momentum == 0:
            return w - c.lr * g, s
        mom = momentum * s[0] - c.lr * g
        return w + mom, (mom,)

    return _build(
        "sgd",
        rule,
        wd_mode="after_clip",
        num_slots=int(momentum != 0),
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


def _common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult):
    return dict(
        learning_rate=learning_rate,
        wd=wd,
        rescale_grad=rescale_grad,
        clip_gradient=clip_gradient,
        l1=l1,
        lr_mult=lr_mult,
        wd_mult=wd_mult,
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
    _check_nonneg("nag", momentum=momentum, wd=wd)

    def rule(c, g, w, s):
        if momentum == 0:
            return w - c.lr * (g + c.wd * w), s
        mom = momentum * s[0]
        new_w = w - mom + (momentum + 1) * (mom - c.lr * (g + c.wd * w))
        # MXNet's kernel writes the weight in place first, so the stored momentum
        # sees the decay of the *new* weight; reproduced for bit-compatibility.
        return new_w, (mom - c.lr * (g + c.wd * new_w),)

    return _build(
        "nag",
        rule,
        wd_mode="rule",
        num_slots=int(momentum != 0),
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )


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
    _check_beta("adam", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = _f(c.t)
        lr_t = c.lr * jnp.sqrt(1 - beta2**t) / (1 - beta1**t)
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        return w - lr_t * m / (jnp.sqrt(v) + epsilon), (m, v)

    return _build(
        "adam",
        rule,
        wd_mode="before_clip",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("adamw", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = _f(c.t)
        lr_t = c.lr * jnp.sqrt(1 - beta2**t) / (1 - beta1**t) if correct_bias else c.lr
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        return w - (lr_t * m / (jnp.sqrt(v) + epsilon) + c.lr * c.wd * w), (m, v)

    return _build(
        "adamw",
        rule,
        wd_mode="rule",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("adamax", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        lr_t = c.lr / (1 - beta1 ** _f(c.t))
        m = beta1 * s[0] + (1 - beta1) * g
        u = jnp.maximum(beta2 * s[1], jnp.abs(g))
        return w - lr_t * m / u, (m, u)

    return _build(
        "adamax",
        rule,
        wd_mode="before_clip",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("nadam", beta1=beta1, beta2=beta2)

    def mu(t):
        return beta1 * (1.0 - 0.5 * jnp.power(0.96, t * schedule_decay))

    def extra_step(m_sched, t, lr):
        tf = _f(t)
        mu_t, mu_t1 = mu(tf), mu(tf + 1)
        new = m_sched * mu_t
        return new, (new, new * mu_t1, mu_t, mu_t1)

    def rule(c, g, w, s):
        m_sched, m_sched_next, mu_t, mu_t1 = c.extra
        m = beta1 * s[0] + (1 - beta1) * g
        v = beta2 * s[1] + (1 - beta2) * g * g
        g_prime = g / (1 - m_sched)
        m_prime = m / (1 - m_sched_next)
        v_prime = v / (1 - beta2 ** _f(c.t))
        m_bar = (1 - mu_t) * g_prime + mu_t1 * m_prime
        return w - c.lr * m_bar / (jnp.sqrt(v_prime) + epsilon), (m, v)

    return _build(
        "nadam",
        rule,
        wd_mode="before_clip",
        num_slots=2,
        extra_init=lambda: jnp.ones([], jnp.float32),
        extra_step=extra_step,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("rmsprop", gamma1=gamma1)

    def clip_w(w):
        return jnp.clip(w, -clip_weights, clip_weights) if clip_weights else w

    def rule(c, g, w, s):
        n = (1 - gamma1) * g * g + gamma1 * s[0]
        if not centered:
            return clip_w(w - c.lr * g / jnp.sqrt(n + epsilon)), (n,)
        gbar = (1 - gamma1) * g + gamma1 * s[1]
        delta = gamma2 * s[2] - c.lr * g / jnp.sqrt(n - gbar * gbar + epsilon)
        return clip_w(w + delta), (n, gbar, delta)

    return _build(
        "rmsprop",
        rule,
        wd_mode="before_clip",
        num_slots=3 if centered else 1,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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

    return _build(
        "adagrad",
        rule,
        wd_mode="rule",
        num_slots=1,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("adadelta", rho=rho)

    def rule(c, g, w, s):
        acc_g = rho * s[0] + (1 - rho) * g * g
        d = jnp.sqrt(s[1] + epsilon) / jnp.sqrt(acc_g + epsilon) * g
        acc_d = rho * s[1] + (1 - rho) * d * d
        return w - (d + c.wd * w), (acc_g, acc_d)

    return _build(
        "adadelta",
        rule,
        wd_mode="rule",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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

    return _build(
        "ftrl",
        rule,
        wd_mode="rule",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("ftml", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        d, v, z = s
        t = _f(c.t)
        v = beta2 * v + (1 - beta2) * g * g
        d_t = (1 - beta1**t) / c.lr * (jnp.sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * w
        return -z / d_t, (d_t, v, z)

    return _build(
        "ftml",
        rule,
        wd_mode="before_clip",
        num_slots=3,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_nonneg("signum", momentum=momentum, wd_lh=wd_lh)

    def rule(c, g, w, s):
        if momentum == 0:
            return (1 - c.lr * c.wd) * w - c.lr * jnp.sign(g), s
        mom = momentum * s[0] - (1 - momentum) * (c.wd * w + g)
        return (1 - c.lr * wd_lh) * w + c.lr * jnp.sign(mom), (mom,)

    return _build(
        "signum",
        rule,
        wd_mode="rule",
        num_slots=int(momentum != 0),
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_beta("lamb", beta1=beta1, beta2=beta2)

    def rule(c, g, w, s):
        t = _f(c.t)
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

    return _build(
        "lamb",
        rule,
        wd_mode="rule",
        num_slots=2,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_nonneg("lars", momentum=momentum, eta=eta, eps=eps)
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

    return _build(
        "lars",
        rule,
        wd_mode="rule_clip",
        num_slots=int(momentum != 0),
        extra_init=lambda: jnp.full([], jnp.nan, jnp.float32),
        extra_step=extra_step,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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

    return _build(
        "sgld",
        rule,
        wd_mode="after_clip",
        extra_init=lambda: key,
        extra_step=extra_step,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
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
    _check_nonneg("dcasgd", momentum=momentum, lamda=lamda)

    def rule(c, g, w, s):
        prev = s[0]
        step = -c.lr * (g + c.wd * w + lamda * g * g * (w - prev))
        if momentum == 0:
            return w + step, (w,)
        mom = momentum * s[1] + step
        return w + mom, (w, mom)

    def slot_init(w, i):
        return jnp.array(w) if i == 0 else jnp.zeros_like(w)

    return _build(
        "dcasgd",
        rule,
        wd_mode="rule",
        num_slots=1 + int(momentum != 0),
        slot_init=slot_init,
        **_common(learning_rate, wd, rescale_grad, clip_gradient, l1, lr_mult, wd_mult),
    )
