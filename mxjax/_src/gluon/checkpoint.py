"""Checkpoints of a Gluon training loop: network, Trainer, random streams and data order.

One :class:`TrainingCheckpoint` call saves everything a Gluon loop needs to
continue bit-exactly, as one atomic :mod:`mxjax.io` checkpoint: parameter
values (structural names, like ``save_parameters``), the Trainer's optimizer
states, update count and learning rate, ``mx.random``'s key and NumPy's
global state (Dropout, ``DataLoader(shuffle=True)``), each DataLoader's epoch
counter and sampler state, and your own JSON metadata (epoch, history ...).
"""

from __future__ import annotations

import os
from typing import Any

import jax
import numpy as np

from mxjax._src.io.checkpoint import CheckpointManager
from mxjax._src.train.checkpoint import data_state, set_data_state

__all__ = ["TrainingCheckpoint"]


class TrainingCheckpoint:
    """Saves and restores a Gluon training loop as one atomic checkpoint.

    Args:
        directory: where numbered checkpoints go (``ckpt-<step>``); temporaries
            left by a killed writer are removed when this object is created.
        net: the Block being trained.
        trainer: its :class:`~mxjax.gluon.Trainer` (optional).
        loaders: DataLoaders whose epoch counter and sampler state to keep.
        max_to_keep: number of newest checkpoints kept.

    Restore after ``net.initialize()`` with known shapes (or after one
    forward pass for deferred shapes), before the first step.

    Examples:
        >>> import tempfile, mxjax as mx
        >>> from mxjax import autograd, gluon
        >>> net = gluon.nn.Dense(1, in_units=2)
        >>> net.initialize(mx.init.One())
        >>> trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        >>> ckpt = gluon.TrainingCheckpoint(tempfile.mkdtemp(), net, trainer)
        >>> ckpt.restore() is None  # nothing saved yet: start from scratch
        True
        >>> _ = ckpt.save(1, epoch=1)
        >>> net.weight.set_data(mx.nd.zeros((1, 2)))
        >>> ckpt.restore()["epoch"], net.weight.data().asnumpy().tolist()
        (1, [[1.0, 1.0]])
    """

    def __init__(self, directory, net, trainer=None, loaders=(), max_to_keep: int | None = 2):
        self.manager = CheckpointManager(directory, max_to_keep=max_to_keep)
        self.net, self.trainer, self.loaders = net, trainer, list(loaders)

    @property
    def directory(self) -> str:
        """The checkpoint directory."""
        return self.manager.directory

    def latest_step(self) -> int | None:
        """The newest saved step, or None."""
        return self.manager.latest_step()

    def _params(self) -> dict:
        params = self.net._collect_params_with_prefix()
        for p in params.values():
            p._check_initialized()
        return params

    def save(self, step: int, **metadata: Any) -> str:
        """Commits checkpoint ``step`` with JSON ``metadata``; returns its path."""
        from mxjax._src.nd.random import get_state

        tree: dict[str, Any] = {
            "params": {name: p._data[0].jax for name, p in self._params().items()}
        }
        if self.trainer is not None:
            tree["trainer"] = self.trainer.state_arrays()
        meta = {
            "user": metadata,
            "random": get_state(),
            "loaders": [data_state(ld) for ld in self.loaders],
        }
        return self.manager.save(step, tree, meta)

    def restore(self, step: int | None = None) -> dict | None:
        """Restores checkpoint ``step`` (default: the newest) and returns its metadata.

        Returns:
            The ``metadata`` given to :meth:`save`, or None when the directory
            holds no checkpoint (a fresh start).

        Raises:
            mxjax.io.CheckpointError: the checkpoint is corrupt or does not fit
                the network (names, shapes, dtypes).
        """
        from mxjax._src.io.checkpoint import CheckpointError
        from mxjax._src.nd.random import set_state

        if step is None and self.manager.latest_step() is None:
            return None
        params = self._params()
        target: dict[str, Any] = {"params": {name: p._data[0].jax for name, p in params.items()}}
        if self.trainer is not None:
            target["trainer"] = self.trainer.state_arrays()
        tree, meta = self.manager.restore(target, step)
        for name, value in tree["params"].items():
            p = params[name]
            devs = [next(iter(d.jax.devices())) for d in p._data]
            p._set_values([jax.device_put(value, dv) for dv in devs])
        if self.trainer is not None:
            self.trainer.load_state_arrays(tree["trainer"], os.path.basename(self.directory))
        set_state(meta["random"])
        if len(meta["loaders"]) != len(self.loaders):
            raise CheckpointError(
                f"{self.directory}: the checkpoint holds {len(meta['loaders'])} DataLoader "
                f"states; {len(self.loaders)} loaders were given"
            )
        for loader, state in zip(self.loaders, meta["loaders"]):
            set_data_state(loader, state)
        return meta["user"]


# ----------------------------------------------------------------- Estimator
# CheckpointHandler keeps MXNet's ``.params``/``.states`` pair for interop and
# commits the pair with a third, small file written last (``.json``): a
# checkpoint counts only once its marker names both files with their sizes
# and hashes, so a kill between the two writes can never be resumed from.


def _file_digest(path: str) -> dict:
    from mxjax._src.io.checkpoint import _sha256

    return {"size": os.path.getsize(path), "sha256": _sha256(path)}


def estimator_run_state(estimator) -> dict:
    """What an Estimator run needs beyond ``.params``/``.states``: RNG keys and data order."""
    from mxjax._src.train.checkpoint import _numpy_state, data_state

    state: dict[str, Any] = {"numpy": _numpy_state()}
    eng = getattr(estimator, "_engine", None)
    if eng is not None:
        state["key"] = np.asarray(jax.random.key_data(eng._key)).tolist()
        state["key_impl"] = str(jax.random.key_impl(eng._key))
        state["step"] = int(np.asarray(eng._step))
    data = getattr(estimator, "_train_data", None)
    if data is not None:
        state["data"] = data_state(data)
    return state


def restore_estimator_run_state(estimator, state: dict) -> None:
    """Inverse of :func:`estimator_run_state`."""
    import jax.numpy as jnp

    from mxjax._src.train.checkpoint import _set_numpy_state, set_data_state

    _set_numpy_state(state["numpy"])
    eng = getattr(estimator, "_engine", None)
    if eng is not None and "key" in state:
        data = jnp.asarray(np.asarray(state["key"], np.uint32))
        eng._key = jax.random.wrap_key_data(data, impl=state["key_impl"])
        eng._step = jnp.asarray(state["step"], jnp.int32)
    data = getattr(estimator, "_train_data", None)
    if data is not None and "data" in state:
        set_data_state(data, state["data"])


def commit_pair(path: str, estimator, epoch: int, batch: int) -> None:
    """Writes ``path.json``, the marker that commits ``path.params`` + ``path.states``."""
    import json

    import mxjax
    from mxjax._src.io.params import atomic_write

    marker = {
        "format": "mxjax-estimator-checkpoint",
        "version": 1,
        "mxjax_version": mxjax.__version__,
        "epoch": int(epoch),
        "batch": int(batch),
        "params": _file_digest(path + ".params"),
        "states": _file_digest(path + ".states"),
        "run_state": estimator_run_state(estimator),
    }
    atomic_write(path + ".json", json.dumps(marker).encode())


def read_committed(path: str) -> dict | None:
    """The marker of ``path`` when it commits intact ``.params``/``.states`` files, else None."""
    import json

    try:
        with open(path + ".json") as f:
            marker = json.load(f)
        if marker.get("format") != "mxjax-estimator-checkpoint":
            return None
        for ext in ("params", "states"):
            if _file_digest(f"{path}.{ext}") != marker[ext]:
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return marker
