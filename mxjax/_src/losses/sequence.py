"""Sequence losses: connectionist temporal classification (CTC)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src.losses._common import (
    _as_array,
    _check_class_labels,
    _weighting,
)

__all__ = ["ctc_loss"]


_LOG_ZERO = -1e5  # a finite log(0): keeps gradients of impossible paths at 0 instead of NaN


@jax.jit
def _ctc_core(pred, logit_pad, labels, label_pad):
    """CTC negative log-likelihood by the forward algorithm in log space, batched.

    The blank is the last class. As in MXNet, the transition that skips a blank
    is not allowed into a repeated label nor into a label equal to the blank.
    """
    n, t, c = pred.shape
    blank = c - 1
    logp = jax.nn.log_softmax(pred, axis=-1)
    lab_len = jnp.sum(1 - label_pad, axis=1).astype(jnp.int32)
    s = 2 * labels.shape[1] + 1
    ext = jnp.full((n, s), blank, labels.dtype).at[:, 1::2].set(labels)
    prev = jnp.pad(ext[:, :-2], ((0, 0), (2, 0)), constant_values=blank)
    skip = (ext != blank) & (ext != prev)
    emit = jnp.take_along_axis(logp, jnp.broadcast_to(ext[:, None, :], (n, t, s)), axis=2)
    alpha0 = jnp.full((n, s), _LOG_ZERO, pred.dtype)
    alpha0 = alpha0.at[:, :2].set(emit[:, 0, :2])

    def step(alpha, xs):
        e, pad = xs
        a1 = jnp.pad(alpha[:, :-1], ((0, 0), (1, 0)), constant_values=_LOG_ZERO)
        a2 = jnp.pad(alpha[:, :-2], ((0, 0), (2, 0)), constant_values=_LOG_ZERO)
        a2 = jnp.where(skip, a2, _LOG_ZERO)
        new = jnp.logaddexp(jnp.logaddexp(alpha, a1), a2) + e
        return jnp.where(pad[:, None] > 0, alpha, new), None

    xs = (jnp.swapaxes(emit[:, 1:], 0, 1), jnp.swapaxes(logit_pad[:, 1:], 0, 1))
    alpha, _ = jax.lax.scan(step, alpha0, xs)
    last = jnp.take_along_axis(alpha, (2 * lab_len)[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(2 * lab_len - 1, 0)[:, None], axis=1)[:, 0]
    before = jnp.where(lab_len > 0, before, _LOG_ZERO)
    return -jnp.logaddexp(last, before)


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
    As in MXNet, a label equal to the blank index ``C - 1`` is accepted: it
    emits with the blank's probability and cannot be reached by skipping a blank.
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
