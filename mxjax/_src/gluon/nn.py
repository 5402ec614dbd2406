"""``gluon.nn``: Gluon's layer classes as thin Blocks over ``mxjax.layers``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block import Block, HybridBlock
from mxjax._src.gluon.core_block import CoreBlock
from mxjax._src.layers import activation as _act, basic as _basic, norm as _norm
from mxjax._src.layers.attention import MultiHeadAttention as _MHA
from mxjax._src.layers.dense import Dense as _Dense

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "Activation",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GroupNorm",
    "HybridLambda",
    "InstanceNorm",
    "Lambda",
    "LayerNorm",
    "LeakyReLU",
    "MultiHeadAttention",
    "PReLU",
    "Swish",
]


def input_size(owner: str, input_shape: Any, axis: int | None) -> int:
    """The input units/channels a Keras-style ``input_shape`` (without the batch axis) implies.

    ``axis`` picks the channel axis of ``input_shape``; None multiplies all
    (a flattening Dense).

    Raises:
        ValueError: ``input_shape`` is not a tuple of positive ints (of the right length).

    Examples:
        >>> from mxjax._src.gluon.nn import input_size
        >>> input_size("Dense", (1, 28, 28), None), input_size("Conv2D", (1, 28, 28), 0)
        (784, 1)
    """
    shape = (input_shape,) if isinstance(input_shape, int) else input_shape
    if not isinstance(shape, (tuple, list)) or not shape:
        raise ValueError(
            f"{owner}: input_shape must be a tuple of positive ints without the batch axis, "
            f"e.g. (784,); received {input_shape!r}"
        )
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(
            f"{owner}: input_shape must hold positive ints (no batch axis, no None); "
            f"received {input_shape!r}"
        )
    if axis is None:
        size = 1
        for d in shape:
            size *= d
        return size
    return int(shape[axis])


def _dtype_name(dtype: Any) -> str:
    """``'float32'`` for ``'float32'``, ``np.float32`` ...; 64-bit types are 32-bit without x64."""
    return jax.dtypes.canonicalize_dtype(jnp.dtype(dtype)).name


class Dense(CoreBlock):
    """Gluon ``nn.Dense``: ``activation(dot(x, weight.T) + bias)`` over ``layers.Dense``.

    Args:
        units: output size.
        activation: activation name or None.
        use_bias: add a bias.
        flatten: flatten all but the first input axis.
        dtype: parameter dtype.
        weight_initializer: initializer of ``weight``.
        bias_initializer: initializer of ``bias``.
        in_units: input size (0: inferred at the first forward).
        prefix: name prefix.
        params: shared ParameterDict.
        input_shape: Keras-style input shape without the batch axis (``(784,)``);
            sets ``in_units`` (all axes multiplied when ``flatten``, else the last).

    Inputs: ``(batch, ...)``. Outputs: ``(batch, units)`` (``flatten=True``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> layer = nn.Dense(3, in_units=4)
        >>> layer.weight.shape
        (3, 4)
        >>> layer.initialize()
        >>> layer(mx.nd.ones((2, 4))).shape
        (2, 3)
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        flatten: bool = True,
        dtype: Any = "float32",
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        in_units: int = 0,
        prefix: str | None = None,
        params: Any = None,
        input_shape: Any = None,
        **kwargs: Any,
    ):
        if input_shape is not None:
            implied = input_size("Dense", input_shape, None if flatten else -1)
            if in_units and in_units != implied:
                raise ValueError(
                    f"Dense: in_units={in_units} disagrees with input_shape={tuple(input_shape)} "
                    f"(which gives {implied}); pass one of them"
                )
            in_units = implied
        self._in_units = in_units
        self.input_shape = input_shape
        core = _Dense(
            units,
            activation,
            use_bias,
            flatten,
            _dtype_name(dtype),
            weight_initializer,
            bias_initializer,
            in_units,
        )
        super().__init__(core, prefix=prefix, params=params)

    def _in_size(self) -> int:
        return self._in_units

    def _probe_dtype(self) -> str:
        return self._core.dtype


class _NoParams(CoreBlock):
    def _has_params(self) -> bool:
        return False


class Activation(_NoParams):
    """Gluon ``nn.Activation(activation)``: ``relu``, ``sigmoid``, ``tanh``, ``softrelu``, ``softsign``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.Activation("relu")(mx.nd.array([-1.0, 2.0])).asnumpy().tolist()
        [0.0, 2.0]
    """

    def __init__(self, activation: str, prefix=None, params=None, **kwargs):
        self._act_type = activation
        super().__init__(_act.Activation(activation), prefix=prefix, params=params)

    def _alias(self) -> str:
        return self._act_type if isinstance(self._act_type, str) else "activation"


class LeakyReLU(_NoParams):
    """Gluon ``nn.LeakyReLU(alpha)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.LeakyReLU(0.5)(mx.nd.array([-1.0])).asnumpy().tolist()
        [-0.5]
    """

    def __init__(self, alpha: float, prefix=None, params=None, **kwargs):
        super().__init__(_act.LeakyReLU(alpha), prefix=prefix, params=params)


class ELU(_NoParams):
    """Gluon ``nn.ELU(alpha=1.0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.ELU()(mx.nd.array([0.0])).asnumpy().tolist()
        [0.0]
    """

    def __init__(self, alpha: float = 1.0, prefix=None, params=None, **kwargs):
        super().__init__(_act.ELU(alpha), prefix=prefix, params=params)


class SELU(_NoParams):
    """Gluon ``nn.SELU()``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.SELU()(mx.nd.array([0.0])).asnumpy().tolist()
        [0.0]
    """

    def __init__(self, prefix=None, params=None, **kwargs):
        super().__init__(_act.SELU(), prefix=prefix, params=params)


class GELU(_NoParams):
    """Gluon ``nn.GELU()``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.GELU()(mx.nd.array([0.0])).asnumpy().tolist()
        [0.0]
    """

    def __init__(self, prefix=None, params=None, **kwargs):
        super().__init__(_act.GELU(), prefix=prefix, params=params)


class Swish(_NoParams):
    """Gluon ``nn.Swish(beta=1.0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.Swish()(mx.nd.array([0.0])).asnumpy().tolist()
        [0.0]
    """

    def __init__(self, beta: float = 1.0, prefix=None, params=None, **kwargs):
        super().__init__(_act.Swish(beta), prefix=prefix, params=params)


class PReLU(CoreBlock):
    """Gluon ``nn.PReLU(alpha_initializer=Constant(0.25), in_channels=1)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> layer = nn.PReLU()
        >>> layer.initialize()
        >>> layer(mx.nd.array([[-1.0]])).asnumpy().tolist()
        [[-0.25]]
    """

    def __init__(
        self,
        alpha_initializer: Any = None,
        in_channels: int = 1,
        prefix=None,
        params=None,
        **kwargs,
    ):
        kw = {} if alpha_initializer is None else {"alpha_initializer": alpha_initializer}
        self._c = in_channels
        super().__init__(_act.PReLU(in_channels=in_channels, **kw), prefix=prefix, params=params)

    def _in_size(self) -> int:
        return self._c

    def _probe(self, n):
        return (2, max(n, self._c))


class Dropout(_NoParams):
    """Gluon ``nn.Dropout(rate, axes=())``: active only when ``autograd.is_training()``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.Dropout(0.5)(mx.nd.ones((2,))).asnumpy().tolist()
        [1.0, 1.0]
    """

    def __init__(self, rate: float, axes: tuple = (), prefix=None, params=None, **kwargs):
        super().__init__(_basic.Dropout(rate, tuple(axes)), prefix=prefix, params=params)


class Flatten(_NoParams):
    """Gluon ``nn.Flatten()``: ``(N, ...)`` to ``(N, prod(...))``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.Flatten()(mx.nd.ones((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, prefix=None, params=None, **kwargs):
        super().__init__(_basic.Flatten(), prefix=prefix, params=params)


class Embedding(CoreBlock):
    """Gluon ``nn.Embedding(input_dim, output_dim, dtype, weight_initializer, sparse_grad)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> emb = nn.Embedding(10, 4)
        >>> emb.initialize()
        >>> emb(mx.nd.array([1, 2])).shape
        (2, 4)

    With ``sparse_grad=True`` the weight's gradient is a ``RowSparseNDArray``
    (values kept dense, see ``mx.nd.sparse``).
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        dtype: Any = "float32",
        weight_initializer: Any = None,
        sparse_grad: bool = False,
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _basic.Embedding(
            input_dim, output_dim, _dtype_name(dtype), weight_initializer, sparse_grad
        )
        super().__init__(core, prefix=prefix, params=params)
        if sparse_grad:  # MXNet: the weight's gradient is a RowSparseNDArray
            self.weight._grad_stype = "row_sparse"

    def _in_size(self) -> int:
        return 1

    def _probe(self, n):
        return (2,)

    def _probe_dtype(self) -> str:
        return "int32"


class _NormBlock(CoreBlock):
    def _in_size(self) -> int:
        return self._core.in_channels

    def _probe(self, n):
        axis = self._core.axis
        if axis in (-1, 1):
            return (2, n) if axis == -1 else (2, n, 3)
        shape = [2, 3, 3, 3]
        shape[axis] = n
        return tuple(shape)


class BatchNorm(_NormBlock):
    """Gluon ``nn.BatchNorm``; running statistics are Parameters with ``grad_req='null'``
    updated in training mode.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> bn = nn.BatchNorm(in_channels=3)
        >>> [p.grad_req for p in bn.collect_params().values()]
        ['write', 'write', 'null', 'null']
    """

    def __init__(
        self,
        axis: int = 1,
        momentum: float = 0.9,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        use_global_stats: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        running_mean_initializer: Any = "zeros",
        running_variance_initializer: Any = "ones",
        in_channels: int = 0,
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _norm.BatchNorm(
            axis,
            momentum,
            epsilon,
            center,
            scale,
            use_global_stats,
            beta_initializer,
            gamma_initializer,
            running_mean_initializer,
            running_variance_initializer,
            in_channels,
        )
        super().__init__(core, prefix=prefix, params=params)


class LayerNorm(_NormBlock):
    """Gluon ``nn.LayerNorm(axis=-1, epsilon=1e-5, center, scale, ..., in_channels=0)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> ln = nn.LayerNorm()
        >>> ln.initialize()
        >>> ln(mx.nd.array([[1.0, 3.0]])).asnumpy().round(3).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(
        self,
        axis: int = -1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        in_channels: int = 0,
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _norm.LayerNorm(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, in_channels
        )
        super().__init__(core, prefix=prefix, params=params)


class InstanceNorm(_NormBlock):
    """Gluon ``nn.InstanceNorm(axis=1, epsilon=1e-5, center=True, scale=False, ...)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> layer = nn.InstanceNorm(in_channels=1)
        >>> layer.initialize()
        >>> layer(mx.nd.array([[[1.0, 3.0]]])).asnumpy().round(3).tolist()
        [[[-1.0, 1.0]]]
    """

    def __init__(
        self,
        axis: int = 1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = False,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        in_channels: int = 0,
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _norm.InstanceNorm(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, in_channels
        )
        super().__init__(core, prefix=prefix, params=params)


class GroupNorm(CoreBlock):
    """Gluon ``nn.GroupNorm(num_groups=1, epsilon=1e-5, center=True, scale=True, ...)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> layer = nn.GroupNorm()
        >>> layer.initialize()
        >>> layer(mx.nd.ones((1, 2, 2))).shape
        (1, 2, 2)
    """

    def __init__(
        self,
        num_groups: int = 1,
        epsilon: float = 1e-5,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _norm.GroupNorm(
            num_groups, epsilon, center, scale, beta_initializer, gamma_initializer
        )
        super().__init__(core, prefix=prefix, params=params)

    def _probe(self, n):
        return (2, n * self._core.num_groups, 3)


def _resolve(function: Any, owner: str):
    if isinstance(function, str):
        fn = getattr(B.nd(), function, None)
        if fn is None:
            raise ValueError(f"{owner}: function name {function!r} is not a function of mxjax.nd")
        return fn
    if not callable(function):
        raise TypeError(
            f"{owner}: function must be a callable or a name; received {type(function).__name__}"
        )
    return function


class Lambda(Block):
    """Gluon ``nn.Lambda(function)``: wraps ``function(*inputs)`` over NDArrays.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.Lambda(lambda x: x * 2)(mx.nd.ones((2,))).asnumpy().tolist()
        [2.0, 2.0]
    """

    def __init__(self, function: Any, prefix=None):
        super().__init__(prefix=prefix)
        self._func = _resolve(function, "Lambda")

    def forward(self, *args):
        return self._func(*args)


class HybridLambda(HybridBlock):
    """Gluon ``nn.HybridLambda(function)``: wraps ``function(F, *inputs)``.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> nn.HybridLambda(lambda F, x: F.relu(x))(mx.nd.array([-1.0, 1.0])).asnumpy().tolist()
        [0.0, 1.0]
    """

    def __init__(self, function: Any, prefix=None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            fn = _resolve(function, "HybridLambda")
            self._func = lambda F, *a: fn(*a)
        else:
            self._func = _resolve(function, "HybridLambda")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)


class MultiHeadAttention(CoreBlock):
    """Multi-head attention (layout NTC) over ``mxjax.layers.MultiHeadAttention``.

    ``block(query, keys=None, values=None, mask=None)``; parameters
    ``query_weight``, ``key_weight``, ``value_weight``, ``out_weight`` (+ biases).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> att = nn.MultiHeadAttention(8, 2)
        >>> att.initialize()
        >>> att(mx.nd.ones((2, 5, 4))).shape
        (2, 5, 8)
    """

    def __init__(
        self,
        units: int,
        num_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        weight_initializer: Any = None,
        bias_initializer: Any = "zeros",
        dtype: Any = "float32",
        return_weights: bool = False,
        prefix=None,
        params=None,
        **kwargs,
    ):
        core = _MHA(
            units,
            num_heads,
            dropout,
            use_bias,
            weight_initializer,
            bias_initializer,
            _dtype_name(dtype),
            return_weights,
        )
        super().__init__(core, prefix=prefix, params=params)

    def _probe(self, n):
        return (2, 3, n)

    def forward(self, query, keys=None, values=None, mask=None):
        args = [query, keys, values, mask]
        while args[-1] is None:
            args.pop()
        return super().forward(*args)
