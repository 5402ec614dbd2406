"""The CLI's networks in the functional core, built from the one LeNet/MLP definition."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer
from mxjax._src.zoo.specs import MLP_HIDDEN, build, lenet_spec, mlp_spec

__all__ = ["MODELS", "RandomShift", "get_core_model", "lenet", "mlp"]


@layer
class RandomShift(Layer):
    """Training-time augmentation: shifts each NCHW image by up to ``max_shift`` pixels.

    Identity when ``train=False``. Shifted-in pixels are filled with ``fill``
    (the normalized background value).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax._src.train.zoo import RandomShift
        >>> x = jnp.ones((2, 1, 4, 4))
        >>> y, _ = RandomShift(1).apply({}, {}, x, key=jax.random.key(0), train=True)
        >>> y.shape
        (2, 1, 4, 4)
    """

    max_shift: int = 2
    fill: float = 0.0

    def apply(self, params, state, x, key=None, train=False):
        x = self.check_input(x, ndim=4)
        if not train or self.max_shift == 0:
            return x, state
        self.require_key(key, train)
        p = self.max_shift
        padded = jnp.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=self.fill)
        offsets = jax.random.randint(key, (x.shape[0], 2), 0, 2 * p + 1)

        def crop(img, off):
            return jax.lax.dynamic_slice(img, (0, off[0], off[1]), img.shape[:1] + x.shape[2:])

        return jax.vmap(crop)(padded, offsets), state


def _core_layer(name: str):
    from mxjax import layers as L

    return getattr(L, name)


def lenet(classes: int = 10, dropout: float = 0.0, shift: int = 0) -> Layer:
    """The one LeNet (:func:`mxjax._src.zoo.specs.lenet_spec`) in the functional core.

    ``shift > 0`` puts ``RandomShift(shift)`` in front (training-time
    augmentation, identity at inference).

    Examples:
        >>> from mxjax._src.train.zoo import lenet
        >>> [type(layer).__name__ for layer in lenet(dropout=0.3, shift=2).layers][:2]
        ['RandomShift', 'Conv2D']
    """
    from mxjax import layers as L

    front = [RandomShift(shift, fill=-0.1307 / 0.3081)] if shift else []
    return L.Sequential([*front, *build(lenet_spec(classes, dropout), _core_layer)])


def mlp(classes: int = 10, hidden=MLP_HIDDEN) -> Layer:
    """The one MLP (:func:`mxjax._src.zoo.specs.mlp_spec`) in the functional core.

    Examples:
        >>> from mxjax._src.train.zoo import mlp
        >>> [layer.units for layer in mlp(10).layers]
        [256, 256, 10]
    """
    from mxjax import layers as L

    return L.Sequential(build(mlp_spec(classes, hidden), _core_layer))


def _cli_lenet(classes: int) -> Layer:
    return lenet(classes, dropout=0.3, shift=2)


#: The networks of ``mxjax train`` (the LeNet with shift augmentation and dropout).
MODELS = {"lenet": _cli_lenet, "mlp": mlp}


def get_core_model(name: str, classes: int = 10) -> Layer:
    """Returns a functional-core network by name (``'lenet'`` or ``'mlp'``).

    Examples:
        >>> from mxjax._src.train.zoo import get_core_model
        >>> type(get_core_model("mlp")).__name__
        'Sequential'
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; expected one of {sorted(MODELS)}")
    return MODELS[name](classes)
