"""Embedding losses: triplet and cosine embedding."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src.losses._common import (
    _as_array,
    _batch_sum,
    _like,
    _weighting,
)

__all__ = ["triplet_loss", "cosine_embedding_loss", "sdml_loss"]


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


def sdml_loss(x1, x2, smoothing_parameter=0.3, weight=None, sample_weight=None) -> jax.Array:
    r"""Smoothed Deep Metric Learning loss (Gluon ``SDMLLoss``; Bonadiman et al., 2019).

    Row ``i`` of ``x1`` should be close to row ``i`` of ``x2`` and far from the other
    rows: with squared distances :math:`d_{ij}`, the loss of sample ``i`` is
    :math:`\sum_j q_{ij} (\log q_{ij} - \log\mathrm{softmax}_j(-d_{ij}))`, where the
    smoothed labels :math:`q` put ``1 - smoothing_parameter`` on the diagonal and
    spread ``smoothing_parameter`` over the other ``N - 1`` entries.

    Args:
        x1: ``(N, D)`` embeddings.
        x2: ``(N, D)`` embeddings paired with ``x1`` row by row.
        smoothing_parameter: probability mass given to the non-matching pairs.
        weight: global scalar weight, or None.
        sample_weight: ``(N,)`` per-sample weights, or None.

    Returns:
        An array of shape ``(N,)``.

    Raises:
        ValueError: for inputs that are not 2-D of the same shape, or ``N < 2``.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import losses
        >>> x = jnp.array([[0.0, 0.0], [5.0, 5.0]])
        >>> [round(v, 4) for v in losses.sdml_loss(x, x, smoothing_parameter=0.0).tolist()]
        [0.0, 0.0]
    """
    name = "sdml_loss"
    x1 = _as_array(name, "x1", x1)
    x2 = _as_array(name, "x2", x2)
    if x1.ndim != 2 or x1.shape != x2.shape or x1.shape[0] < 2:
        raise ValueError(
            f"{name}: x1 and x2 must be (N, D) arrays of the same shape with N >= 2; received "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    n = x1.shape[0]
    dist = jnp.sum(jnp.square(x1[:, None, :] - x2[None, :, :]), axis=2)
    logp = jax.nn.log_softmax(-dist, axis=1)
    eye = jnp.eye(n, dtype=logp.dtype)
    labels = eye * (1 - smoothing_parameter) + (1 - eye) * (smoothing_parameter / (n - 1))
    # Gluon: KLDivLoss(from_logits=True) (a mean over the row) times the batch size
    loss = jnp.sum(labels * (jnp.log(labels + 1e-12) - logp), axis=1)
    return _weighting(name, loss, weight, sample_weight)
