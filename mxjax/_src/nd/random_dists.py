"""More ``nd.random`` samplers: exponential, gamma, Poisson, negative binomial, ``*_like``, ``randn``.

All draw from the facade's global generator (:func:`mxjax.random.seed`
makes them deterministic): eagerly on the host with NumPy (nothing compiled
per shape), inside a hybridized trace with ``jax.random``. Parameters given as NDArrays sample ``shape``
values per element, like MXNet's ``sample_*`` operators.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.host_random import _host_dtype
from mxjax._src.nd.random import (
    _pshape,
    _result,
    draw_key,
    host_draw,
    host_float,
    normal,
    uniform,
)

__all__ = [
    "exponential",
    "exponential_like",
    "gamma",
    "gamma_like",
    "generalized_negative_binomial",
    "generalized_negative_binomial_like",
    "negative_binomial",
    "negative_binomial_like",
    "normal_like",
    "poisson",
    "poisson_like",
    "randn",
    "uniform_like",
]


def _check_positive(name, **params):
    for k, v in params.items():
        if isinstance(v, (int, float)) and not v > 0:
            raise ValueError(f"random.{name}: {k} must be > 0, got {v!r}")


def _gamma(key, alpha, scale, shape, dtype):
    return jax.random.gamma(key, jnp.broadcast_to(alpha, shape), shape, dtype=dtype) * scale


def exponential(scale=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples from an exponential distribution with mean ``scale`` (rate ``1/scale``).

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(0)
        >>> x = mx.nd.random.exponential(2.0, shape=(20000,))
        >>> bool(abs(float(x.mean().asscalar()) - 2.0) < 0.1), bool((x >= 0).asnumpy().all())
        (True, True)
    """
    _check_positive("exponential", scale=scale)
    rng = host_draw(scale)
    if rng is not None:
        shape, (s,) = _pshape(shape, scale, host=True)
        e = rng.standard_exponential(shape, dtype=host_float(dtype))
        return _result(np.asarray(e * s).astype(_host_dtype(dtype)), ctx, out)
    shape, (s,) = _pshape(shape, scale)
    e = jax.random.exponential(draw_key(), shape, dtype=np.dtype(dtype))
    return _result(e * s, ctx, out)


def gamma(alpha=1.0, beta=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples from a gamma distribution with shape ``alpha`` and scale ``beta`` (mean ``alpha*beta``).

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(0)
        >>> x = mx.nd.random.gamma(2.0, 3.0, shape=(20000,))
        >>> bool(abs(float(x.mean().asscalar()) - 6.0) < 0.3)
        True
    """
    _check_positive("gamma", alpha=alpha, beta=beta)
    rng = host_draw(alpha, beta)
    if rng is not None:
        shape, (a, b) = _pshape(shape, alpha, beta, host=True)
        g = rng.standard_gamma(np.broadcast_to(a, shape), shape, dtype=host_float(dtype))
        return _result(np.asarray(g * b).astype(_host_dtype(dtype)), ctx, out)
    shape, (a, b) = _pshape(shape, alpha, beta)
    return _result(_gamma(draw_key(), a, b, shape, np.dtype(dtype)), ctx, out)


def poisson(lam=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples from a Poisson distribution with rate ``lam`` (float values, as in MXNet).

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(0)
        >>> x = mx.nd.random.poisson(4.0, shape=(20000,))
        >>> bool(abs(float(x.mean().asscalar()) - 4.0) < 0.2), x.dtype.__name__
        (True, 'float32')
    """
    rng = host_draw(lam)
    if rng is not None:
        shape, (lam_,) = _pshape(shape, lam, host=True)
        k = rng.poisson(np.asarray(lam_, np.float64), shape)
        return _result(np.asarray(k).astype(_host_dtype(dtype)), ctx, out)
    shape, (lam_,) = _pshape(shape, lam)
    k = jax.random.poisson(
        draw_key(), jnp.broadcast_to(jnp.asarray(lam_, jnp.float32), shape), shape
    )
    return _result(k.astype(np.dtype(dtype)), ctx, out)


def negative_binomial(k=1, p=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples the number of failures before ``k`` successes of trials with success probability ``p``.

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(0)
        >>> x = mx.nd.random.negative_binomial(3, 0.5, shape=(20000,))  # mean k(1-p)/p = 3
        >>> bool(abs(float(x.mean().asscalar()) - 3.0) < 0.2)
        True
    """
    _check_positive("negative_binomial", k=k)
    if isinstance(p, (int, float)) and not 0 < p <= 1:
        raise ValueError(f"random.negative_binomial: p must be in (0, 1], got {p!r}")
    rng = host_draw(k, p)
    if rng is not None:
        shape, (k_, p_) = _pshape(shape, k, p, host=True)
        # gamma-Poisson mixture, as in the traced draw (k may be any positive real)
        lam = rng.standard_gamma(np.broadcast_to(k_, shape), shape) * ((1.0 - p_) / p_)
        x = rng.poisson(lam, shape)
        return _result(np.asarray(x).astype(_host_dtype(dtype)), ctx, out)
    shape, (k_, p_) = _pshape(shape, k, p)
    k1, k2 = jax.random.split(draw_key())
    lam = _gamma(k1, jnp.asarray(k_, jnp.float32), (1.0 - p_) / p_, shape, jnp.float32)
    x = jax.random.poisson(k2, lam, shape)
    return _result(x.astype(np.dtype(dtype)), ctx, out)


def generalized_negative_binomial(
    mu=1.0, alpha=1.0, shape=None, dtype="float32", ctx=None, out=None
):
    """Samples a negative binomial with mean ``mu`` and dispersion ``alpha`` (variance ``mu + alpha*mu**2``).

    ``alpha = 0`` is a Poisson distribution with rate ``mu``.

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(0)
        >>> x = mx.nd.random.generalized_negative_binomial(2.0, 0.5, shape=(20000,))
        >>> bool(abs(float(x.mean().asscalar()) - 2.0) < 0.15)
        True
    """
    rng = host_draw(mu, alpha)
    if rng is not None:
        shape, (mu_, al_) = _pshape(shape, mu, alpha, host=True)
        mu_ = np.broadcast_to(np.asarray(mu_, np.float64), shape)
        al_ = np.broadcast_to(np.asarray(al_, np.float64), shape)
        safe = np.where(al_ > 0, al_, 1.0)
        lam = np.where(al_ > 0, rng.standard_gamma(1.0 / safe, shape) * safe * mu_, mu_)
        x = rng.poisson(lam, shape)
        return _result(np.asarray(x).astype(_host_dtype(dtype)), ctx, out)
    shape, (mu_, al_) = _pshape(shape, mu, alpha)
    k1, k2 = jax.random.split(draw_key())
    mu_ = jnp.broadcast_to(jnp.asarray(mu_, jnp.float32), shape)
    al_ = jnp.broadcast_to(jnp.asarray(al_, jnp.float32), shape)
    safe = jnp.where(al_ > 0, al_, 1.0)
    lam = jnp.where(al_ > 0, _gamma(k1, 1.0 / safe, safe * mu_, shape, jnp.float32), mu_)
    x = jax.random.poisson(k2, lam, shape)
    return _result(x.astype(np.dtype(dtype)), ctx, out)


def randn(*shape, loc=0.0, scale=1.0, dtype="float32", ctx=None, out=None, **kwargs):
    """Standard-normal samples of shape ``shape`` given as positional ints (``randn(2, 3)``).

    Examples:
        >>> from mxjax import nd
        >>> nd.random.randn(2, 3).shape
        (2, 3)
    """
    return normal(loc, scale, shape=shape or None, dtype=dtype, ctx=ctx, out=out)


def _like(name, sampler, params):
    def like(data=None, *args, out=None, **kwargs):
        if data is None:
            raise TypeError(f"random.{name}: data (the array whose shape to use) is required")
        for p, v in zip(params, args):
            kwargs[p] = v
        return sampler(shape=data.shape, dtype=data.dtype, ctx=data.context, out=out, **kwargs)

    like.__name__ = name
    like.__doc__ = f"""Samples like ``random.{sampler.__name__}`` with the shape, dtype and context of ``data``.

    Examples:
        >>> from mxjax import nd
        >>> nd.random.{name}(nd.zeros((2, 3))).shape
        (2, 3)
    """
    return like


uniform_like = _like("uniform_like", uniform, ("low", "high"))
normal_like = _like("normal_like", normal, ("loc", "scale"))
exponential_like = _like("exponential_like", exponential, ("scale",))
gamma_like = _like("gamma_like", gamma, ("alpha", "beta"))
poisson_like = _like("poisson_like", poisson, ("lam",))
negative_binomial_like = _like("negative_binomial_like", negative_binomial, ("k", "p"))
generalized_negative_binomial_like = _like(
    "generalized_negative_binomial_like", generalized_negative_binomial, ("mu", "alpha")
)
