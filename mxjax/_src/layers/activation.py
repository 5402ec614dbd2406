"""Activation layers with Gluon 1.9.1's names and formulas."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.initializers import Constant
from mxjax._src.layers.base import Layer, layer
from mxjax._src.ops import activation_fn, expand_to

__all__ = ["ELU", "GELU", "SELU", "Activation", "LeakyReLU", "PReLU", "Swish"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


def _check_number(owner: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner}: {name} must be a number; received {value!r}")


@layer
class _Elementwise(Layer):
    """A parameter-free elementwise activation; subclasses define ``_fn``."""

    def init(self, key, x, initializer=None):
        self.check_input(x)
        return {}, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x)
        return self._fn(x).astype(x.dtype), state


@layer
class Activation(_Elementwise):
    """Applies an MXNet activation by name.

    Args:
        activation: one of ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'softrelu'``
            (``log(1 + exp(x))``), ``'softsign'`` (``x / (1 + |x|)``), or
            Keras's ``'softmax'``/``'log_softmax'`` (over the last axis).

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> y, _ = L.Activation("relu").apply({}, {}, jnp.array([-1.0, 2.0]))
        >>> y.tolist()
        [0.0, 2.0]
    """

    activation: str

    def __post_init__(self):
        if not isinstance(self.activation, str):
            raise TypeError(
                f"Activation: activation must be a name such as 'relu'; received {self.activation!r}"
            )
        activation_fn(self.activation, "Activation")

    def _fn(self, x):
        return activation_fn(self.activation)(x)


@layer
class LeakyReLU(_Elementwise):
    """Leaky ReLU: ``x`` if ``x > 0`` else ``alpha * x``.

    Args:
        alpha: slope for negative inputs (``>= 0``).

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> L.LeakyReLU(0.1).apply({}, {}, jnp.array([-1.0, 2.0]))[0].tolist()
        [-0.10000000149011612, 2.0]
    """

    alpha: float

    def __post_init__(self):
        _check_number("LeakyReLU", "alpha", self.alpha)
        if self.alpha < 0:
            raise ValueError(f"LeakyReLU: alpha must be >= 0; received {self.alpha!r}")

    def _fn(self, x):
        return jnp.where(x > 0, x, self.alpha * x)


@layer
class ELU(_Elementwise):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Args:
        alpha: scale of the negative part.

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> round(float(L.ELU().apply({}, {}, jnp.array([-1.0]))[0][0]), 4)
        -0.6321
    """

    alpha: float = 1.0

    def __post_init__(self):
        _check_number("ELU", "alpha", self.alpha)

    def _fn(self, x):
        return jnp.where(x > 0, x, self.alpha * jnp.expm1(jnp.minimum(x, 0)))


@layer
class SELU(_Elementwise):
    """Scaled ELU (Klambauer et al., 2017) with MXNet's constants.

    ``lambda * (x if x > 0 else alpha * (exp(x) - 1))`` with
    ``alpha = 1.6732632...`` and ``lambda = 1.0507009...``.

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> round(float(L.SELU().apply({}, {}, jnp.array([1.0]))[0][0]), 4)
        1.0507
    """

    def _fn(self, x):
        # lambda * alpha folded into one constant: MXNet 1.9.1's rounding, bit for bit
        neg = (_SELU_LAMBDA * _SELU_ALPHA) * jnp.expm1(jnp.minimum(x, 0))
        return jnp.where(x > 0, _SELU_LAMBDA * x, neg)


@layer
class GELU(_Elementwise):
    """Gaussian error linear unit, MXNet's exact erf form: ``0.5 x (1 + erf(x / sqrt 2))``.

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> round(float(L.GELU().apply({}, {}, jnp.array([1.0]))[0][0]), 4)
        0.8413
    """

    def _fn(self, x):
        x32 = x.astype(jnp.float32)
        return 0.5 * x32 * (1.0 + jax.scipy.special.erf(x32 / math.sqrt(2.0)))


@layer
class Swish(_Elementwise):
    """Swish (Ramachandran et al., 2017): ``x * sigmoid(beta * x)``.

    Args:
        beta: slope inside the sigmoid.

    Inputs: any shape (floating). Outputs: same shape and dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> round(float(L.Swish().apply({}, {}, jnp.array([1.0]))[0][0]), 4)
        0.7311
    """

    beta: float = 1.0

    def __post_init__(self):
        _check_number("Swish", "beta", self.beta)

    def _fn(self, x):
        return x * jax.nn.sigmoid(self.beta * x)


@layer
class PReLU(Layer):
    """Parametric ReLU (He et al., 2015): ``x`` if ``x > 0`` else ``alpha * x``, learned ``alpha``.

    Args:
        alpha_initializer: initializer of ``alpha`` (Gluon's ``Constant(0.25)``).
        in_channels: 1 for one shared slope, else one slope per channel of axis 1.

    Inputs: any shape (floating); with ``in_channels > 1``, ``(N, in_channels, ...)``.
    Outputs: same shape and dtype. Parameters: ``alpha (in_channels,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> params, state = L.PReLU().init(jax.random.key(0), jnp.ones((2, 3)))
        >>> L.PReLU().apply(params, state, jnp.array([[-4.0, 1.0, 0.0]]))[0].tolist()
        [[-1.0, 1.0, 0.0]]
    """

    alpha_initializer: Any = Constant(0.25)
    in_channels: int = 1

    def __post_init__(self):
        c = self.in_channels
        if isinstance(c, bool) or not isinstance(c, int) or c <= 0:
            raise ValueError(f"PReLU: in_channels must be a positive int; received {c!r}")

    def _check(self, x, c: int):
        x = self.check_input(x, min_ndim=2 if c > 1 else None)
        if c > 1 and int(x.shape[1]) != c:
            raise ValueError(
                f"PReLU: expected {c} channels on axis 1 (alpha shape ({c},)); "
                f"received {x.shape[1]} (input shape {tuple(x.shape)})"
            )
        return x

    def init(self, key, x, initializer=None):
        self._check(x, self.in_channels)
        alpha = self.make_param(
            key, "alpha", (self.in_channels,), self.alpha_initializer, initializer
        )
        return {"alpha": alpha}, {}

    def apply(self, params, state, x, key=None, train=False):
        alpha = params["alpha"]
        c = int(alpha.shape[0])
        x = self._check(x, c)
        alpha = alpha.astype(x.dtype)
        alpha = alpha.reshape((1,) * x.ndim) if c == 1 else expand_to(alpha, x.ndim, 1)
        return jnp.where(x > 0, x, alpha * x), state
