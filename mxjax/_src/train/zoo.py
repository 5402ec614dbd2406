"""Small reference networks of the functional core used by the CLI and examples."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mxjax._src.layers.base import Layer, layer

__all__ = ["MODELS", "RandomShift", "get_core_model"]


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


def lenet(classes: int = 10) -> Layer:
    """A LeNet-style CNN with shift augmentation in training.

    RandomShift(2), Conv 32 3x3, pool, Conv 64 3x3, pool, Dense 128, Dropout, Dense.
    """
    from mxjax import layers as L

    return L.Sequential(
        [
            RandomShift(2, fill=-0.1307 / 0.3081),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPool2D(2, 2),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPool2D(2, 2),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dropout(0.3),
            L.Dense(classes),
        ]
    )


def mlp(classes: int = 10) -> Layer:
    """An MLP 784-256-256-classes with ReLU."""
    from mxjax import layers as L

    return L.Sequential(
        [L.Dense(256, activation="relu"), L.Dense(256, activation="relu"), L.Dense(classes)]
    )


MODELS = {"lenet": lenet, "mlp": mlp}


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
