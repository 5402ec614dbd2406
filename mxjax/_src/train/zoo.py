"""Small reference networks of the functional core used by the CLI and examples."""

from __future__ import annotations

from mxjax._src.layers.base import Layer

__all__ = ["MODELS", "get_core_model"]


def lenet(classes: int = 10) -> Layer:
    """A LeNet-style CNN (Conv 32 3x3, pool, Conv 64 3x3, pool, Dense 128, Dropout, Dense)."""
    from mxjax import layers as L

    return L.Sequential(
        [
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
