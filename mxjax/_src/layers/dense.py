"""Dense (fully connected) layer."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer
from mxjax._src.ops import activation_fn, expand_to


@layer
class Dense(Layer):
    """Fully connected layer: ``y = activation(x @ weight.T + bias)``.

    Args:
        units: output size.
        activation: MXNet activation name (``'relu'`` ...) or None.
        use_bias: whether to add a bias.
        flatten: if True, all input axes but the first are flattened;
            otherwise the layer applies to the last axis.
        dtype: parameter dtype.
        weight_initializer: initializer of ``weight`` (None: the global one).
        bias_initializer: initializer of ``bias``.
        in_units: expected input size; 0 infers it from the example input.

    Inputs: ``(batch, ...)``. Outputs: ``(batch, units)`` with ``flatten=True``,
    else ``(..., units)``. Parameters: ``weight (units, in_units)``, ``bias (units,)``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> params, state = L.Dense(3).init(jax.random.key(0), jnp.ones((2, 4, 5)))
        >>> params["weight"].shape
        (3, 20)
    """

    units: int
    activation: str | None = None
    use_bias: bool = True
    flatten: bool = True
    dtype: str = "float32"
    weight_initializer: Any = None
    bias_initializer: Any = "zeros"
    in_units: int = 0

    def __post_init__(self):
        if not isinstance(self.units, int) or isinstance(self.units, bool) or self.units <= 0:
            raise ValueError(f"Dense: units must be a positive int; received {self.units!r}")
        activation_fn(self.activation, "Dense")

    def _in_units(self, x) -> int:
        x = self.check_input(x, min_ndim=1 if not self.flatten else 2)
        n = 1
        if self.flatten:
            for d in x.shape[1:]:
                n *= int(d)
        else:
            n = int(x.shape[-1])
        return n

    def init(self, key, x, initializer=None):
        in_units = self._in_units(x)
        if self.in_units and self.in_units != in_units:
            raise ValueError(
                f"Dense: in_units={self.in_units} but the example input has {in_units} features (shape {tuple(x.shape)})"
            )
        kw, kb = jax.random.split(key)
        params = {
            "weight": self.make_param(
                kw, "weight", (self.units, in_units), self.weight_initializer, initializer
            )
        }
        if self.use_bias:
            params["bias"] = self.make_param(
                kb, "bias", (self.units,), self.bias_initializer, initializer
            )
        return params, {}

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, min_ndim=1 if not self.flatten else 2)
        w = params["weight"]
        in_shape = tuple(x.shape)
        if self.flatten:
            x = x.reshape(x.shape[0], -1)
        if x.shape[-1] != w.shape[1]:
            raise ValueError(
                f"Dense: expected an input with {w.shape[1]} features (weight shape {tuple(w.shape)}); "
                f"received {x.shape[-1]} (input shape {in_shape})"
            )
        y = jnp.matmul(x, w.T)
        if self.use_bias:
            y = y + expand_to(params["bias"], y.ndim, -1)
        return activation_fn(self.activation)(y), state
