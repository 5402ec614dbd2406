"""Sequence losses: connectionist temporal classification (CTC)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import optax

from mxjax._src.losses._common import (
    _as_array,
    _check_class_labels,
    _weighting,
)

__all__ = ["ctc_loss"]


@jax.jit
def _ctc_core(pred, logit_pad, labels, label_pad):
    # jitted: optax's scan is slow to dispatch op by op in eager mode.
    return optax.ctc_loss(pred, logit_pad, labels, label_pad, blank_id=pred.shape[-1] - 1)


def ctc_loss(
    pred,
    label,
    pred_lengths=None,
    label_lengths=None,
    layout="NTC",
    label_layout="NT",
    weight=None,
    sample_weight=None,
) -> jax.Array:
    r"""Connectionist Temporal Classification loss (Gluon ``CTCLoss``).

    ``pred`` holds unnormalised activations over ``C`` classes; as in Gluon
    the blank is the *last* class ``C - 1`` and labels lie in ``[0, C - 1)``.
    As in MXNet, a label equal to the blank index ``C - 1`` is accepted and
    emits with the blank's probability (MXNet's lattice does not tell them apart).
    Without ``label_lengths`` a label sequence ends at its first ``-1``.

    Args:
        pred: activations, ``(N, T, C)`` for layout ``'NTC'`` or ``(T, N, C)`` for ``'TNC'``.
        label: integer labels, ``(N, L)`` (``'NT'``) or ``(L, N)`` (``'TN'``).
        pred_lengths: ``(N,)`` valid time steps of ``pred``, or None for all ``T``.
        label_lengths: ``(N,)`` label lengths, or None to use ``-1`` padding.
        layout: ``'NTC'`` or ``'TNC'``.
        label_layout: ``'NT'`` or ``'TN'``.
        weight: global scalar weight, or None.
        sample_weight: ``(N,)`` per-sample weights, or None.

    Returns:
        An array of shape ``(N,)``. Under ``jit``, samples with a label
        outside ``[0, C)`` give NaN.

    Raises:
        ValueError: for a bad layout, mismatched shapes or a concrete label
            outside ``[0, C)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.ctc_loss(jnp.zeros((1, 2, 3)), jnp.array([[0, -1]]))
        >>> round(float(l[0]), 4)  # 3 of 9 paths emit "0": -log(3/9)
        1.0986
    """
    name = "ctc_loss"
    if layout not in ("NTC", "TNC"):
        raise ValueError(f"{name}: layout must be 'NTC' or 'TNC', got {layout!r}")
    if label_layout not in ("NT", "TN"):
        raise ValueError(f"{name}: label_layout must be 'NT' or 'TN', got {label_layout!r}")
    pred = _as_array(name, "pred", pred)
    if pred.ndim != 3:
        raise ValueError(f"{name}: `pred` must be 3-D ({layout}), got shape {tuple(pred.shape)}")
    if layout == "TNC":
        pred = jnp.swapaxes(pred, 0, 1)
    label = jnp.asarray(label.asnumpy() if hasattr(label, "asnumpy") else label)
    if label.ndim != 2:
        raise ValueError(
            f"{name}: `label` must be 2-D ({label_layout}), got shape {tuple(label.shape)}"
        )
    if label_layout == "TN":
        label = jnp.swapaxes(label, 0, 1)
    n, t, c = pred.shape
    if label.shape[0] != n:
        raise ValueError(
            f"{name}: `label` shape {tuple(label.shape)} ({label_layout}) does not match batch "
            f"size {n} of `pred` shape {tuple(pred.shape)} ({layout})"
        )
    label = label.astype(jnp.int32)
    positions = jnp.arange(label.shape[1])[None, :]
    if label_lengths is None:
        label_pad = jnp.cumsum(label == -1, axis=1) > 0
    else:
        lengths = jnp.asarray(label_lengths).astype(jnp.int32).reshape((n, 1))
        label_pad = positions >= lengths
    checked = jnp.where(label_pad, 0, label)
    valid = _check_class_labels(name, checked, c)
    if pred_lengths is None:
        logit_pad = jnp.zeros((n, t), pred.dtype)
    else:
        plen = jnp.asarray(pred_lengths).astype(jnp.int32).reshape((n, 1))
        logit_pad = (jnp.arange(t)[None, :] >= plen).astype(pred.dtype)
    loss = _ctc_core(pred, logit_pad, jnp.clip(checked, 0, c - 1), label_pad.astype(pred.dtype))
    if valid is not None:
        loss = jnp.where(jnp.all(valid, axis=1), loss, jnp.nan)
    return _weighting(name, loss, weight, sample_weight)
