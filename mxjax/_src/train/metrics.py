"""Jittable metrics accumulated inside the train/eval step as (sum, count) pairs.

Every metric here is one of the shared functions of
:mod:`mxjax._src.metric.functions`, the same ones the ``mx.metric`` classes
run on the host, so ``fit``, ``evaluate``, the Estimator and ``mx.metric``
report the same number for the same predictions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mxjax._src.metric import functions as F

__all__ = ["STEP_METRICS", "binary_threshold", "resolve_metrics"]


def _per_sample(x):
    return x.reshape(x.shape[0], -1).mean(axis=1)


def accuracy(pred, label, threshold: float = 0.5):
    """Per-sample accuracy (see :mod:`mxjax._src.metric.functions` for the rules).

    Single-score predictions (``(N,)`` or ``(N, 1)``) are class 1 when above
    ``threshold``: 0.5 for probabilities; ``fit`` uses 0 when the loss is a
    sigmoid cross-entropy on logits (see :func:`binary_threshold`).
    """
    return _per_sample(F.accuracy(pred, label, -1, threshold))


def top_k_accuracy(k: int) -> Callable:
    """Per-sample top-``k`` accuracy of class scores ``(N, C)``."""

    def fn(pred, label):
        return F.top_k_accuracy(pred, label, k)

    fn.__name__ = f"top_{k}_accuracy"
    return fn


def mse(pred, label):
    """Per-sample mean squared error (MXNet's ``MSE`` of one batch is the mean of these)."""
    return F.squared_error(pred, label)


def mae(pred, label):
    """Per-sample mean absolute error."""
    return F.absolute_error(pred, label)


def cross_entropy(pred, label):
    """Per-sample ``-log p[label]`` of predicted probabilities (MXNet's ``CrossEntropy``)."""
    return F.cross_entropy(pred, label)


STEP_METRICS: dict[str, Callable] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mse": mse,
    "mae": mae,
    "top_k_accuracy": top_k_accuracy(5),
    "cross-entropy": cross_entropy,
    "ce": cross_entropy,
}
_CANONICAL = {"acc": "accuracy", "ce": "cross-entropy"}


def binary_threshold(loss_fn) -> float:
    """The threshold ``'accuracy'`` applies to single-score predictions, fixed by the loss.

    0.0 when the loss is a sigmoid binary cross-entropy on logits
    (``from_sigmoid=False``); 0.5 (probabilities) for every other loss. It
    never depends on the values in a batch.

    Examples:
        >>> from mxjax import losses
        >>> from mxjax.train import binary_threshold
        >>> binary_threshold(losses.SigmoidBinaryCrossEntropyLoss()), binary_threshold(losses.l2_loss)
        (0.0, 0.5)
    """
    from mxjax import losses

    if isinstance(loss_fn, losses.SigmoidBinaryCrossEntropyLoss) and not loss_fn.from_sigmoid:
        return 0.0
    return 0.5


def _from_eval_metric(m, threshold: float) -> tuple[str, Callable]:
    """The jittable twin of an ``mx.metric`` object (its own settings win)."""
    cls = type(m).__name__
    if cls == "Accuracy":
        own = getattr(m, "threshold", None)
        axis = int(getattr(m, "axis", 1))

        def acc(pred, label):
            return _per_sample(F.accuracy(pred, label, axis, own))

        return m.name, acc
    if cls == "TopKAccuracy":
        return m.name, top_k_accuracy(int(m.top_k))
    if cls in ("MSE", "MAE"):
        return m.name, STEP_METRICS[cls.lower()]
    if cls in ("CrossEntropy", "NegativeLogLikelihood"):
        eps = float(getattr(m, "eps", 1e-12))
        return m.name, lambda pred, label: F.cross_entropy(pred, label, eps)
    raise ValueError(
        f"metric {m.name!r} ({cls}) has no jittable counterpart for fit(); use one of "
        f"{sorted(STEP_METRICS)}, an Accuracy/TopKAccuracy/MSE/MAE/CrossEntropy object or a callable"
    )


def resolve_metrics(metrics, loss_fn=None) -> dict[str, Callable]:
    """Maps metric specs (names, EvalMetric objects, callables) to jittable per-sample fns.

    ``loss_fn`` fixes the binary-accuracy threshold (:func:`binary_threshold`).

    Raises:
        ValueError: for an unknown metric name.
        TypeError: for an unsupported object.

    Examples:
        >>> from mxjax.train import resolve_metrics
        >>> sorted(resolve_metrics(["acc", "mse"]))
        ['accuracy', 'mse']
    """
    threshold = binary_threshold(loss_fn)
    out: dict[str, Callable] = {}
    for m in metrics or ():
        if isinstance(m, str):
            key = m.lower()
            if key not in STEP_METRICS:
                raise ValueError(
                    f"Unknown metric {m!r}; expected one of {sorted(STEP_METRICS)} or a callable"
                )
            fn = STEP_METRICS[key]
            if fn is accuracy:
                fn = functools.partial(accuracy, threshold=threshold)
            out[_CANONICAL.get(key, key)] = fn
        elif hasattr(m, "get") and hasattr(m, "update") and hasattr(m, "name"):
            name, fn = _from_eval_metric(m, threshold)
            out[name] = fn
        elif callable(m):
            out[getattr(m, "__name__", f"metric{len(out)}")] = m
        else:
            raise TypeError(
                f"metrics must be names, EvalMetric objects or callables; received {type(m).__name__}"
            )
    return out
