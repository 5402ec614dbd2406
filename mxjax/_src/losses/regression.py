"""Regression losses: L1, L2, Huber, Poisson NLL (one value per sample)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from mxjax._src.losses._common import (
    _as_array,
    _batch_mean,
    _like,
    _weighting,
)

__all__ = ["l1_loss", "l2_loss", "huber_loss", "poisson_nll_loss"]


def l1_loss(pred, label, weight=None, sample_weight=None, batch_axis=0) -> jax.Array:
    r"""Mean absolute error per sample (Gluon ``L1Loss``): :math:`\mathrm{mean}|label - pred|`.

    Args:
        pred: predictions, any shape with a batch axis.
        label: targets with the same number of elements as ``pred``.
        weight: global scalar weight, or None.
        sample_weight: weights broadcastable to ``pred`` (a ``(batch,)`` array
            weights each sample).
        batch_axis: the axis that is kept.

    Returns:
        An array of shape ``(batch,)``.

    Raises:
        ValueError: if ``pred`` and ``label`` sizes differ.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.l1_loss(jnp.array([[1.0, 2.0]]), jnp.array([[0.0, 0.0]])).tolist()
        [1.5]
    """
    name = "l1_loss"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    loss = _weighting(name, jnp.abs(label - pred), weight, sample_weight)
    return _batch_mean(loss, batch_axis)


def l2_loss(pred, label, weight=None, sample_weight=None, batch_axis=0) -> jax.Array:
    r"""Half the mean squared error per sample (Gluon ``L2Loss``): :math:`\frac12\mathrm{mean}(label-pred)^2`.

    ``weight`` (None means 1) multiplies the loss as in Gluon, where the
    effective factor is ``weight / 2``.

    Args:
        pred: predictions.
        label: targets with the same number of elements as ``pred``.
        weight: global scalar weight, or None (= 1).
        sample_weight: weights broadcastable to ``pred``.
        batch_axis: the axis that is kept.

    Returns:
        An array of shape ``(batch,)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.l2_loss(jnp.array([[2.0, 0.0]]), jnp.zeros((1, 2))).tolist()
        [1.0]
    """
    name = "l2_loss"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    w = 1.0 if weight is None else weight
    loss = _weighting(name, jnp.square(label - pred), w, sample_weight) / 2
    return _batch_mean(loss, batch_axis)


def huber_loss(pred, label, rho=1, weight=None, sample_weight=None, batch_axis=0) -> jax.Array:
    r"""Smoothed L1 loss (Gluon ``HuberLoss``).

    :math:`|d| - \rho/2` where :math:`|d| > \rho`, else :math:`d^2 / (2\rho)`,
    with :math:`d = label - pred`; averaged over non-batch axes.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.huber_loss(jnp.array([[3.0, 0.5]]), jnp.zeros((1, 2))).tolist()
        [1.3125]
    """
    name = "huber_loss"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    d = jnp.abs(label - pred)
    loss = jnp.where(d > rho, d - 0.5 * rho, (0.5 / rho) * jnp.square(d))
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


def poisson_nll_loss(
    pred,
    target,
    from_logits=True,
    compute_full=False,
    epsilon=1e-8,
    weight=None,
    sample_weight=None,
    batch_axis=0,
) -> jax.Array:
    r"""Poisson negative log-likelihood (Gluon ``PoissonNLLLoss``).

    ``exp(pred) - target * pred`` if ``from_logits`` else
    ``pred - target * log(pred + epsilon)``; with ``compute_full`` the Stirling
    term ``t log t - t + log(2 pi t) / 2`` is added where ``target > 1``.
    As in Gluon the result is the scalar mean over all elements (``batch_axis``
    is accepted for signature compatibility). Unlike Gluon, zero targets with
    ``compute_full`` give a finite value instead of NaN.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.poisson_nll_loss(jnp.zeros((2, 1)), jnp.ones((2, 1)))), 4)
        1.0
    """
    del batch_axis
    name = "poisson_nll_loss"
    pred = _as_array(name, "pred", pred)
    target = _like(name, "target", _as_array(name, "target", target), pred)
    if from_logits:
        loss = jnp.exp(pred) - target * pred
    else:
        loss = pred - target * jnp.log(pred + epsilon)
    if compute_full:
        gt1 = target > 1
        safe_t = jnp.where(gt1, target, 1.0)
        stirling = safe_t * jnp.log(safe_t) - safe_t + 0.5 * jnp.log(2 * safe_t * math.pi)
        loss = loss + jnp.where(gt1, stirling, 0.0)
    return jnp.mean(_weighting(name, loss, weight, sample_weight))
