"""Sequential composition with Gluon's index names (``0.weight``, ``3.bias``)."""

from __future__ import annotations

from collections.abc import Sequence

from mxjax._src.errors import describe
from mxjax._src.layers.base import Composite, Layer, layer


@layer
class Sequential(Composite):
    """Chains layers; child ``i`` owns ``params[str(i)]`` as in Gluon.

    Layers without parameters (pooling, Flatten, Activation) still take an
    index, so ``Sequential([Conv2D, MaxPool2D, Flatten, Dense])`` names its
    parameters ``0.weight``, ``0.bias``, ``3.weight``, ``3.bias``.

    Args:
        layers: a sequence of layers.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax import layers as L
        >>> net = L.Sequential([L.Dense(8, activation="relu"), L.Dense(2)])
        >>> params, state = net.init(jax.random.key(0), jnp.ones((1, 4)))
        >>> sorted(L.flatten_names(params))
        ['0.bias', '0.weight', '1.bias', '1.weight']
    """

    layers: Sequence[Layer] = ()

    def __post_init__(self):
        layers = tuple(self.layers)
        for i, child in enumerate(layers):
            if not isinstance(child, Layer):
                raise TypeError(
                    f"Sequential: element {i} must be a Layer; received {describe(child)}"
                )
        object.__setattr__(self, "layers", layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(self.layers[i])
        return self.layers[i]

    def forward(self, scope, *inputs):
        out = inputs
        for i, child in enumerate(self.layers):
            out = scope(str(i), child, *out)
            out = (out,)
        return out[0] if len(out) == 1 else out
