"""``mx.kv``: MXNet's key-value store, in one process.

A :class:`KVStore` holds one array per key. ``push`` sums the values given
for a key (one per device) and either stores the sum or, once an optimizer
is set, applies the optimizer's update to the stored array; ``pull`` copies
the stored array into outputs. Every single-process MXNet type is accepted
(``'local'``, ``'device'``, ``'nccl'``, ``'local_update_cpu'``,
``'local_allreduce_cpu'``, ``'local_allreduce_device'``): they differ in
MXNet only in where the sum runs, which XLA decides here. The distributed
types (``'dist_*'``, ``'horovod'``, ``'byteps'``) need several processes and
are refused with a message pointing to :mod:`mxjax.launch`. New store types
register with :meth:`KVStoreBase.register`, as in MXNet (``'teststore'``
is MXNet's example of one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from mxjax._src.io.atomic import atomic_write
from mxjax._src.nd.ndarray import NDArray
from mxjax._src.optim.imperative import Updater, get_updater

__all__ = ["KVStore", "KVStoreBase", "TestStore", "create"]

_LOCAL_TYPES = (
    "local",
    "device",
    "nccl",
    "local_update_cpu",
    "local_allreduce_cpu",
    "local_allreduce_device",
)


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _keys_values(key: Any, value: Any, what: str) -> list[tuple[Any, list]]:
    """Pairs each key with its list of values (one NDArray or one per device)."""
    if isinstance(key, (list, tuple)):
        values = _as_list(value)
        if len(values) != len(key):
            raise ValueError(
                f"KVStore.{what}: {len(key)} keys but {len(values)} values; expected one value "
                "(or one list of per-device values) per key"
            )
        return [(k, _as_list(v)) for k, v in zip(key, values)]
    return [(key, _as_list(value))]


def _check_key(key: Any, what: str) -> None:
    if not isinstance(key, (int, str)) or isinstance(key, bool):
        raise TypeError(f"KVStore.{what}: keys must be int or str, got {type(key).__name__}")


def _sum(values: list) -> jax.Array:
    first = values[0]._data
    if len(values) == 1:
        return first
    dev = next(iter(first.devices()))
    return sum((jax.device_put(v._data, dev) for v in values[1:]), first)


def _write(out: NDArray, value: jax.Array) -> None:
    out._data = jax.device_put(value.astype(out._data.dtype), next(iter(out._data.devices())))
    out._entry = None


class KVStoreBase:
    """Base class of key-value stores; subclasses register under their lower-cased name.

    Examples:
        >>> import mxjax as mx
        >>> @mx.kv.KVStoreBase.register
        ... class MyStore(mx.kv.TestStore):
        ...     pass
        >>> type(mx.kv.create("mystore")).__name__
        'MyStore'
    """

    kv_registry: dict[str, type] = {}
    #: capability names for :meth:`is_capable`
    OPTIMIZER = "optimizer"

    @staticmethod
    def register(klass: type) -> type:
        """Registers a store class under ``klass.__name__.lower()`` (for :func:`create`)."""
        if not isinstance(klass, type):
            raise TypeError(f"KVStoreBase.register: expected a class, got {klass!r}")
        KVStoreBase.kv_registry[klass.__name__.lower()] = klass
        return klass

    @staticmethod
    def is_capable(capability: str) -> bool:
        """Whether the store supports ``capability`` (``KVStoreBase.OPTIMIZER``)."""
        raise NotImplementedError

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """Initializes ``key`` with ``value`` and copies it into ``out``."""
        raise NotImplementedError

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """Sums ``value`` over devices and writes the result into ``out`` (or ``value``)."""
        raise NotImplementedError

    @property
    def type(self) -> str:
        """The store's type name."""
        return type(self).__name__.lower()

    @property
    def rank(self) -> int:
        """This worker's rank (0: one process)."""
        return 0

    @property
    def num_workers(self) -> int:
        """The number of workers (1: one process)."""
        return 1

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        raise NotImplementedError

    def load_optimizer_states(self, fname: str) -> None:
        raise NotImplementedError

    def set_optimizer(self, optimizer: Any) -> None:
        raise NotImplementedError


@KVStoreBase.register
class TestStore(KVStoreBase):
    """MXNet's example store: ``pushpull``/``broadcast`` only, no optimizer.

    Examples:
        >>> import mxjax as mx
        >>> kv = mx.kv.create("teststore")
        >>> a, b = mx.nd.ones((2,)), mx.nd.ones((2,))
        >>> kv.pushpull(0, [a, b])
        >>> a.asnumpy().tolist(), kv.is_capable(kv.OPTIMIZER)
        ([2.0, 2.0], False)
    """

    __test__ = False  # not a pytest test class

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        for _, (v, o) in zip(_as_list(key), zip(_as_list(value), _as_list(out))):
            for target in _as_list(o):
                _write(target, v._data)

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        outs = value if out is None else out
        for (_, vals), o in zip(_keys_values(key, value, "pushpull"), _per_key(key, outs)):
            total = _sum(vals)
            for target in _as_list(o):
                _write(target, total)

    @staticmethod
    def is_capable(capability: str) -> bool:
        return False


def _per_key(key: Any, out: Any) -> list:
    return _as_list(out) if isinstance(key, (list, tuple)) else [out]


class KVStore(KVStoreBase):
    """A single-process key-value store (MXNet's ``local``/``device`` types).

    Examples:
        >>> import mxjax as mx
        >>> kv = mx.kv.create("local")
        >>> kv.init(3, mx.nd.ones((2,)))
        >>> kv.push(3, [mx.nd.ones((2,)), mx.nd.ones((2,))])  # summed over devices
        >>> out = mx.nd.zeros((2,))
        >>> kv.pull(3, out=out)
        >>> out.asnumpy().tolist()
        [2.0, 2.0]
        >>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
        >>> kv.push(3, mx.nd.ones((2,)))  # now: stored -= 0.1 * grad
        >>> kv.pull(3, out=out)
        >>> [round(v, 4) for v in out.asnumpy().tolist()]
        [1.9, 1.9]
    """

    def __init__(self, name: str = "local"):
        self._type = name
        self._store: dict = {}
        self._updater: Updater | None = None
        self._compression: dict | None = None

    @property
    def type(self) -> str:
        return self._type

    @staticmethod
    def is_capable(capability: str) -> bool:
        if capability == KVStoreBase.OPTIMIZER:
            return True
        raise ValueError(f"KVStore.is_capable: unknown capability {capability!r}")

    # -- data -----------------------------------------------------------------------------
    def init(self, key: Any, value: Any) -> None:
        """Stores the initial value of each key (the first of per-device values)."""
        for k, vals in _keys_values(key, value, "init"):
            _check_key(k, "init")
            self._store[k] = NDArray(vals[0]._data)

    def _stored(self, key: Any, what: str) -> NDArray:
        if key not in self._store:
            raise KeyError(f"KVStore.{what}: key {key!r} was not initialized (call init first)")
        return self._store[key]

    def push(self, key: Any, value: Any, priority: int = 0) -> None:
        """Sums the values of each key; updates the stored value with the optimizer
        (if one is set) or replaces it by the sum."""
        for k, vals in _keys_values(key, value, "push"):
            stored = self._stored(k, "push")
            total = NDArray(_sum(vals))
            if self._updater is not None:
                self._updater(k, total, stored)
            else:
                _write(stored, total._data)

    def pull(self, key: Any, out: Any = None, priority: int = 0, ignore_sparse: bool = True):
        """Copies the stored value of each key into ``out`` (an NDArray or a list per device)."""
        if out is None:
            raise ValueError("KVStore.pull: `out` is required (an NDArray or a list of them)")
        for k, o in zip(_as_list(key), _per_key(key, out)):
            stored = self._stored(k, "pull")
            for target in _as_list(o):
                _write(target, stored._data)

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """:meth:`push` then :meth:`pull` (into ``value`` when ``out`` is None).

        Without an optimizer and for a key never initialized, the sum is
        written directly (MXNet's allreduce).
        """
        outs = value if out is None else out
        for (k, vals), o in zip(_keys_values(key, value, "pushpull"), _per_key(key, outs)):
            if k not in self._store and self._updater is None:
                total = _sum(vals)
                for target in _as_list(o):
                    _write(target, total)
                continue
            self.push(k, vals)
            self.pull(k, out=o)

    def broadcast(self, key: Any, value: Any, out: Any, priority: int = 0) -> None:
        """:meth:`init` with ``value``, then :meth:`pull` into ``out``."""
        self.init(key, value)
        self.pull(key, out=out)

    def row_sparse_pull(self, key: Any, out: Any = None, priority: int = 0, row_ids: Any = None):
        """Pulls the stored value (all rows: arrays are dense here)."""
        self.pull(key, out=out)

    # -- optimizer ------------------------------------------------------------------------
    def set_optimizer(self, optimizer: Any) -> None:
        """Applies ``optimizer`` on every later :meth:`push` (update on the store)."""
        self._set_updater(get_updater(optimizer))

    def _set_updater(self, updater: Callable) -> None:
        self._updater = updater

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Gradient compression is not supported (one process: nothing is sent)."""
        raise NotImplementedError(
            "KVStore.set_gradient_compression: gradient compression is not supported by mxjax"
        )

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Writes the optimizer states atomically (``.npz`` bytes, no pickle)."""
        if self._updater is None:
            raise ValueError("KVStore.save_optimizer_states: no optimizer is set")
        atomic_write(fname, self._updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        """Reads states written by :meth:`save_optimizer_states`."""
        if self._updater is None:
            raise ValueError("KVStore.load_optimizer_states: no optimizer is set")
        with open(fname, "rb") as f:
            self._updater.set_states(f.read())

    def barrier(self) -> None:
        """Nothing to wait for in one process."""

    _barrier = barrier

    def _send_command_to_servers(self, head: int, body: str) -> None:
        """No servers in one process."""


for _name in _LOCAL_TYPES:
    KVStoreBase.kv_registry.setdefault(_name, KVStore)


def create(name: str = "local") -> KVStoreBase:
    """Creates a key-value store by type name (MXNet's ``mx.kv.create``).

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: an unknown or multi-process type.

    Examples:
        >>> import mxjax as mx
        >>> kv = mx.kv.create("device")
        >>> kv.type, kv.rank, kv.num_workers
        ('device', 0, 1)
    """
    if not isinstance(name, str):
        raise TypeError(f"kv.create: `name` must be a str, got {type(name).__name__}")
    lower = name.lower()
    if lower.startswith("dist") or lower in ("horovod", "byteps"):
        raise ValueError(
            f"kv.create: {name!r} is a multi-process store, not available in one process; "
            "run data-parallel training with mxjax.launch and mxjax.parallel instead"
        )
    klass = KVStoreBase.kv_registry.get(lower)
    if klass is None:
        raise ValueError(
            f"kv.create: unknown store type {name!r}; expected one of "
            f"{sorted(KVStoreBase.kv_registry)}"
        )
    return klass(lower) if klass is KVStore else klass()
