"""Pure loss functions with MXNet Gluon 1.9.1 semantics, and Gluon-named loss objects.

Every function returns one value per sample (the mean over all non-batch
axes, as Gluon does), multiplied by ``sample_weight`` (broadcast) and by the
scalar ``weight``. Exceptions, as in Gluon: :func:`kl_div` and
:func:`triplet_loss` sum over non-batch axes, :func:`poisson_nll_loss`
returns the scalar mean over everything and :func:`cosine_embedding_loss`
returns shape ``(batch, 1)``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "CTCLoss",
    "CosineEmbeddingLoss",
    "HingeLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "L2Loss",
    "LogisticLoss",
    "PoissonNLLLoss",
    "SigmoidBCELoss",
    "SigmoidBinaryCrossEntropyLoss",
    "SoftmaxCELoss",
    "SoftmaxCrossEntropyLoss",
    "SquaredHingeLoss",
    "TripletLoss",
    "cosine_embedding_loss",
    "ctc_loss",
    "get",
    "hinge_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "l2_loss",
    "logistic_loss",
    "poisson_nll_loss",
    "sigmoid_binary_cross_entropy",
    "softmax_cross_entropy",
    "squared_hinge_loss",
    "triplet_loss",
]


# --------------------------------------------------------------------------- helpers


def _as_array(name: str, arg: str, x: Any) -> jax.Array:
    if hasattr(x, "asnumpy") and not isinstance(x, jax.Array):
        x = x.asnumpy()
    try:
        x = jnp.asarray(x)
    except TypeError as e:
        raise TypeError(f"{name}: `{arg}` must be an array, got {type(x).__name__}") from e
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    return x


def _like(name: str, arg: str, x: jax.Array, ref: jax.Array, ref_arg: str = "pred") -> jax.Array:
    """Gluon's ``_reshape_like``: same number of elements required, then reshape."""
    if x.shape == ref.shape:
        return x
    if x.size != ref.size:
        raise ValueError(
            f"{name}: `{arg}` shape {tuple(x.shape)} does not match `{ref_arg}` shape "
            f"{tuple(ref.shape)} (they must have the same number of elements)"
        )
    return x.reshape(ref.shape)


def _concrete(x: jax.Array) -> np.ndarray | None:
    """The value of ``x`` as NumPy, or None when ``x`` is traced (under jit/grad)."""
    if isinstance(x, jax.core.Tracer):
        return None
    return np.asarray(x)


def _weighting(name: str, loss: jax.Array, weight: Any, sample_weight: Any) -> jax.Array:
    """Gluon's ``_apply_weighting`` with explicit broadcasting of ``sample_weight``.

    A ``sample_weight`` of lower rank than the loss is aligned with the loss's
    leading axes (shape ``(batch,)`` weights each sample).
    """
    if sample_weight is not None:
        sw = _as_array(name, "sample_weight", sample_weight)
        if sw.ndim < loss.ndim:
            sw = sw.reshape(sw.shape + (1,) * (loss.ndim - sw.ndim))
        try:
            shape = jnp.broadcast_shapes(sw.shape, loss.shape)
        except ValueError:
            shape = None
        if shape != loss.shape:
            raise ValueError(
                f"{name}: `sample_weight` of shape {tuple(jnp.shape(sample_weight))} cannot be "
                f"broadcast to the loss shape {tuple(loss.shape)}"
            )
        loss = loss * sw
    if weight is not None:
        if jnp.ndim(weight) != 0 or isinstance(weight, (bool, str)):
            raise TypeError(f"{name}: `weight` must be a scalar number or None, got {weight!r}")
        loss = loss * weight
    return loss


def _batch_mean(loss: jax.Array, batch_axis: int) -> jax.Array:
    if loss.ndim <= 1:
        return loss
    axes = tuple(a for a in range(loss.ndim) if a != batch_axis % loss.ndim)
    return jnp.mean(loss, axis=axes)


def _batch_sum(loss: jax.Array, batch_axis: int) -> jax.Array:
    if loss.ndim <= 1:
        return loss
    axes = tuple(a for a in range(loss.ndim) if a != batch_axis % loss.ndim)
    return jnp.sum(loss, axis=axes)


def _check_class_labels(name: str, label: jax.Array, num_classes: int) -> jax.Array | None:
    """Raises for concrete out-of-range labels; returns a validity mask when traced."""
    value = _concrete(label)
    if value is None:
        return (label >= 0) & (label < num_classes)
    bad = (value < 0) | (value >= num_classes)
    if bad.any():
        raise ValueError(
            f"{name}: labels must lie in [0, {num_classes}), got {value[bad].flat[0].item()!r} "
            f"({int(bad.sum())} out-of-range label(s))"
        )
    return None


# --------------------------------------------------------------------------- regression


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


# --------------------------------------------------------------------------- classification


def softmax_cross_entropy(
    pred,
    label,
    axis=-1,
    sparse_label=True,
    from_logits=False,
    weight=None,
    sample_weight=None,
    batch_axis=0,
) -> jax.Array:
    r"""Softmax cross-entropy per sample (Gluon ``SoftmaxCrossEntropyLoss``).

    :math:`-\sum_c label_c \log\mathrm{softmax}(pred)_c`, or
    :math:`-\log\mathrm{softmax}(pred)_{label}` for sparse labels; computed
    with ``log_softmax`` so it stays finite for logits of any magnitude.

    Args:
        pred: logits (or log-probabilities if ``from_logits``), classes on ``axis``.
        label: class indices with ``pred``'s shape minus ``axis`` (sparse), or
            a distribution with ``pred``'s shape.
        axis: the class axis.
        sparse_label: whether ``label`` holds class indices.
        from_logits: whether ``pred`` already holds log-probabilities.
        weight: global scalar weight, or None.
        sample_weight: weights broadcastable to the loss.
        batch_axis: the axis that is kept.

    Returns:
        An array of shape ``(batch,)``. Under ``jit`` (labels not concrete),
        samples whose sparse label is outside ``[0, num_classes)`` give NaN.

    Raises:
        ValueError: for a concrete sparse label outside ``[0, num_classes)``
            or mismatched shapes.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.softmax_cross_entropy(jnp.zeros((2, 4)), jnp.array([0, 3]))
        >>> [round(v, 4) for v in l.tolist()]
        [1.3863, 1.3863]
    """
    name = "softmax_cross_entropy"
    pred = _as_array(name, "pred", pred)
    axis = axis % pred.ndim
    logp = pred if from_logits else jax.nn.log_softmax(pred, axis=axis)
    if sparse_label:
        label = jnp.asarray(label.asnumpy() if hasattr(label, "asnumpy") else label)
        keep = pred.shape[:axis] + (1,) + pred.shape[axis + 1 :]
        if label.size != math.prod(keep):
            raise ValueError(
                f"{name}: sparse `label` of shape {tuple(label.shape)} does not match `pred` "
                f"shape {tuple(pred.shape)} without class axis {axis}"
            )
        idx = label.reshape(keep).astype(jnp.int32)
        num_classes = pred.shape[axis]
        valid = _check_class_labels(name, idx, num_classes)
        loss = -jnp.take_along_axis(logp, jnp.clip(idx, 0, num_classes - 1), axis=axis)
        if valid is not None:
            loss = jnp.where(valid, loss, jnp.nan)
    else:
        label = _like(name, "label", _as_array(name, "label", label), pred)
        loss = -jnp.sum(logp * label, axis=axis, keepdims=True)
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


def sigmoid_binary_cross_entropy(
    pred,
    label,
    from_sigmoid=False,
    pos_weight=None,
    weight=None,
    sample_weight=None,
    batch_axis=0,
) -> jax.Array:
    r"""Binary cross-entropy on logits or probabilities (Gluon ``SigmoidBCELoss``).

    On logits it is ``relu(x) - x*y + softplus(-|x|)`` (stable for any
    magnitude); ``pos_weight`` (broadcast NumPy-style against ``label``)
    scales the positive term. With ``from_sigmoid`` it is
    ``-(y log(p + 1e-12) + (1 - y) log(1 - p + 1e-12))``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.sigmoid_binary_cross_entropy(jnp.zeros((1, 2)), jnp.ones((1, 2)))
        >>> round(float(l[0]), 4)
        0.6931
    """
    name = "sigmoid_binary_cross_entropy"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    if pos_weight is not None:
        pw = _as_array(name, "pos_weight", pos_weight)
        if pw.ndim < label.ndim:
            pw = pw.reshape((1,) * (label.ndim - pw.ndim) + pw.shape)
        try:
            jnp.broadcast_shapes(pw.shape, label.shape)
        except ValueError as e:
            raise ValueError(
                f"{name}: `pos_weight` of shape {tuple(pw.shape)} does not broadcast to `label` "
                f"shape {tuple(label.shape)}"
            ) from e
    if not from_sigmoid:
        if pos_weight is None:
            loss = jax.nn.relu(pred) - pred * label + jax.nn.softplus(-jnp.abs(pred))
        else:
            log_weight = 1 + (pw - 1) * label
            loss = (
                pred
                - pred * label
                + log_weight * (jax.nn.softplus(-jnp.abs(pred)) + jax.nn.relu(-pred))
            )
    else:
        eps = 1e-12
        pos = jnp.log(pred + eps) * label
        if pos_weight is not None:
            pos = pos * pw
        loss = -(pos + jnp.log(1.0 - pred + eps) * (1.0 - label))
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


def kl_div(
    pred, label, from_logits=True, axis=-1, weight=None, sample_weight=None, batch_axis=0
) -> jax.Array:
    r"""Kullback-Leibler divergence (Gluon ``KLDivLoss``), summed over non-batch axes.

    :math:`\sum label\,(\log(label + 10^{-12}) - pred)` where ``pred`` holds
    log-probabilities (``from_logits=True``) or logits (a ``log_softmax``
    over ``axis`` is applied first).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> p = jnp.log(jnp.array([[0.5, 0.5]]))
        >>> round(float(losses.kl_div(p, jnp.array([[0.5, 0.5]]))[0]), 6)
        0.0
    """
    name = "kl_div"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    if not from_logits:
        pred = jax.nn.log_softmax(pred, axis=axis)
    loss = label * (jnp.log(label + 1e-12) - pred)
    return _batch_sum(_weighting(name, loss, weight, sample_weight), batch_axis)


def hinge_loss(pred, label, margin=1, weight=None, sample_weight=None, batch_axis=0) -> jax.Array:
    r"""Hinge loss (Gluon ``HingeLoss``): ``mean(relu(margin - pred * label))``, labels in {-1, 1}.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.hinge_loss(jnp.array([[0.5, 2.0]]), jnp.array([[1.0, 1.0]])).tolist()
        [0.25]
    """
    name = "hinge_loss"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    loss = jax.nn.relu(margin - pred * label)
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


def squared_hinge_loss(
    pred, label, margin=1, weight=None, sample_weight=None, batch_axis=0
) -> jax.Array:
    r"""Squared hinge loss (Gluon ``SquaredHingeLoss``): ``mean(relu(margin - pred*label)^2)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.squared_hinge_loss(jnp.array([[0.5, 2.0]]), jnp.ones((1, 2))).tolist()
        [0.125]
    """
    name = "squared_hinge_loss"
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    loss = jnp.square(jax.nn.relu(margin - pred * label))
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


def logistic_loss(
    pred, label, label_format="signed", weight=None, sample_weight=None, batch_axis=0
) -> jax.Array:
    r"""Logistic loss (Gluon ``LogisticLoss``) on logits, labels signed (-1/1) or binary (0/1).

    Raises:
        ValueError: if ``label_format`` is not ``'signed'`` or ``'binary'``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.logistic_loss(jnp.zeros((1, 1)), -jnp.ones((1, 1)))[0]), 4)
        0.6931
    """
    name = "logistic_loss"
    if label_format not in ("signed", "binary"):
        raise ValueError(f"{name}: label_format must be 'signed' or 'binary', got {label_format!r}")
    pred = _as_array(name, "pred", pred)
    label = _like(name, "label", _as_array(name, "label", label), pred)
    if label_format == "signed":
        label = (label + 1.0) / 2.0
    loss = jax.nn.relu(pred) - pred * label + jax.nn.softplus(-jnp.abs(pred))
    return _batch_mean(_weighting(name, loss, weight, sample_weight), batch_axis)


# --------------------------------------------------------------------------- embeddings


def triplet_loss(
    pred, positive, negative, margin=1, weight=None, sample_weight=None, batch_axis=0
) -> jax.Array:
    r"""Triplet loss (Gluon ``TripletLoss``).

    :math:`\mathrm{relu}(\sum (positive - pred)^2 - \sum (negative - pred)^2 + margin)`,
    sums over non-batch axes.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> a = jnp.zeros((1, 2))
        >>> losses.triplet_loss(a, jnp.ones((1, 2)), 2 * jnp.ones((1, 2))).tolist()
        [0.0]
    """
    name = "triplet_loss"
    pred = _as_array(name, "pred", pred)
    positive = _like(name, "positive", _as_array(name, "positive", positive), pred)
    negative = _like(name, "negative", _as_array(name, "negative", negative), pred)
    loss = _batch_sum(jnp.square(positive - pred) - jnp.square(negative - pred), batch_axis)
    loss = jax.nn.relu(loss + margin)
    return _weighting(name, loss, weight, sample_weight)


def cosine_embedding_loss(
    input1, input2, label, margin=0, weight=None, sample_weight=None, batch_axis=0
) -> jax.Array:
    r"""Cosine embedding loss (Gluon ``CosineEmbeddingLoss``), labels in {-1, 1}.

    ``1 - cos(x1, x2)`` for label 1, ``max(0, cos(x1, x2) - margin)`` for
    label -1 (cosine over the last axis, denominator clipped at 1e-12).

    Returns:
        An array of shape ``(batch, 1)``, as in Gluon.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> x = jnp.array([[1.0, 0.0]])
        >>> losses.cosine_embedding_loss(x, x, jnp.array([1.0])).tolist()
        [[0.0]]
    """
    del batch_axis
    name = "cosine_embedding_loss"
    input2 = _as_array(name, "input2", input2)
    input1 = _like(name, "input1", _as_array(name, "input1", input1), input2, "input2")
    label = _as_array(name, "label", label).reshape((-1, 1))

    def norm(x):
        return jnp.sqrt(jnp.maximum(jnp.sum(jnp.square(x), axis=-1), 1e-30)).reshape((-1, 1))

    dot = jnp.sum(input1 * input2, axis=-1).reshape((-1, 1))
    if dot.shape[0] != label.shape[0]:
        raise ValueError(
            f"{name}: `label` has {label.shape[0]} elements but the inputs of shape "
            f"{tuple(input2.shape)} hold {dot.shape[0]} vectors"
        )
    cos = dot / jnp.maximum(norm(input1) * norm(input2), 1e-12)
    loss = (1 - cos) * (label == 1) + jnp.maximum(0.0, (label == -1) * (cos - margin))
    return _weighting(name, loss, weight, sample_weight)


# --------------------------------------------------------------------------- sequences


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
        outside ``[0, C - 1)`` give NaN.

    Raises:
        ValueError: for a bad layout, mismatched shapes or a concrete label
            outside ``[0, C - 1)``.

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
    valid = _check_class_labels(name, checked, c - 1)
    if pred_lengths is None:
        logit_pad = jnp.zeros((n, t), pred.dtype)
    else:
        plen = jnp.asarray(pred_lengths).astype(jnp.int32).reshape((n, 1))
        logit_pad = (jnp.arange(t)[None, :] >= plen).astype(pred.dtype)
    loss = _ctc_core(pred, logit_pad, jnp.clip(checked, 0, c - 2), label_pad.astype(pred.dtype))
    if valid is not None:
        loss = jnp.where(jnp.all(valid, axis=1), loss, jnp.nan)
    return _weighting(name, loss, weight, sample_weight)


# --------------------------------------------------------------------------- Gluon-named objects


def _frozen(cls):
    return dataclasses.dataclass(frozen=True, eq=True, repr=True)(cls)


@_frozen
class L2Loss:
    """Gluon ``L2Loss``: see :func:`l2_loss`. ``loss(pred, label, sample_weight=None)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.L2Loss()(jnp.ones((2, 3)), jnp.zeros((2, 3))).tolist()
        [0.5, 0.5]
    """

    weight: Any = 1.0
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return l2_loss(pred, label, self.weight, sample_weight, self.batch_axis)


@_frozen
class L1Loss:
    """Gluon ``L1Loss``: see :func:`l1_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.L1Loss()(jnp.ones((2, 3)), jnp.zeros((2, 3))).tolist()
        [1.0, 1.0]
    """

    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return l1_loss(pred, label, self.weight, sample_weight, self.batch_axis)


@_frozen
class SigmoidBinaryCrossEntropyLoss:
    """Gluon ``SigmoidBinaryCrossEntropyLoss`` (alias ``SigmoidBCELoss``): see
    :func:`sigmoid_binary_cross_entropy`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.SigmoidBCELoss()(jnp.zeros((1, 2)), jnp.ones((1, 2)))
        >>> round(float(l[0]), 4)
        0.6931
    """

    from_sigmoid: bool = False
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None, pos_weight=None):
        return sigmoid_binary_cross_entropy(
            pred, label, self.from_sigmoid, pos_weight, self.weight, sample_weight, self.batch_axis
        )


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


@_frozen
class SoftmaxCrossEntropyLoss:
    """Gluon ``SoftmaxCrossEntropyLoss`` (alias ``SoftmaxCELoss``): see
    :func:`softmax_cross_entropy`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.SoftmaxCELoss()(jnp.zeros((1, 2)), jnp.array([1]))
        >>> round(float(l[0]), 4)
        0.6931
    """

    axis: int = -1
    sparse_label: bool = True
    from_logits: bool = False
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return softmax_cross_entropy(
            pred,
            label,
            self.axis,
            self.sparse_label,
            self.from_logits,
            self.weight,
            sample_weight,
            self.batch_axis,
        )


SoftmaxCELoss = SoftmaxCrossEntropyLoss


@_frozen
class KLDivLoss:
    """Gluon ``KLDivLoss``: see :func:`kl_div`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> p = jnp.log(jnp.full((1, 2), 0.5))
        >>> round(float(losses.KLDivLoss()(p, jnp.full((1, 2), 0.5))[0]), 6)
        0.0
    """

    from_logits: bool = True
    axis: int = -1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return kl_div(
            pred, label, self.from_logits, self.axis, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class CTCLoss:
    """Gluon ``CTCLoss``: see :func:`ctc_loss`.

    ``loss(pred, label, pred_lengths=None, label_lengths=None, sample_weight=None)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.CTCLoss()(jnp.zeros((1, 2, 3)), jnp.array([[0, -1]]))[0]), 4)
        1.0986
    """

    layout: str = "NTC"
    label_layout: str = "NT"
    weight: Any = None

    def __post_init__(self):
        if self.layout not in ("NTC", "TNC"):
            raise ValueError(f"CTCLoss: layout must be 'NTC' or 'TNC', got {self.layout!r}")
        if self.label_layout not in ("NT", "TN"):
            raise ValueError(
                f"CTCLoss: label_layout must be 'NT' or 'TN', got {self.label_layout!r}"
            )

    def __call__(self, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None):
        return ctc_loss(
            pred,
            label,
            pred_lengths,
            label_lengths,
            self.layout,
            self.label_layout,
            self.weight,
            sample_weight,
        )


@_frozen
class HuberLoss:
    """Gluon ``HuberLoss``: see :func:`huber_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.HuberLoss(rho=1)(jnp.array([[3.0]]), jnp.zeros((1, 1))).tolist()
        [2.5]
    """

    rho: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return huber_loss(pred, label, self.rho, self.weight, sample_weight, self.batch_axis)


@_frozen
class HingeLoss:
    """Gluon ``HingeLoss``: see :func:`hinge_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.HingeLoss()(jnp.array([[0.5]]), jnp.ones((1, 1))).tolist()
        [0.5]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return hinge_loss(pred, label, self.margin, self.weight, sample_weight, self.batch_axis)


@_frozen
class SquaredHingeLoss:
    """Gluon ``SquaredHingeLoss``: see :func:`squared_hinge_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> losses.SquaredHingeLoss()(jnp.array([[0.5]]), jnp.ones((1, 1))).tolist()
        [0.25]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, label, sample_weight=None):
        return squared_hinge_loss(
            pred, label, self.margin, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class LogisticLoss:
    """Gluon ``LogisticLoss``: see :func:`logistic_loss`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> l = losses.LogisticLoss(label_format="binary")(jnp.zeros((1, 1)), jnp.ones((1, 1)))
        >>> round(float(l[0]), 4)
        0.6931
    """

    weight: Any = None
    batch_axis: int = 0
    label_format: str = "signed"

    def __post_init__(self):
        if self.label_format not in ("signed", "binary"):
            raise ValueError(
                f"LogisticLoss: label_format must be 'signed' or 'binary', "
                f"got {self.label_format!r}"
            )

    def __call__(self, pred, label, sample_weight=None):
        return logistic_loss(
            pred, label, self.label_format, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class TripletLoss:
    """Gluon ``TripletLoss``: see :func:`triplet_loss`. ``loss(pred, positive, negative)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> z = jnp.zeros((1, 2))
        >>> losses.TripletLoss()(z, z, z).tolist()
        [1.0]
    """

    margin: float = 1
    weight: Any = None
    batch_axis: int = 0

    def __call__(self, pred, positive, negative, sample_weight=None):
        return triplet_loss(
            pred, positive, negative, self.margin, self.weight, sample_weight, self.batch_axis
        )


@_frozen
class PoissonNLLLoss:
    """Gluon ``PoissonNLLLoss``: see :func:`poisson_nll_loss` (returns a scalar, as Gluon).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> round(float(losses.PoissonNLLLoss()(jnp.zeros((2, 1)), jnp.ones((2, 1)))), 4)
        1.0
    """

    weight: Any = None
    from_logits: bool = True
    batch_axis: int = 0
    compute_full: bool = False

    def __call__(self, pred, target, sample_weight=None, epsilon=1e-08):
        return poisson_nll_loss(
            pred,
            target,
            self.from_logits,
            self.compute_full,
            epsilon,
            self.weight,
            sample_weight,
            self.batch_axis,
        )


@_frozen
class CosineEmbeddingLoss:
    """Gluon ``CosineEmbeddingLoss``: see :func:`cosine_embedding_loss`.

    ``loss(input1, input2, label, sample_weight=None)``, output ``(batch, 1)``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> x = jnp.array([[1.0, 0.0]])
        >>> losses.CosineEmbeddingLoss()(x, -x, jnp.array([-1.0])).tolist()
        [[0.0]]
    """

    weight: Any = None
    batch_axis: int = 0
    margin: float = 0

    def __call__(self, input1, input2, label, sample_weight=None):
        return cosine_embedding_loss(
            input1, input2, label, self.margin, self.weight, sample_weight, self.batch_axis
        )


_LOSS_CLASSES = (
    L1Loss,
    L2Loss,
    SigmoidBinaryCrossEntropyLoss,
    SoftmaxCrossEntropyLoss,
    KLDivLoss,
    CTCLoss,
    HuberLoss,
    HingeLoss,
    SquaredHingeLoss,
    LogisticLoss,
    TripletLoss,
    PoissonNLLLoss,
    CosineEmbeddingLoss,
)

_ALIASES = {
    "l1": L1Loss,
    "l1_loss": L1Loss,
    "mae": L1Loss,
    "mean_absolute_error": L1Loss,
    "l2": L2Loss,
    "l2_loss": L2Loss,
    "mse": lambda: L2Loss(weight=2.0),
    "mean_squared_error": lambda: L2Loss(weight=2.0),
    "softmax_cross_entropy": SoftmaxCrossEntropyLoss,
    "softmax_ce": SoftmaxCrossEntropyLoss,
    "softmaxce": SoftmaxCrossEntropyLoss,
    "sparse_categorical_crossentropy": SoftmaxCrossEntropyLoss,
    "categorical_crossentropy": lambda: SoftmaxCrossEntropyLoss(sparse_label=False),
    "sigmoid_binary_cross_entropy": SigmoidBinaryCrossEntropyLoss,
    "sigmoid_bce": SigmoidBinaryCrossEntropyLoss,
    "sigmoidbce": SigmoidBinaryCrossEntropyLoss,
    "binary_crossentropy": SigmoidBinaryCrossEntropyLoss,
    "kl_div": KLDivLoss,
    "kldiv": KLDivLoss,
    "ctc": CTCLoss,
    "ctc_loss": CTCLoss,
    "huber": HuberLoss,
    "huber_loss": HuberLoss,
    "hinge": HingeLoss,
    "hinge_loss": HingeLoss,
    "squared_hinge": SquaredHingeLoss,
    "squared_hinge_loss": SquaredHingeLoss,
    "logistic": LogisticLoss,
    "logistic_loss": LogisticLoss,
    "triplet": TripletLoss,
    "triplet_loss": TripletLoss,
    "poisson_nll": PoissonNLLLoss,
    "poisson_nll_loss": PoissonNLLLoss,
    "cosine_embedding": CosineEmbeddingLoss,
    "cosine_embedding_loss": CosineEmbeddingLoss,
}
for _cls in _LOSS_CLASSES:
    _ALIASES.setdefault(_cls.__name__.lower(), _cls)
_ALIASES["softmaxceloss"] = SoftmaxCrossEntropyLoss
_ALIASES["sigmoidbceloss"] = SigmoidBinaryCrossEntropyLoss


def get(name: Any) -> Any:
    """Returns a loss object for a name (Keras-style ``compile(loss=...)``).

    Names are case-insensitive: the snake-case function names
    (``'softmax_cross_entropy'``, ``'l2_loss'``…), short names (``'l1'``,
    ``'l2'``, ``'huber'``…), Gluon class names (``'SoftmaxCELoss'``) and the
    Keras names ``'mse'`` (true mean squared error, i.e. ``L2Loss(weight=2)``),
    ``'mae'``, ``'sparse_categorical_crossentropy'``, ``'categorical_crossentropy'``
    and ``'binary_crossentropy'`` (on logits). A loss object or any other
    callable is returned unchanged.

    Raises:
        ValueError: for an unknown name, listing the accepted ones.
        TypeError: for something that is neither a string nor callable.

    Examples:
        >>> from mxjax import losses
        >>> losses.get("softmax_cross_entropy")
        SoftmaxCrossEntropyLoss(axis=-1, sparse_label=True, from_logits=False, weight=None, batch_axis=0)
        >>> losses.get("mse")
        L2Loss(weight=2.0, batch_axis=0)
    """
    if isinstance(name, str):
        factory = _ALIASES.get(name.lower())
        if factory is None:
            raise ValueError(
                f"losses.get: unknown loss name {name!r}; expected one of {sorted(_ALIASES)}"
            )
        return factory()
    if callable(name):
        return name
    raise TypeError(
        f"losses.get: expected a loss name or a callable loss, got {type(name).__name__} {name!r}"
    )
