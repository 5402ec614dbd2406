"""The DataLoader: batches from a Dataset, loaded inline, by threads or by worker processes."""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import functools
import multiprocessing as mp
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from mxjax._src.data import worker_imports
from mxjax._src.data.batchify import default_batchify_fn
from mxjax._src.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from mxjax._src.data.worker import load_batch, worker_loop
from mxjax._src.errors import MXJaxError

__all__ = [
    "DataLoader",
    "DataLoaderError",
    "DataLoaderTimeoutError",
    "WorkerDiedError",
    "WorkerError",
]

_OUTPUTS = ("numpy", "jax", "nd")


class DataLoaderError(MXJaxError):
    """Base class of the DataLoader's errors.

    Examples:
        >>> from mxjax.data import DataLoaderError, WorkerDiedError
        >>> issubclass(WorkerDiedError, DataLoaderError)
        True
    """


class WorkerDiedError(DataLoaderError):
    """A worker process exited or was killed while the DataLoader was waiting on it.

    Attributes:
        worker_id: the worker's index.
        exitcode: the process exit code (negative: killed by signal ``-exitcode``).

    Examples:
        >>> from mxjax.data import WorkerDiedError
        >>> str(WorkerDiedError(1, -9)).startswith("DataLoader worker 1 (")
        True
    """

    def __init__(self, worker_id: int, exitcode: int | None, pid: int | None = None):
        self.worker_id, self.exitcode = worker_id, exitcode
        if exitcode is None:
            how = "closed its pipe unexpectedly and did not exit"
        elif exitcode < 0:
            try:
                how = f"was killed by signal {signal.Signals(-exitcode).name} ({-exitcode})"
            except ValueError:
                how = f"was killed by signal {-exitcode}"
        else:
            how = (
                f"exited unexpectedly with exit code {exitcode} (its traceback, if any, is "
                "on stderr)"
            )
        super().__init__(
            f"DataLoader worker {worker_id} (pid {pid}) {how}. The worker pool was shut down; "
            "a new iteration starts fresh workers. If the system ran out of memory, reduce "
            "num_workers or the batch size."
        )


class WorkerError(DataLoaderError):
    """Loading a batch raised an exception; the message holds the original traceback.

    Examples:
        >>> from mxjax.data import WorkerError, DataLoaderError
        >>> issubclass(WorkerError, DataLoaderError)
        True
    """


class DataLoaderTimeoutError(DataLoaderError, TimeoutError):
    """No batch arrived within the DataLoader's ``timeout``.

    Examples:
        >>> from mxjax.data import DataLoaderTimeoutError
        >>> issubclass(DataLoaderTimeoutError, TimeoutError)
        True
    """


def _shutdown(procs: list, conns: list) -> None:
    for c in conns:
        try:
            c.send(None)
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + 0.5
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            p.terminate()
            p.join(1.0)
        if p.is_alive():
            p.kill()
            p.join(1.0)
        p.close()
    for c in conns:
        c.close()


class _ProcessPool:
    """Persistent spawned worker processes, one duplex pipe each."""

    def __init__(self, num_workers: int, payload: bytes):
        ctx = mp.get_context("spawn")
        imports = worker_imports.capture()
        self.procs, self.conns = [], []
        self.pending: list[collections.deque] = []
        self._finalizer = weakref.finalize(self, _shutdown, self.procs, self.conns)
        for wid in range(num_workers):
            parent, child = ctx.Pipe(duplex=True)
            proc = ctx.Process(
                target=worker_loop,
                args=(wid, payload, child, imports, os.getpid()),
                daemon=True,
                name=f"mxjax-data-worker-{wid}",
            )
            with _main_hidden():
                proc.start()
            child.close()
            self.procs.append(proc)
            self.conns.append(parent)
            self.pending.append(collections.deque())
        self.next_iter_id = 0
        self.live: set[int] = set()  # iterations still consuming results
        self.mailbox: dict[tuple[int, int], tuple[bool, Any]] = {}

    def send(self, wid: int, task: tuple, indices: list, key: tuple | None) -> None:
        self.conns[wid].send((task, indices, key))
        self.pending[wid].append(task)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _main_hidden() -> Any:
    """Hides ``__main__`` while a worker is spawned, so the child never re-runs the script.

    Spawned children normally re-import the parent's main module, which re-runs an
    unguarded training script (MXNet's fork-based workers never did). The workers
    need nothing from it: the dataset is sent pickled (by value with cloudpickle).
    """
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _payload(dataset: Any, batchify_fn: Callable, batch_transform: Callable | None) -> bytes:
    obj = (dataset, batchify_fn, batch_transform)
    try:  # cloudpickle sends lambdas and objects defined in the script by value
        import cloudpickle
    except ImportError:
        cloudpickle = None
    try:
        if cloudpickle is not None:
            return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        raise TypeError(
            "DataLoader: with num_workers > 0 the dataset, batchify_fn and batch_transform "
            f"are sent to spawned worker processes and must be picklable; pickling failed "
            f"({type(e).__name__}: {e}). Use module-level functions instead of lambdas, "
            "install cloudpickle, or pass thread_pool=True."
        ) from None
    if b"__main__" in data:
        raise TypeError(
            "DataLoader: with num_workers > 0 the dataset, batchify_fn and batch_transform are "
            "sent to spawned worker processes, which do not run the main script; objects "
            "defined in it cannot be found there. Move them to an importable module, install "
            "cloudpickle, or pass thread_pool=True."
        )
    return data


class DataLoader:
    """Loads batches from a dataset (MXNet 1.9.1 ``gluon.data.DataLoader`` semantics).

    Batches come out as NumPy arrays (``output='numpy'``, the default of
    ``mxjax.data.DataLoader``), as ``mxjax.nd.NDArray`` (``output='nd'``, the
    default of ``mxjax.gluon.data.DataLoader``), or as ``jax.Array`` placed on
    device (``output='jax'``), optionally sharded along the batch axis over
    ``devices`` or by ``sharding``, with ``device_prefetch`` batches put on the
    device ahead of time.

    Loading runs in the main thread (``num_workers=0``), in a pool of threads
    (``thread_pool=True``) or in spawned worker processes (JAX is not
    fork-safe, so processes are started with ``spawn``; the dataset is pickled
    to them once and the pool is reused across epochs). A crashed or killed
    worker raises :class:`WorkerDiedError` within about a second, a raising
    transform :class:`WorkerError` with the worker's traceback, and a batch
    that takes longer than ``timeout`` seconds :class:`DataLoaderTimeoutError`.
    Workers never re-run the main script, so
    Gluon scripts need no ``if __name__ == "__main__":`` guard; with cloudpickle
    installed, lambdas and classes defined in the script are sent by value.

    Randomness: each sample is loaded while :func:`mxjax.data.get_rng` returns
    a Generator seeded by ``(seed, epoch, batch index, position)``, and the
    sampler is ``RandomSampler(len(dataset), seed=seed)`` when ``shuffle``; with
    a ``seed`` the batches are identical for any ``num_workers`` and
    ``thread_pool``. Without one, NumPy's global state is drawn from.

    Args:
        dataset: the Dataset (any object with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch (unless ``batch_sampler`` is given).
        shuffle: shuffle every epoch.
        sampler: the index sampler (exclusive with ``shuffle``).
        last_batch: ``'keep'`` (default), ``'discard'`` or ``'rollover'``.
        batch_sampler: yields lists of indices (exclusive with the four above).
        batchify_fn: merges a list of samples; default :func:`default_batchify_fn`.
        num_workers: number of worker processes or threads; 0 loads inline.
        pin_memory: with ``output='nd'``, batches report context
            ``cpu_pinned(pin_device_id)`` as in MXNet (host memory either way).
        pin_device_id: the id of the pinned context.
        prefetch: batches loaded ahead; default ``2 * num_workers``.
        thread_pool: use threads instead of processes.
        timeout: seconds to wait for one batch from the workers.
        seed: seed of the shuffle and of the transforms' Generators.
        output: ``'numpy'``, ``'jax'`` or ``'nd'``.
        batch_transform: optional function applied to each whole batch after
            ``batchify_fn`` (in the worker), e.g. ``transforms.ToTensor()`` on an
            NHWC batch: the vectorized path.
        sharding: a ``jax.sharding.Sharding`` for ``output='jax'``.
        devices: devices to shard the batch axis over for ``output='jax'``.
        device_prefetch: batches transferred to the device ahead (``'jax'`` only).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import ArrayDataset, DataLoader
        >>> ds = ArrayDataset(np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5))
        >>> for x, y in DataLoader(ds, batch_size=2, last_batch='discard'):
        ...     print(x.shape, y.tolist())
        (2, 2) [0, 1]
        (2, 2) [2, 3]
    """

    _default_output = "numpy"

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = None,
        shuffle: bool = False,
        sampler: Any = None,
        last_batch: str | None = None,
        batch_sampler: Any = None,
        batchify_fn: Callable | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        pin_device_id: int = 0,
        prefetch: int | None = None,
        thread_pool: bool = False,
        timeout: float = 120,
        seed: int | None = None,
        output: str | None = None,
        batch_transform: Callable | None = None,
        sharding: Any = None,
        devices: Any = None,
        device_prefetch: int = 2,
    ):
        self._dataset = dataset
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError(
                    "DataLoader: batch_size must be specified unless batch_sampler is specified"
                )
            if sampler is None:
                if shuffle:
                    sampler = RandomSampler(len(dataset), seed=seed)
                else:
                    sampler = SequentialSampler(len(dataset))
            elif shuffle:
                raise ValueError(
                    "DataLoader: shuffle must not be specified if sampler is specified"
                )
            batch_sampler = BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError(
                "DataLoader: batch_size, shuffle, sampler and last_batch must not be specified "
                "if batch_sampler is specified"
            )
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                f"DataLoader: num_workers must be an int >= 0, received {num_workers!r}"
            )
        if not timeout or timeout <= 0:
            raise ValueError(f"DataLoader: timeout must be > 0 seconds, received {timeout!r}")
        output = self._default_output if output is None else output
        if output not in _OUTPUTS:
            raise ValueError(f"DataLoader: output must be one of {_OUTPUTS}, received {output!r}")
        if (sharding is not None or devices is not None) and output != "jax":
            raise ValueError(
                f"DataLoader: sharding/devices need output='jax', received output={output!r}"
            )
        if sharding is not None and devices is not None:
            raise ValueError("DataLoader: pass sharding or devices, not both")
        self._batch_sampler = batch_sampler
        self._batchify_fn = default_batchify_fn if batchify_fn is None else batchify_fn
        self._batch_transform = batch_transform
        self._num_workers = num_workers
        self._thread_pool = thread_pool
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * num_workers)
        self._timeout = float(timeout)
        self._seed = seed
        self._output = output
        self._sharding = sharding
        self._devices = devices
        self._device_prefetch = max(0, int(device_prefetch))
        self.pin_memory, self.pin_device_id = pin_memory, pin_device_id
        self._epoch = 0
        self._pool: Any = None

    def __len__(self) -> int:
        return len(self._batch_sampler)

    def __iter__(self) -> _LoaderIter:
        epoch = self._epoch
        self._epoch += 1
        seed = self._seed if self._seed is not None else int(np.random.randint(0, 2**31 - 1))
        return _LoaderIter(self, iter(self._batch_sampler), (seed, epoch))

    def _get_pool(self) -> Any:
        if self._pool is None or getattr(self._pool, "closed", False):
            if self._thread_pool:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    self._num_workers, thread_name_prefix="mxjax-data"
                )
            else:
                payload = _payload(self._dataset, self._batchify_fn, self._batch_transform)
                self._pool = _ProcessPool(self._num_workers, payload)
        return self._pool

    def _drop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if isinstance(pool, _ProcessPool):
            pool.close()
        elif pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stops the workers now (they are also stopped when the loader is garbage-collected)."""
        self._drop_pool()

    def __enter__(self) -> DataLoader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None and not isinstance(pool, _ProcessPool):
            pool.shutdown(wait=False, cancel_futures=True)

    # -- output conversion -------------------------------------------------
    def _converter(self) -> Callable[[Any], Any]:
        if self._output == "numpy":
            return lambda x: x
        if self._output == "nd":
            return functools.partial(_to_nd, pin=self.pin_memory, pin_id=self.pin_device_id)
        import jax

        sharding = self._sharding
        if sharding is None and self._devices is not None:
            devices = np.asarray(list(self._devices))
            mesh = jax.sharding.Mesh(devices, ("batch",))
            sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("batch"))
        if sharding is None:
            return jax.device_put

        def put(x: Any) -> Any:
            try:
                return jax.device_put(x, sharding)
            except ValueError as e:
                raise ValueError(
                    f"DataLoader: cannot shard a batch of shape {np.shape(x)} with {sharding}: "
                    f"{e}. The batch axis must divide by the number of devices; use "
                    "last_batch='discard' or 'rollover'."
                ) from None

        return put


def _to_nd(x: Any, pin: bool = False, pin_id: int = 0) -> Any:
    """A batch leaf as an NDArray keeping its dtype (int labels stay int), as MXNet's batchify."""
    import jax

    from mxjax import nd
    from mxjax._src import context

    if not isinstance(x, nd.NDArray):
        x = np.asarray(x)
        x = nd.array(x, dtype=jax.dtypes.canonicalize_dtype(x.dtype))
    return x.as_in_context(context.cpu_pinned(pin_id)) if pin else x


def _map_leaves(fn: Callable, batch: Any) -> Any:
    if isinstance(batch, (list, tuple)):
        return type(batch)(_map_leaves(fn, b) for b in batch)
    if isinstance(batch, dict):
        return {k: _map_leaves(fn, v) for k, v in batch.items()}
    return fn(batch)


class _LoaderIter:
    """One epoch over a DataLoader."""

    def __init__(self, loader: DataLoader, batches: Any, epoch_key: tuple[int, int]):
        self._loader = loader
        self._batches = enumerate(batches)
        self._key = epoch_key
        self._convert = loader._converter()
        self._ahead: collections.deque = collections.deque()
        self._exhausted = False
        self._next = 0
        self._mode = "inline"
        if loader._num_workers > 0:
            self._mode = "threads" if loader._thread_pool else "processes"
            self._pool = loader._get_pool()
            self._window = max(1, loader._prefetch)
            self._futures: collections.deque = collections.deque()
            self._owner: dict[int, int] = {}
            if self._mode == "processes":
                self._id = self._pool.next_iter_id
                self._pool.next_iter_id += 1
                self._pool.live.add(self._id)
            self._fill()

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def _take(self) -> tuple[int, list] | None:
        if self._exhausted:
            return None
        try:
            return next(self._batches)
        except StopIteration:
            self._exhausted = True
            return None

    def _fill(self) -> None:
        lo = self._loader
        if self._mode == "threads":
            while len(self._futures) < self._window and (item := self._take()) is not None:
                b, idx = item
                fut = self._pool.submit(
                    load_batch, lo._dataset, idx, lo._batchify_fn, lo._batch_transform,
                    (*self._key, b),
                )  # fmt: skip
                self._futures.append((b, fut))
        elif self._mode == "processes":
            while len(self._owner) < self._window:
                item = self._take()
                if item is None:
                    return
                b, idx = item
                wid = min(range(len(self._pool.pending)), key=lambda w: len(self._pool.pending[w]))
                try:
                    self._pool.send(wid, (self._id, b), list(idx), (*self._key, b))
                except OSError:  # BrokenPipeError: the worker died
                    proc = self._pool.procs[wid]
                    proc.join(5.0)
                    error = WorkerDiedError(wid, proc.exitcode, proc.pid)
                    self._loader._drop_pool()
                    self._exhausted = True
                    self._owner.clear()
                    raise error from None
                self._owner[b] = wid

    def _produce(self) -> Any:
        lo = self._loader
        if self._mode == "inline":
            item = self._take()
            if item is None:
                raise StopIteration
            b, idx = item
            return load_batch(
                lo._dataset, idx, lo._batchify_fn, lo._batch_transform, (*self._key, b)
            )
        if self._mode == "threads":
            if not self._futures:
                raise StopIteration
            b, fut = self._futures.popleft()
            try:
                batch = fut.result(timeout=lo._timeout)
            except concurrent.futures.TimeoutError:
                lo._drop_pool()
                raise DataLoaderTimeoutError(
                    f"DataLoader: batch {b} was not loaded within timeout={lo._timeout} s by the "
                    "thread pool; increase timeout or check the dataset for blocking calls."
                ) from None
            except Exception as e:
                tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
                raise WorkerError(
                    f"DataLoader: loading batch {b} raised in a worker thread:\n{tb}"
                ) from e
            self._fill()
            return batch
        return self._produce_from_processes()

    def _produce_from_processes(self) -> Any:
        lo, pool, b = self._loader, self._pool, self._next
        if b not in self._owner:
            self._release()
            raise StopIteration
        key = (self._id, b)
        deadline = time.monotonic() + lo._timeout
        conn_ids = {id(c): w for w, c in enumerate(pool.conns)}
        sentinels = {p.sentinel: w for w, p in enumerate(pool.procs)}
        try:
            while key not in pool.mailbox:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DataLoaderTimeoutError(
                        f"DataLoader: worker {self._owner.get(b)} did not deliver batch {b} "
                        f"within timeout={lo._timeout} s; increase timeout or check the dataset "
                        "for blocking calls. The worker pool was shut down."
                    )
                ready = mp.connection.wait(
                    pool.conns + list(sentinels), timeout=min(remaining, 1.0)
                )
                dead = []
                for obj in ready:
                    if id(obj) not in conn_ids:
                        dead.append(sentinels[obj])
                        continue
                    wid = conn_ids[id(obj)]
                    try:
                        task, ok, payload = obj.recv()
                    except (EOFError, OSError):
                        dead.append(wid)
                        continue
                    if task is None:
                        raise WorkerError(
                            f"DataLoader: worker {wid} could not unpickle the dataset:\n{payload}"
                        )
                    pool.pending[wid].popleft()
                    if task[0] in pool.live:  # results of abandoned iterations are dropped
                        pool.mailbox[task] = (ok, payload)
                if key not in pool.mailbox:
                    for wid in dead:
                        proc = pool.procs[wid]
                        proc.join(5.0)  # its pipe closed: it is exiting; get the exit code
                        raise WorkerDiedError(wid, proc.exitcode, proc.pid)
            ok, payload = pool.mailbox.pop(key)
            del self._owner[b]
            if not ok:
                raise WorkerError(f"DataLoader: loading batch {b} raised {payload.rstrip()}")
        except DataLoaderError:
            lo._drop_pool()
            self._exhausted = True
            self._owner.clear()
            raise
        self._next += 1
        self._fill()
        return payload

    def _release(self) -> None:
        pool = getattr(self, "_pool", None)
        if isinstance(pool, _ProcessPool):
            pool.live.discard(self._id)
            for k in [k for k in pool.mailbox if k[0] == self._id]:
                del pool.mailbox[k]

    def __del__(self) -> None:
        self._release()

    def __next__(self) -> Any:
        if self._mode != "processes":
            self._next += 1
        if self._loader._output != "jax" or self._loader._device_prefetch == 0:
            return _map_leaves(self._convert, self._produce())
        while len(self._ahead) <= self._loader._device_prefetch:
            try:
                self._ahead.append(_map_leaves(self._convert, self._produce()))
            except StopIteration:
                break
        if not self._ahead:
            raise StopIteration
        return self._ahead.popleft()
