"""Whole-model files for :class:`mxjax.train.Model`: architecture, weights, optimizer state.

One ``.npz`` archive (read with ``allow_pickle=False``: nothing in it can
execute code) holding:

* ``config``: JSON (as bytes) with the format version, the layer tree (each
  layer as its ``mxjax.layers`` class name and its dataclass fields) and the
  compile settings when they are names (optimizer, learning rate, loss,
  metrics);
* ``param/<name>`` and ``state/<name>``: the arrays under Gluon's names;
* ``opt/<i>``: the optimizer state leaves (PRNG keys as key data).

Loading only builds classes exported by :mod:`mxjax.layers`. The file is
written to a temporary file and renamed (atomic).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.io.atomic import atomic_write
from mxjax._src.layers.base import Layer, flatten_names, unflatten_names

__all__ = ["layer_config", "layer_from_config", "load_model", "save_model"]

FORMAT = "mxjax.train.Model/1"
_MODEL_CLASS: list = []  # the Model class load_model builds (registered by its module)


def register_model_class(cls: type) -> None:
    """Registers the class :func:`load_model` builds (``mxjax._src.train.model`` does this).

    Examples:
        >>> from mxjax import train
        >>> from mxjax._src.train import saving
        >>> saving._MODEL_CLASS[0] is train.Model
        True
    """
    _MODEL_CLASS[:] = [cls]


def _value(v: Any, where: str) -> Any:
    if isinstance(v, Layer):
        return layer_config(v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return {"__tuple__": [_value(x, where) for x in v]}
    raise TypeError(
        f"save: {where} holds a {type(v).__name__} ({v!r}), which a model file cannot store; "
        "use names and numbers for layer options (e.g. weight_initializer='xavier')"
    )


def layer_config(layer: Layer) -> dict:
    """A JSON-able description of a layer tree (class name and fields).

    Raises:
        TypeError: a field holds something other than numbers, strings, tuples or layers.

    Examples:
        >>> from mxjax import layers as L
        >>> from mxjax._src.train.saving import layer_config
        >>> layer_config(L.Dense(4, activation="relu"))["class"]
        'Dense'
    """
    cls = type(layer)
    fields = {
        f.name: _value(getattr(layer, f.name), f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(layer)
        if f.init
    }
    return {"class": cls.__name__, "fields": fields}


def _restore(v: Any) -> Any:
    if isinstance(v, dict) and "__tuple__" in v:
        return tuple(_restore(x) for x in v["__tuple__"])
    if isinstance(v, dict) and "class" in v:
        return layer_from_config(v)
    return v


def layer_from_config(config: dict) -> Layer:
    """Builds a layer tree from :func:`layer_config` (only ``mxjax.layers`` classes).

    Raises:
        ValueError: an unknown class name.

    Examples:
        >>> from mxjax import layers as L
        >>> from mxjax._src.train.saving import layer_config, layer_from_config
        >>> layer_from_config(layer_config(L.Dense(4))) == L.Dense(4)
        True
    """
    from mxjax import layers

    name = config.get("class")
    cls = getattr(layers, str(name), None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"load_model: unknown layer class {name!r} (not in mxjax.layers)")
    return cls(**{k: _restore(v) for k, v in config.get("fields", {}).items()})


def _leaf_out(a) -> np.ndarray:
    if jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
        a = jax.random.key_data(a)
    return np.asarray(jax.device_get(a))


def save_model(model, path: str | os.PathLike) -> str:
    """Writes ``model`` (a :class:`mxjax.train.Model`) to ``path`` atomically; returns the path."""
    if model.params is None:
        raise ValueError(
            "Model.save: the model has no parameters yet; fit it, call predict on an example, "
            "or pass params= to Model"
        )
    config = {"format": FORMAT, "layer": layer_config(model.layer), "seed": model.seed}
    arrays: dict[str, np.ndarray] = {}
    for prefix, tree in (("param", model.params), ("state", model.state)):
        for name, a in flatten_names(tree).items():
            arrays[f"{prefix}/{name}"] = _leaf_out(a)
    compiled = getattr(model, "_compile_config", None)
    if compiled is not None:
        config["compile"] = compiled
        if model.opt_state is not None:
            for i, leaf in enumerate(jax.tree.leaves(model.opt_state)):
                arrays[f"opt/{i}"] = _leaf_out(leaf)
            config["opt_leaves"] = len(jax.tree.leaves(model.opt_state))
    arrays["config"] = np.frombuffer(json.dumps(config).encode(), np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path = os.fspath(path)
    atomic_write(path, buf.getvalue())
    return path


def load_model(path: str | os.PathLike):
    """Reads a model written by :meth:`mxjax.train.Model.save` (no code is executed).

    The model comes back compiled with the same optimizer, loss and metrics
    (when they were given by name) and with its optimizer state, so ``fit``
    continues where it stopped.

    Raises:
        ValueError: not a model file, or one whose arrays do not match its layers.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> from mxjax import layers as L, train
        >>> m = train.Model(L.Dense(2)).compile("adam", "softmax_cross_entropy", metrics=["accuracy"])
        >>> _ = m.fit(np.ones((4, 3), "float32"), np.zeros(4, "int32"), verbose=0)
        >>> path = m.save(os.path.join(tempfile.mkdtemp(), "model.npz"))
        >>> m2 = train.load_model(path)
        >>> np.allclose(m2.predict(np.ones((1, 3), "float32")), m.predict(np.ones((1, 3), "float32")))
        True
    """
    if not _MODEL_CLASS:
        raise RuntimeError(
            "load_model: mxjax._src.train.model is not imported (import mxjax.train)"
        )
    Model = _MODEL_CLASS[0]  # noqa: N806  (registered by mxjax._src.train.model)
    path = os.fspath(path)
    with np.load(path, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    if "config" not in data:
        raise ValueError(f"load_model: {path!r} is not an mxjax model file (no config)")
    try:
        config = json.loads(data["config"].tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"load_model: {path!r} has an unreadable config ({e})") from None
    if config.get("format") != FORMAT:
        raise ValueError(
            f"load_model: {path!r} has format {config.get('format')!r}; expected {FORMAT!r}"
        )
    layer = layer_from_config(config["layer"])

    def tree(prefix):
        n = len(prefix) + 1
        return unflatten_names(
            {k[n:]: jnp.asarray(v) for k, v in data.items() if k.startswith(prefix + "/")}
        )

    model = Model(layer, params=tree("param"), state=tree("state"), seed=config.get("seed", 0))
    compiled = config.get("compile")
    if compiled is not None:
        model.compile(**compiled)
        if "opt_leaves" in config:
            fresh = model.tx.init(model.params)
            leaves, treedef = jax.tree.flatten(fresh)
            if len(leaves) != config["opt_leaves"]:
                raise ValueError(
                    f"load_model: {path!r} holds {config['opt_leaves']} optimizer arrays; "
                    f"this optimizer has {len(leaves)}"
                )
            restored = []
            for i, like in enumerate(leaves):
                v = jnp.asarray(data[f"opt/{i}"])
                if jnp.issubdtype(like.dtype, jax.dtypes.prng_key):
                    v = jax.random.wrap_key_data(v, impl=jax.random.key_impl(like))
                elif v.shape != like.shape:
                    raise ValueError(
                        f"load_model: optimizer array {i} has shape {v.shape}; expected {like.shape}"
                    )
                restored.append(v)
            model.opt_state = jax.tree.unflatten(treedef, restored)
    return model
