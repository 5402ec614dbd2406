"""``Model``: a functional layer with its parameters, trained Keras-style."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.host_eval import host_eval
from mxjax._src.layers.base import Layer
from mxjax._src.train.engine import Engine
from mxjax._src.train.saving import register_model_class, save_model

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
            # Run on the host (host_eval): the keys are split and the initial values drawn
            # with NumPy (the same values as an eager layer.init), and the shape-inferring
            # forward pass is dead code. Nothing is compiled, so a new process with a warm
            # compilation cache compiles nothing either (a jitted init holding host
            # callbacks is never cached).
            spec = jax.tree.map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), x)

            def init(k):
                zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), spec)
                return layer.init(k, *zeros, initializer=initializer)

            return host_eval(init, key)

        super().__init__(layer.apply, init_fn, params=params, state=state, seed=seed)

    def _output_model(self):
        return self.layer

    def save(self, path) -> str:
        """Writes the whole model (layers, weights, optimizer state) to one file, atomically.

        The file is an ``.npz`` archive with a JSON description of the layers
        and the compile settings; :func:`mxjax.train.load_model` reads it
        back without executing any code. Returns the path.

        Raises:
            ValueError: the model has no parameters yet.
            TypeError: a layer option cannot be stored (an object, not a name or number).

        Examples:
            >>> import os, tempfile
            >>> import numpy as np
            >>> from mxjax import layers as L, train
            >>> m = train.Model(L.Dense(2), params={"weight": np.ones((2, 3), "float32"), "bias": np.zeros(2, "float32")})
            >>> os.path.basename(m.save(os.path.join(tempfile.mkdtemp(), "m.npz")))
            'm.npz'
        """
        return save_model(self, path)

    def summary(self, *inputs, input_shape=None, print_fn=print) -> int:
        """Prints each layer's output shape and parameter count; returns the total count.

        Shapes come from ``inputs`` (example arrays), ``input_shape`` (one
        input, without the batch axis), or the batch the model was built
        from. Nothing is computed: shapes are traced with ``jax.eval_shape``.

        Raises:
            ValueError: no input is given and the model was never built.

        Examples:
            >>> from mxjax import layers as L, train
            >>> m = train.Model(L.Sequential([L.Dense(8, activation="relu"), L.Dense(2)]))
            >>> m.summary(input_shape=(4,))  # doctest: +NORMALIZE_WHITESPACE, +ELLIPSIS
            Layer (type) Output Shape Param #
            ...
            0 (Dense) (1, 8) 40
            1 (Dense) (1, 2) 18
            ...
            Total params: 58
            ...
            58
        """
        from mxjax._src.train.summary import model_summary

        return model_summary(self, inputs, input_shape, print_fn)

    def __repr__(self) -> str:
        return f"Model({self.layer!r})"


register_model_class(Model)
