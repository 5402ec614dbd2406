"""Worker side of the DataLoader: loading a batch, and the worker process loop.

This module imports only the standard library and NumPy, so a spawned worker
never imports JAX unless the dataset itself needs it.
"""

from __future__ import annotations

import pickle
import signal
import traceback
from collections.abc import Callable
from typing import Any

from mxjax._src.data.rng import sample_key_rng, sample_rng

__all__ = ["load_batch", "worker_loop"]


def load_batch(
    dataset: Any,
    indices: list,
    batchify_fn: Callable,
    batch_transform: Callable | None,
    key: tuple[int, ...] | None,
) -> Any:
    """Loads the samples at ``indices`` and batchifies them.

    With a ``key`` ``(seed, epoch, batch)``, sample ``p`` of the batch is loaded
    under the Generator seeded ``key + (0, p)`` and the batch transform under
    ``key + (1,)``, which makes random transforms independent of the workers.
    """
    if key is None:
        samples = [dataset[i] for i in indices]
        batch = batchify_fn(samples)
        return batch if batch_transform is None else batch_transform(batch)
    samples = []
    for pos, i in enumerate(indices):
        with sample_rng(sample_key_rng((*key, 0, pos))):
            samples.append(dataset[i])
    batch = batchify_fn(samples)
    if batch_transform is not None:
        with sample_rng(sample_key_rng((*key, 1))):
            batch = batch_transform(batch)
    return batch


def worker_loop(worker_id: int, payload: bytes, conn: Any) -> None:
    """Main loop of a worker process: receive ``(task, indices, key)``, send results.

    Replies ``(task, True, batch)`` or ``(task, False, traceback_text)``; exits on
    ``None`` or when the parent's end of the pipe closes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
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
