"""Classification losses: softmax/sigmoid cross entropy, KL divergence, hinge, logistic."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from mxjax._src.losses._common import (
    _as_array,
    _batch_mean,
    _batch_sum,
    _check_class_labels,
    _like,
    _weighting,
)

__all__ = [
    "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "kl_div",
    "hinge_loss",
    "squared_hinge_loss",
    "logistic_loss",
]


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
