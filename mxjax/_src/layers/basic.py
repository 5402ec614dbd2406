"""Basic layers: Dropout, Embedding, Flatten, Lambda (Gluon 1.9.1 semantics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import ops as _ops
from mxjax._src.errors import describe
from mxjax._src.layers.base import Layer, layer

__all__ = ["Dropout", "Embedding", "Flatten", "Lambda"]


@layer
class Dropout(Layer):
    """Dropout (Srivastava et al., 2014) with inverted scaling.

    With ``train=True`` each element is zeroed with probability ``rate`` and
    the kept ones are scaled by ``1 / (1 - rate)``; with ``train=False`` the
    layer is the identity.

    Args:
        rate: the fraction of elements **dropped** (Gluon's meaning), in ``[0, 1)``.
        axes: axes along which the mask is shared (e.g. ``(2, 3)`` drops whole
            feature maps of an NCHW input).

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Raises:
        ValueError: for a rate outside ``[0, 1)``, a bad axis, or ``train=True``
            without a PRNG ``key``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> y, _ = L.Dropout(0.5).apply({}, {}, jnp.ones(4), key=jax.random.key(0), train=True)
        >>> sorted(set(y.tolist()) - {0.0, 2.0})
        []
    """

    rate: float
    axes: tuple[int, ...] = ()

    def __post_init__(self):
        r = self.rate
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 <= r < 1:
            raise ValueError(
                f"Dropout: rate is the fraction dropped and must be in [0, 1); received {r!r}"
            )
        axes = (self.axes,) if isinstance(self.axes, int) else tuple(self.axes)
        for a in axes:
            if isinstance(a, bool) or not isinstance(a, int):
                raise TypeError(f"Dropout: axes must be ints; received {self.axes!r}")
        object.__setattr__(self, "axes", axes)

    def init(self, key, x, initializer=None):
        self.check_input(x)
        return {}, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x)
        if not train or self.rate == 0:  # identity: no key needed
            return x, state
        self.require_key(key, train)
        shape = list(x.shape)
        for a in self.axes:
            if not -x.ndim <= a < x.ndim:
                raise ValueError(
                    f"Dropout: axis {a} in axes={self.axes} is out of range for input shape "
                    f"{tuple(x.shape)}"
                )
            shape[a % x.ndim] = 1
        keep = jax.random.bernoulli(key, 1.0 - self.rate, tuple(shape))
        keep = jnp.broadcast_to(keep, x.shape)
        scale = jnp.asarray(1.0 / (1.0 - self.rate), x.dtype)
        return jnp.where(keep, x * scale, jnp.zeros((), x.dtype)), state


def _is_tracer(x) -> bool:
    return isinstance(x, jax.core.Tracer)


@layer
class Embedding(Layer):
    """Turns integer indices into dense vectors: ``y[..., :] = weight[x[...], :]``.

    Out-of-range indices raise a ValueError when the input is concrete (eager
    calls). Inside ``jax.jit``/``vmap`` the values are unknown at trace time, so
    they are clipped to ``[0, input_dim - 1]`` (what MXNet's ``Embedding``
    operator does), never read out of bounds.

    Args:
        input_dim: vocabulary size.
        output_dim: embedding size.
        dtype: dtype of ``weight`` and of the output.
        weight_initializer: initializer of ``weight`` (None: the global one).
        sparse_grad: accepted for Gluon compatibility; gradients are dense.

    Inputs: integer indices of any shape (integral floats are accepted and cast,
    as MXNet does). Outputs: ``(*x.shape, output_dim)``.
    Parameters: ``weight (input_dim, output_dim)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> emb = L.Embedding(10, 4)
        >>> params, state = emb.init(jax.random.key(0), jnp.zeros((2, 3), "int32"))
        >>> emb.apply(params, state, jnp.array([[1, 2, 9]]))[0].shape
        (1, 3, 4)
    """

    input_dim: int
    output_dim: int
    dtype: str = "float32"
    weight_initializer: Any = None
    sparse_grad: bool = False

    def __post_init__(self):
        for name in ("input_dim", "output_dim"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"Embedding: {name} must be a positive int; received {v!r}")

    def _indices(self, x):
        if not hasattr(x, "dtype"):
            if isinstance(x, (int, list, tuple, np.integer)):
                x = jnp.asarray(x)
            else:
                raise TypeError(f"Embedding: expected integer indices; received {describe(x)}")
        if not (jnp.issubdtype(x.dtype, jnp.integer) or jnp.issubdtype(x.dtype, jnp.floating)):
            raise TypeError(
                f"Embedding: expected integer indices; received dtype {x.dtype} "
                f"(shape {tuple(x.shape)})"
            )
        if not _is_tracer(x):
            xs = np.asarray(x)
            if xs.size and (xs.min() < 0 or xs.max() >= self.input_dim):
                raise ValueError(
                    f"Embedding: indices must be in [0, {self.input_dim - 1}] (input_dim="
                    f"{self.input_dim}); received values in [{xs.min()}, {xs.max()}] "
                    f"(input shape {tuple(x.shape)})"
                )
        return x.astype(jnp.int32)

    def init(self, key, x, initializer=None):
        self._indices(x)
        w = self.make_param(
            key, "weight", (self.input_dim, self.output_dim), self.weight_initializer, initializer
        )
        return {"weight": w}, {}

    def apply(self, params, state, x, key=None, train=False):
        w = params["weight"]
        if int(w.shape[0]) != self.input_dim:
            raise ValueError(
                f"Embedding: weight has shape {tuple(w.shape)}; expected "
                f"({self.input_dim}, {self.output_dim})"
            )
        idx = self._indices(x)
        return jnp.take(w, idx, axis=0, mode="clip"), state


@layer
class Flatten(Layer):
    """Flattens all axes but the first: ``(N, d1, d2, ...) -> (N, d1 * d2 * ...)``.

    Inputs: at least 1-D. Outputs: ``(N, prod(rest))`` (``(N, 1)`` for 1-D input).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> L.Flatten().apply({}, {}, jnp.ones((2, 3, 4)))[0].shape
        (2, 12)
    """

    def init(self, key, x, initializer=None):
        self.check_input(x, min_ndim=1, floating=False)
        return {}, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=1, floating=False)
        return x.reshape(x.shape[0], -1), state


def _resolve(function: Any) -> Callable[..., Any]:
    if callable(function):
        return function
    fn = _ops.ACTIVATIONS.get(function)
    if fn is None and not function.startswith("_"):
        for module in (_ops, jnp, jax.nn):
            fn = getattr(module, function, None)
            if callable(fn):
                break
    if not callable(fn):
        raise ValueError(
            f"Lambda: function {function!r} is not an MXNet activation name nor a function of "
            "mxjax.ops, jax.numpy or jax.nn; pass a callable or a name such as 'tanh'"
        )
    return fn


@layer
class Lambda(Layer):
    """Wraps a parameter-free function as a layer (Gluon's ``Lambda``/``HybridLambda``).

    Args:
        function: a callable taking the inputs, or a name looked up as an MXNet
            activation (``'relu'``, ``'softrelu'``), then in :mod:`mxjax.ops`,
            :mod:`jax.numpy` and :mod:`jax.nn` (``'tanh'``, ``'log_softmax'``).
            It must be hashable (functions are), so the layer stays a valid
            static argument of ``jax.jit``.

    Inputs: whatever ``function`` accepts. Outputs: what it returns.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> L.Lambda("tanh").apply({}, {}, jnp.zeros(2))[0].tolist()
        [0.0, 0.0]
        >>> L.Lambda(lambda x: x * 2).apply({}, {}, jnp.ones(1))[0].tolist()
        [2.0]
    """

    function: Any

    def __post_init__(self):
        if not (callable(self.function) or isinstance(self.function, str)):
            raise TypeError(
                f"Lambda: function must be a callable or a function name; received "
                f"{describe(self.function)}"
            )
        try:
            hash(self.function)
        except TypeError:
            raise TypeError(
                f"Lambda: function must be hashable (a layer is a jit static argument); "
                f"received {describe(self.function)}"
            ) from None
        _resolve(self.function)

    def init(self, key, *inputs, initializer=None):
        return {}, {}

    def apply(self, params, state, *inputs, key=None, train=False):
        return _resolve(self.function)(*inputs), state
