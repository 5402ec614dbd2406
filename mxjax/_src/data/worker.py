"""Worker side of the DataLoader: loading a batch, and the worker process loop.

This module imports only the standard library and NumPy, so a spawned worker
never imports JAX unless the dataset itself needs it.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from mxjax._src.data import worker_imports
from mxjax._src.data.batchify import default_batchify_fn
from mxjax._src.data.rng import sample_key

__all__ = ["load_batch", "worker_loop"]


def load_batch(
    dataset: Any,
    indices: list,
    batchify_fn: Callable,
    batch_transform: Callable | None,
    key: tuple[int, ...],
) -> Any:
    """Loads the samples at ``indices`` and batchifies them.

    With ``key = (seed, epoch, batch)``, sample ``p`` of the batch is loaded
    under the Generator seeded ``key + (0, p)`` and the batch transform under
    ``key + (1,)`` (created only if a transform asks for it), which makes random
    transforms independent of the workers. A dataset with a ``_get_batch``
    method (an :class:`ArrayDataset` of NumPy arrays) is gathered in one step
    when the default batchify function is used.
    """
    get_batch = getattr(dataset, "_get_batch", None)
    if get_batch is not None and batchify_fn is default_batchify_fn:
        batch = get_batch(indices)  # fast path: one fancy-indexing gather, no randomness
    else:
        samples = []
        for pos, i in enumerate(indices):
            with sample_key((*key, 0, pos)):
                samples.append(dataset[i])
        batch = batchify_fn(samples)
    if batch_transform is not None:
        with sample_key((*key, 1)):
            batch = batch_transform(batch)
    return batch


def watch_parent(parent: int | None = None, interval: float = 0.5) -> threading.Thread:
    """Exits this process (status 0) within ``interval`` seconds of its parent's death.

    A closed pipe already ends an idle worker; this daemon thread also ends
    one that is busy inside a slow ``dataset[i]`` when the parent is killed
    (``kill -9`` included), so no worker outlives the training process.
    ``parent`` is the pid the parent had when it started this worker: a worker
    still starting up when its parent dies has already been re-parented, so its
    current ``getppid()`` would not tell.
    """
    parent = os.getppid() if parent is None else parent

    def run() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(interval)

    thread = threading.Thread(target=run, name="mxjax-parent-watch", daemon=True)
    thread.start()
    return thread


def worker_loop(
    worker_id: int,
    payload: bytes,
    conn: Any,
    imports: bytes | None = None,
    parent: int | None = None,
) -> None:
    """Main loop of a worker process: receive ``(task, indices, key)``, send results.

    ``imports`` (from :func:`worker_imports.capture` in the parent) installs the
    parent's module aliases and import hooks before the dataset is unpickled;
    ``parent`` is the parent's pid (see :func:`watch_parent`).
    Replies ``(task, True, batch)`` or ``(task, False, traceback_text)``; exits on
    ``None`` or when the parent's end of the pipe closes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent)
    try:
        if imports is not None:
            worker_imports.install(imports)
        dataset, batchify_fn, batch_transform = pickle.loads(payload)
    except BaseException:
        conn.send((None, False, traceback.format_exc()))
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        task, indices, key = msg
        try:
            batch = load_batch(dataset, indices, batchify_fn, batch_transform, key)
            reply = (task, True, batch)
        except BaseException:
            reply = (task, False, f"in worker {worker_id}:\n{traceback.format_exc()}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
        except Exception:
            conn.send((task, False, f"in worker {worker_id}:\n{traceback.format_exc()}"))
