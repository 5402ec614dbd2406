"""Small pure ops shared by layers, losses and the facade."""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

__all__ = [
    "ACTIVATIONS",
    "activation_fn",
    "expand_to",
    "log_softmax",
    "sequence_last",
    "sequence_mask",
    "sequence_reverse",
    "softmax",
    "softrelu",
    "softsign",
]


def softrelu(x: jax.Array) -> jax.Array:
    """MXNet's ``softrelu``: ``log(1 + exp(x))``, computed stably.

    Examples:
        >>> from mxjax import ops
        >>> round(float(ops.softrelu(0.0)), 4)
        0.6931
    """
    return jax.nn.softplus(x)


def softsign(x: jax.Array) -> jax.Array:
    """``x / (1 + |x|)``.

    Examples:
        >>> from mxjax import ops
        >>> float(ops.softsign(1.0))
        0.5
    """
    return x / (1 + jnp.abs(x))


def softmax(x: jax.Array) -> jax.Array:
    """Softmax over the last axis (Keras's ``activation='softmax'``).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import ops
        >>> ops.softmax(jnp.zeros(4)).tolist()
        [0.25, 0.25, 0.25, 0.25]
    """
    return jax.nn.softmax(x, axis=-1)


def log_softmax(x: jax.Array) -> jax.Array:
    """Log-softmax over the last axis (Keras's ``activation='log_softmax'``).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import ops
        >>> round(float(ops.log_softmax(jnp.zeros(2))[0]), 4)
        -0.6931
    """
    return jax.nn.log_softmax(x, axis=-1)


#: Activations by name: MXNet's five, plus ``'softmax'`` and ``'log_softmax'``
#: over the last axis (Keras's names, for ``Dense(10, activation='softmax')``).
ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
    "softrelu": softrelu,
    "softsign": softsign,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def activation_fn(name: str | None, owner: str = "activation") -> Callable[[jax.Array], jax.Array]:
    """Returns the activation function for an MXNet activation name (None is identity).

    Raises:
        ValueError: naming ``owner`` and the accepted names.

    Examples:
        >>> from mxjax import ops
        >>> float(ops.activation_fn("relu")(-1.0))
        0.0
    """
    if name is None:
        return lambda x: x
    if callable(name):
        return name
    fn = ACTIVATIONS.get(name)
    if fn is None:
        raise ValueError(
            f"{owner}: unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)} or None"
        )
    return fn


def expand_to(v: jax.Array, ndim: int, axis: int) -> jax.Array:
    """Reshapes a 1-D ``v`` so it broadcasts along ``axis`` of an ``ndim`` array.

    Layers never rely on implicit rank promotion (the test suite runs with
    ``jax_numpy_rank_promotion='raise'``); this makes the broadcast explicit.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import ops
        >>> ops.expand_to(jnp.ones(3), 4, 1).shape
        (1, 3, 1, 1)
    """
    axis = axis % ndim
    shape = [1] * ndim
    shape[axis] = v.shape[0]
    return v.reshape(shape)


# ------------------------------------------------ MXNet's Sequence* operators
def _length_mask(data: jax.Array, lengths: jax.Array, axis: int) -> jax.Array:
    """``(T, N)`` or ``(N, T)`` booleans: step ``t`` of sample ``n`` is within its length."""
    t = jnp.arange(data.shape[axis]).reshape(-1, 1)
    keep = t < jnp.asarray(lengths).astype(jnp.int32).reshape(1, -1)  # (T, N)
    keep = keep if axis == 0 else keep.T
    return keep.reshape(keep.shape + (1,) * (data.ndim - 2))


def sequence_mask(
    data: jax.Array, lengths: jax.Array | None, value: float = 0.0, axis: int = 0
) -> jax.Array:
    """MXNet's ``SequenceMask``: steps at or past each sample's length become ``value``.

    ``data`` is ``(T, N, ...)`` (``axis=0``) or ``(N, T, ...)`` (``axis=1``);
    ``lengths`` is ``(N,)`` (None: nothing is masked).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax._src.ops import sequence_mask
        >>> sequence_mask(jnp.ones((3, 2)), jnp.array([1, 3])).tolist()
        [[1.0, 1.0], [0.0, 1.0], [0.0, 1.0]]
    """
    if lengths is None:
        return data
    return jnp.where(_length_mask(data, lengths, axis), data, jnp.asarray(value, data.dtype))


def sequence_reverse(data: jax.Array, lengths: jax.Array | None) -> jax.Array:
    """MXNet's ``SequenceReverse`` over ``(T, N, ...)``: each sample's first ``length`` steps
    reversed, later steps left in place (None: the whole time axis reversed).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax._src.ops import sequence_reverse
        >>> sequence_reverse(jnp.arange(3.0).reshape(3, 1), jnp.array([2])).ravel().tolist()
        [1.0, 0.0, 2.0]
    """
    if lengths is None:
        return jnp.flip(data, 0)
    n = jnp.asarray(lengths).astype(jnp.int32).reshape(1, -1)
    t = jnp.arange(data.shape[0]).reshape(-1, 1)
    src = jnp.where(t < n, n - 1 - t, t)  # (T, N)
    return jnp.take_along_axis(data, src.reshape(src.shape + (1,) * (data.ndim - 2)), axis=0)


def sequence_last(data: jax.Array, lengths: jax.Array | None, axis: int = 0) -> jax.Array:
    """MXNet's ``SequenceLast``: each sample's step ``length - 1`` (the last step when None).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax._src.ops import sequence_last
        >>> sequence_last(jnp.arange(6.0).reshape(3, 2), jnp.array([1, 3])).tolist()
        [0.0, 5.0]
    """
    if axis == 1:
        data = jnp.swapaxes(data, 0, 1)
    if lengths is None:
        return data[-1]
    last = jnp.clip(jnp.asarray(lengths).astype(jnp.int32) - 1, 0, data.shape[0] - 1)
    return data[last, jnp.arange(data.shape[1])]
