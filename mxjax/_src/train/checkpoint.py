"""Exact resume for ``fit``: the run state of an Engine as one atomic checkpoint.

A run checkpoint holds what the next epoch depends on: parameters, model
state, optimizer state (step counts and schedule position for optax
schedules), the dropout PRNG key and step counter, an ``mx.optimizer``'s
``num_update`` and learning rate, the base learning rate, the data order
(the array feed's shuffling Generator, a DataLoader's epoch counter and
sampler state, NumPy's global RNG), the history so far and the epoch to run
next. Checkpoints are written at epoch ends, so a run killed at any moment
and resumed replays the interrupted epoch from the same state and ends
bit-identical to an uninterrupted run.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import numpy as np

from mxjax._src.host_eval import host_eval
from mxjax._src.io.checkpoint import CheckpointError, CheckpointManager, load_checkpoint
from mxjax._src.train.callbacks import Callback

__all__ = ["BackupAndRestore", "PeriodicCheckpoint", "restore_run", "save_run"]


def _chain(source: Any) -> list:
    out, seen, obj = [], set(), source
    while obj is not None and id(obj) not in seen:
        seen.add(id(obj))
        out.append(obj)
        obj = getattr(obj, "_batch_sampler", None) or getattr(obj, "_sampler", None)
    return out


def data_state(source: Any) -> list[dict]:
    """Epoch counters and Generator states along a DataLoader -> batch sampler -> sampler chain."""
    state = []
    for obj in _chain(source):
        entry: dict[str, Any] = {}
        if isinstance(getattr(obj, "_epoch", None), int):
            entry["epoch"] = obj._epoch
        for attr in ("_rng", "rng"):
            rng = getattr(obj, attr, None)
            if isinstance(rng, np.random.Generator):
                entry[attr] = rng.bit_generator.state
        state.append(entry)
    return state


def set_data_state(source: Any, state: list[dict]) -> None:
    """Restores :func:`data_state` (the source must have the same structure)."""
    chain = _chain(source)
    if len(chain) != len(state):
        raise CheckpointError(
            f"the data source's structure changed since the checkpoint ({len(state)} levels "
            f"saved, {len(chain)} now)"
        )
    for obj, entry in zip(chain, state):
        if "epoch" in entry:
            obj._epoch = int(entry["epoch"])
        for attr in ("_rng", "rng"):
            if attr in entry:
                getattr(obj, attr).bit_generator.state = entry[attr]


def _numpy_state() -> list:
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return [name, np.asarray(keys).tolist(), int(pos), int(has_gauss), float(cached)]


def _set_numpy_state(s: list) -> None:
    name, keys, pos, has_gauss, cached = s
    np.random.set_state(
        (name, np.asarray(keys, np.uint32), int(pos), int(has_gauss), float(cached))
    )


def _tree(engine) -> dict:
    return {
        "params": engine.params,
        "state": engine.state,
        "opt_state": engine.opt_state,
        "key": engine._key,
        "step": engine._step,
    }


def save_run(engine, manager: CheckpointManager, next_epoch: int) -> str:
    """Commits the engine's run state; the resumed run starts at epoch ``next_epoch``."""
    meta: dict[str, Any] = {
        "epoch": int(next_epoch),
        "base_lr": float(engine._base_lr) if engine._base_lr is not None else None,
        "numpy": _numpy_state(),
    }
    history = getattr(engine, "history", None)
    if history is not None:
        meta["history"] = {"epoch": list(history.epoch), "history": history.history}
    opt = getattr(engine, "_mx_opt", None)
    if opt is not None:
        meta["mx_optimizer"] = {"num_update": int(opt.num_update), "lr": opt.lr}
    feed = getattr(engine, "_feed_in_use", None)
    if feed is not None:
        meta["data"] = data_state(getattr(feed, "source", feed))
    return manager.save(int(next_epoch), _tree(engine), meta)


def restore_run(engine, path) -> dict:
    """Restores a run saved by :func:`save_run` into ``engine``; returns its metadata.

    ``path`` is one checkpoint directory or a directory of them (the newest
    is used). The engine must be initialized (parameters built) already.

    Raises:
        mxjax.io.CheckpointError: no checkpoint there, or it does not fit the model.
    """
    path = os.fspath(path)
    if not os.path.exists(os.path.join(path, "manifest.json")):
        mgr = CheckpointManager(path, max_to_keep=None)
        step = mgr.latest_step()
        if step is None:
            raise CheckpointError(f"no checkpoint to resume from in {path}")
        path = mgr.path(step)
    feed = getattr(engine, "_feed_in_use", None)
    if engine.params is None and feed is not None and not feed.gather:
        # batches come from an iterable: build the parameters from its first batch (the
        # data order is restored below, so this peek leaves no trace)
        for args, _, _ in feed.batches():
            engine._ensure_init(args[0])
            break
    if engine.params is None:
        raise CheckpointError("resume: the model has no parameters yet")
    if engine.opt_state is None:
        engine.opt_state = host_eval(engine.tx.init, engine.params)  # the restore's target
    tree, meta = load_checkpoint(path, target=_tree(engine))
    engine.params, engine.state, engine.opt_state = tree["params"], tree["state"], tree["opt_state"]
    engine._key, engine._step = tree["key"], tree["step"]
    if meta.get("base_lr") is not None:
        engine._base_lr = meta["base_lr"]
    opt = getattr(engine, "_mx_opt", None)
    if opt is not None and "mx_optimizer" in meta:
        opt.num_update = meta["mx_optimizer"]["num_update"]
        opt.lr = meta["mx_optimizer"]["lr"]
    _set_numpy_state(meta["numpy"])
    if feed is not None and "data" in meta:
        set_data_state(getattr(feed, "source", feed), meta["data"])
    history = getattr(engine, "history", None)
    if history is not None and "history" in meta:
        history.epoch = list(meta["history"]["epoch"])
        history.history = {k: list(v) for k, v in meta["history"]["history"].items()}
    engine._resume_epoch = int(meta["epoch"])
    return meta


class BackupAndRestore(Callback):
    """Backs a ``fit`` run up at every epoch end and resumes it after an interruption.

    Keras' callback: when ``fit`` starts and ``backup_dir`` holds a backup
    (the run was killed, preempted or crashed), the model, optimizer, RNG,
    data order, history and epoch counter are restored and training goes on
    from the epoch after the last backup; the result is bit-identical to an
    uninterrupted run. Backups are atomic (a kill while writing leaves the
    previous one intact) and are deleted when ``fit`` finishes, unless
    ``delete_checkpoint=False``.

    Args:
        backup_dir: directory for the backups.
        delete_checkpoint: remove the backups when training finishes.
        max_to_keep: number of newest backups kept.

    Examples:
        >>> import tempfile, numpy as np
        >>> from mxjax import layers as L, train
        >>> model = train.Model(L.Dense(2))
        >>> _ = model.compile("sgd", "softmax_cross_entropy")
        >>> cb = train.BackupAndRestore(tempfile.mkdtemp(), delete_checkpoint=False)
        >>> x, y = np.ones((8, 3), "float32"), np.zeros(8, "int32")
        >>> h = model.fit(x, y, epochs=2, callbacks=[cb], verbose=0)
        >>> cb.manager.latest_step()
        2
    """

    def __init__(self, backup_dir, delete_checkpoint: bool = True, max_to_keep: int = 1):
        self.backup_dir = os.fspath(backup_dir)
        self.delete_checkpoint = delete_checkpoint
        self.max_to_keep = max_to_keep
        self.manager: CheckpointManager | None = None
        self.resumed_from: int | None = None

    def on_train_begin(self, logs=None):
        self.manager = CheckpointManager(self.backup_dir, max_to_keep=self.max_to_keep)
        self.resumed_from = None
        if self.manager.latest_step() is not None:
            meta = restore_run(self.model, self.backup_dir)
            self.resumed_from = meta["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        save_run(self.model, self.manager, epoch + 1)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            shutil.rmtree(self.backup_dir, ignore_errors=True)


class PeriodicCheckpoint(Callback):
    """Commits a run checkpoint every ``every`` epochs (and after the last one); never restores.

    Resume from its directory with ``fit(..., resume=directory)``.

    Args:
        directory: where the numbered checkpoints (``ckpt-<epoch>``) go.
        every: period in epochs.
        max_to_keep: number of newest checkpoints kept.

    Examples:
        >>> import tempfile, numpy as np
        >>> from mxjax import layers as L, train
        >>> model = train.Model(L.Dense(2))
        >>> _ = model.compile("sgd", "softmax_cross_entropy")
        >>> d = tempfile.mkdtemp()
        >>> x, y = np.ones((8, 3), "float32"), np.zeros(8, "int32")
        >>> h = model.fit(x, y, epochs=3, callbacks=[train.PeriodicCheckpoint(d, every=2)], verbose=0)
        >>> h = model.fit(x, y, epochs=4, resume=d, verbose=0)  # continues after epoch 3
        >>> h.epoch
        [0, 1, 2, 3]
    """

    def __init__(self, directory, every: int = 1, max_to_keep: int | None = 2):
        from mxjax._src.validate import check_int

        self.directory = os.fspath(directory)
        self.every = check_int(every, "every", "PeriodicCheckpoint")
        self.max_to_keep = max_to_keep
        self.manager: CheckpointManager | None = None
        self._last_saved: int | None = None
        self._last_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.manager = CheckpointManager(self.directory, max_to_keep=self.max_to_keep)
        self._last_saved = self._last_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            save_run(self.model, self.manager, epoch + 1)
            self._last_saved = epoch + 1
        self._last_epoch = epoch + 1

    def on_train_end(self, logs=None):
        last = self._last_epoch
        if last is not None and self._last_saved != last:
            save_run(self.model, self.manager, last)


class ResumeFrom(Callback):
    """Restores a run checkpoint when ``fit`` starts (``fit(resume=path)``)."""

    def __init__(self, path):
        self.path = os.fspath(path)

    def on_train_begin(self, logs=None):
        restore_run(self.model, self.path)
