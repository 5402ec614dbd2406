"""Jittable metrics accumulated inside the train/eval step as (sum, count) pairs."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

__all__ = ["STEP_METRICS", "resolve_metrics"]


def _labels_like(pred, label):
    if label.ndim == pred.ndim and pred.ndim >= 2 and label.shape == pred.shape:
        return jnp.argmax(label, axis=-1)  # one-hot labels
    return label.reshape(pred.shape[:-1]) if pred.ndim >= 2 else label


def accuracy(pred, label):
    """Per-sample 1/0 for argmax(pred, -1) == label (labels may be one-hot)."""
    if pred.ndim == 1 or pred.shape[-1] == 1:  # binary probability/logit
        p = pred.reshape(pred.shape[0])
        threshold = jnp.where(jnp.all((p >= 0) & (p <= 1)), 0.5, 0.0)  # probabilities or logits
        return ((p > threshold) == (label.reshape(p.shape) > 0.5)).astype(jnp.float32)
    hit = jnp.argmax(pred, axis=-1) == _labels_like(pred, label).astype(jnp.int32)
    return hit.reshape(hit.shape[0], -1).mean(axis=1).astype(jnp.float32)


def top_k_accuracy(k: int) -> Callable:
    def fn(pred, label):
        lab = _labels_like(pred, label).astype(jnp.int32)
        topk = jax.lax.top_k(pred, k)[1]
        return (
            jnp.any(topk == lab[..., None], axis=-1)
            .astype(jnp.float32)
            .reshape(pred.shape[0], -1)
            .mean(axis=1)
        )

    fn.__name__ = f"top_{k}_accuracy"
    return fn


def _per_sample(x):
    return x.reshape(x.shape[0], -1).mean(axis=1)


def mse(pred, label):
    return _per_sample((pred - label.reshape(pred.shape)) ** 2)


def mae(pred, label):
    return _per_sample(jnp.abs(pred - label.reshape(pred.shape)))


STEP_METRICS: dict[str, Callable] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mse": mse,
    "mae": mae,
    "top_k_accuracy": top_k_accuracy(5),
}


def resolve_metrics(metrics) -> dict[str, Callable]:
    """Maps metric specs (names, EvalMetric objects, callables) to jittable per-sample fns.

    Raises:
        ValueError: for an unknown metric name.
        TypeError: for an unsupported object.

    Examples:
        >>> from mxjax.train import resolve_metrics
        >>> sorted(resolve_metrics(["acc", "mse"]))
        ['accuracy', 'mse']
    """
    out: dict[str, Callable] = {}
    for m in metrics or ():
        if isinstance(m, str):
            key = m.lower()
            if key not in STEP_METRICS:
                raise ValueError(
                    f"Unknown metric {m!r}; expected one of {sorted(STEP_METRICS)} or a callable"
                )
            name = "accuracy" if key in ("acc", "accuracy") else key
            out[name] = STEP_METRICS[key]
        elif hasattr(m, "get") and hasattr(m, "update") and hasattr(m, "name"):
            # An mx.metric.EvalMetric: use its jittable twin by name.
            name = str(m.name).lower()
            if name.startswith("top_k_accuracy"):
                out[m.name] = top_k_accuracy(int(getattr(m, "top_k", 5)))
            elif name in STEP_METRICS:
                out[m.name] = STEP_METRICS[name]
            else:
                raise ValueError(
                    f"metric {m.name!r} has no jittable counterpart for fit(); use one of {sorted(STEP_METRICS)}"
                )
        elif callable(m):
            out[getattr(m, "__name__", f"metric{len(out)}")] = m
        else:
            raise TypeError(
                f"metrics must be names, EvalMetric objects or callables; received {type(m).__name__}"
            )
    return out
