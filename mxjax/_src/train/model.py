"""``Model``: a functional layer with its parameters, trained Keras-style."""

from __future__ import annotations

from mxjax._src.layers.base import Layer
from mxjax._src.train.engine import Engine

__all__ = ["Model"]


class Model(Engine):
    """Wraps a layer, its parameters and state for ``compile``/``fit``/``evaluate``/``predict``.

    Parameters are created at the first ``fit``/``predict`` from the first
    batch, or passed in. Every path runs the one jitted step of
    :mod:`mxjax.train`.

    Args:
        layer: any :class:`mxjax.layers.Layer`.
        params: optional parameter tree (from ``layer.init``).
        state: optional state tree.
        seed: seed of the PRNG used for initialization, shuffling and dropout.
        initializer: global initializer for ``layer.init`` (Gluon's ``initialize(init=...)``).

    Examples:
        >>> import numpy as np
        >>> from mxjax import layers as L
        >>> from mxjax.train import Model
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        >>> y = (x[:, 0] > 0).astype("int32")
        >>> model = Model(L.Sequential([L.Dense(16, activation="relu"), L.Dense(2)]))
        >>> _ = model.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        >>> sorted(history.history)
        ['accuracy', 'loss']
        >>> model.predict(x[:3]).shape
        (3, 2)
    """

    def __init__(self, layer: Layer, params=None, state=None, seed: int = 0, initializer=None):
        if not isinstance(layer, Layer):
            raise TypeError(f"Model expects an mxjax.layers.Layer; received {type(layer).__name__}")
        self.layer = layer

        def init_fn(key, *x):
            return layer.init(key, *x, initializer=initializer)

        super().__init__(layer.apply, init_fn, params=params, state=state, seed=seed)

    def _output_model(self):
        return self.layer

    def __repr__(self) -> str:
        return f"Model({self.layer!r})"
