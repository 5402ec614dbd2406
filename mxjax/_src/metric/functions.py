"""Metric functions shared by the jitted train step and ``mx.metric``: one definition each.

Each function returns one value per element of the label (a hit, a squared
error ...), written once over an array namespace ``xp``: ``jax.numpy`` inside
the compiled step (summed into ``(sum, count)`` states), NumPy in float64 in
the ``mx.metric`` classes, which are host-side views of the same functions.

Accuracy rules (fixed; never decided by the values in a batch):

* ``pred`` with the label's shape plus a class axis: ``argmax`` over ``axis``.
* ``pred`` and ``label`` of one shape with more than one class on ``axis``
  (one-hot labels): ``argmax`` of both.
* one value per label (``(N,)`` or ``(N, 1)``): with ``threshold=None`` the
  values are predicted labels (cast to int, MXNet's rule); with a threshold
  they are binary scores and ``pred > threshold`` is class 1. ``fit`` takes
  the threshold from the loss: 0 for ``SigmoidBinaryCrossEntropyLoss`` on
  logits (``from_sigmoid=False``), else 0.5 (probabilities).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["absolute_error", "accuracy", "cross_entropy", "squared_error", "top_k_accuracy"]


def _int(xp, a):
    return a.astype(xp.int32)


def accuracy(pred, label, axis: int = -1, threshold: float | None = None, xp=jnp):
    """1.0/0.0 per label element (see the module's rules).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.metric.functions import accuracy
        >>> accuracy(np.array([[0.2, 0.8], [0.9, 0.1]]), np.array([1, 1]), xp=np).tolist()
        [1.0, 0.0]
        >>> accuracy(np.array([0.3, 0.8]), np.array([1, 1]), threshold=0.5, xp=np).tolist()
        [0.0, 1.0]
    """
    nd = pred.ndim
    ax = axis % nd if nd else 0
    flt = jnp.float32 if xp is jnp else np.float64
    if pred.shape == label.shape and nd >= 2 and pred.shape[ax] > 1:  # one-hot labels
        hit = _int(xp, xp.argmax(pred, axis=axis)) == _int(xp, xp.argmax(label, axis=axis))
        return hit.astype(flt)
    if nd and pred.shape[ax] > 1 and pred.size == label.size * pred.shape[ax]:  # class scores
        best = _int(xp, xp.argmax(pred, axis=axis)).reshape(label.shape)
        return (best == _int(xp, label)).astype(flt)
    if pred.size != label.size:
        raise ValueError(
            f"accuracy: predictions of shape {tuple(pred.shape)} do not match labels of shape "
            f"{tuple(label.shape)} (expected the label shape, or it plus a class axis)"
        )
    p = pred.reshape(label.shape)
    if threshold is None:
        hit = _int(xp, p) == _int(xp, label)
    else:
        hit = (p > threshold) == (label > 0.5)
    return hit.astype(flt)


def top_k_accuracy(pred, label, k: int, xp=jnp):
    """1.0 where the label is among the ``k`` highest of ``pred`` (N, C), per sample.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.metric.functions import top_k_accuracy
        >>> top_k_accuracy(np.array([[0.1, 0.5, 0.4]]), np.array([2]), 2, xp=np).tolist()
        [1.0]
    """
    k = min(int(k), pred.shape[-1])
    lab = _int(xp, label).reshape(pred.shape[0], 1)
    if xp is jnp:
        top = jax.lax.top_k(pred, k)[1]
        return jnp.any(top == lab, axis=-1).astype(jnp.float32)
    top = np.argpartition(pred.astype(np.float32), -k, axis=-1)[:, -k:]
    return np.any(top == lab, axis=-1).astype(np.float64)


def _diff(pred, label, xp):
    if label.ndim == 1:
        label = label.reshape(label.shape[0], 1)
    if pred.ndim == 1:
        pred = pred.reshape(pred.shape[0], 1)
    if label.ndim != pred.ndim:
        raise ValueError(
            f"label shape {tuple(label.shape)} and prediction shape {tuple(pred.shape)} "
            "do not broadcast"
        )
    return label - pred


def _per_sample(x):
    return x.reshape(x.shape[0], -1).mean(axis=1)


def squared_error(pred, label, xp=jnp):
    """Per-sample mean of ``(label - pred) ** 2`` (a ``(N,)`` side is read as ``(N, 1)``).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.metric.functions import squared_error
        >>> squared_error(np.array([2.5, 0.0]), np.array([3.0, -0.5]), xp=np).tolist()
        [0.25, 0.25]
    """
    return _per_sample(_diff(pred, label, xp) ** 2)


def absolute_error(pred, label, xp=jnp):
    """Per-sample mean of ``|label - pred|``.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.metric.functions import absolute_error
        >>> absolute_error(np.array([2.5, 0.0]), np.array([3.0, -0.5]), xp=np).tolist()
        [0.5, 0.5]
    """
    return _per_sample(xp.abs(_diff(pred, label, xp)))


def cross_entropy(pred, label, eps: float = 1e-12, xp=jnp):
    """Per-sample ``-log(pred[i, label[i]] + eps)`` of probabilities ``(N, C)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.metric.functions import cross_entropy
        >>> round(float(cross_entropy(np.array([[0.5, 0.5]]), np.array([1]), xp=np)[0]), 6)
        0.693147
    """
    idx = _int(xp, label.reshape(-1))
    prob = xp.take_along_axis(pred, idx[:, None], axis=1)[:, 0]
    return -xp.log(prob + eps)
