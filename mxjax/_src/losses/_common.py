"""Argument checks and weighting shared by the loss functions."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__: list = []


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
