"""The one place where the Gluon facade touches NDArrays, the recording mode and the dispatcher.

Everything else in ``mxjax._src.gluon`` goes through these helpers, so the
facade's contract with the NDArray implementation is written down once. Gluon
calls run through the dispatcher (``mxjax._src.dispatch``): ``call`` for a
layer, block or loss kernel, ``fused_step`` for ``Trainer.step``,
``join_collective`` for SyncBatchNorm; ``trace``/``pure_forward`` turn a
block's Python forward into the pure function a hybridized kernel compiles.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import threading
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.dispatch import (
    call as call,
    fused_step as fused_step,
    join_collective as join_collective,
    run_contexts as run_contexts,
)
from mxjax._src.host_random import key_from_seed
from mxjax._src.kernel import Kernel
from mxjax._src.nd._mode import _state, pause as _pause
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "call",
    "context_of",
    "current_trace",
    "is_ndarray",
    "is_recording",
    "is_training",
    "nd",
    "key_spec",
    "new_host_rng",
    "new_key",
    "to_jax",
    "trace",
    "wrap",
]


_MODULES: dict = {}


def nd():
    """The ``mxjax.nd`` module (imported on first use)."""
    mod = _MODULES.get("nd")
    if mod is None:
        mod = _MODULES["nd"] = importlib.import_module("mxjax.nd")
    return mod


def is_ndarray(x: Any) -> bool:
    """True for an ``mxjax.nd.NDArray``."""
    return isinstance(x, NDArray)


def to_jax(x: Any) -> Any:
    """The ``jax.Array`` under an NDArray (other values pass through)."""
    if isinstance(x, NDArray):
        return x.jax
    return x


def wrap(x: Any, ctx: Any = None) -> Any:
    """Wraps a ``jax.Array`` (or a pytree of them) as NDArray(s)."""
    if isinstance(x, (tuple, list)):
        return type(x)(wrap(v, ctx) for v in x)
    if isinstance(x, jax.Array) or isinstance(x, jax.core.Tracer):
        out = NDArray(x)
        if ctx is not None:
            out = out.as_in_context(ctx)
        return out
    return x


def context_of(x: Any) -> Any:
    """The context of an NDArray, or None."""
    return getattr(x, "context", None) if is_ndarray(x) else None


def is_recording() -> bool:
    """``autograd.is_recording()``; False inside a hybridized trace."""
    if current_trace() is not None:
        return False
    return _state.recording


def is_training() -> bool:
    """``autograd.is_training()`` (the trace's mode inside a hybridized trace)."""
    tr = current_trace()
    if tr is not None:
        return tr.train
    return _state.training


_counter = [0]


@functools.cache
def key_spec() -> jax.ShapeDtypeStruct:
    """The abstract type of a PRNG key, for ``jax.eval_shape`` (no key is created or compiled)."""
    return jax.eval_shape(lambda: jax.random.key(0))


def new_host_rng() -> np.random.Generator:
    """A fresh NumPy generator from ``mx.random``'s host stream (parameter initialization)."""
    mod = importlib.import_module("mxjax._src.nd.random")
    return mod.next_host_rng()


def new_key() -> jax.Array:
    """A fresh PRNG key: from the trace inside a hybridized call, else ``mx.random``'s stream."""
    tr = current_trace()
    if tr is not None:
        tr.count += 1
        return jax.random.fold_in(tr.key, tr.count)
    try:
        mod = importlib.import_module("mxjax._src.nd.random")
        return mod.next_key()
    except (ImportError, AttributeError):
        _counter[0] += 1
        return jax.random.fold_in(jax.random.key(0), _counter[0])


class _Trace:
    """State of a hybridized trace: parameter values as tracers, updated state, key."""

    def __init__(self, values: dict, key: Any, train: bool):
        self.values = values  # Parameter -> traced jax value
        self.updates: dict = {}
        self.key = key
        self.train = train
        self.count = 0


_local = threading.local()


def current_trace() -> _Trace | None:
    """The active hybridized trace, or None."""
    return getattr(_local, "trace", None)


@contextlib.contextmanager
def trace(values: dict, key: Any, train: bool):
    """Runs a block's Python forward with parameters replaced by traced values."""
    prev = current_trace()
    _local.trace = _Trace(values, key, train)
    try:
        yield _local.trace
    finally:
        _local.trace = prev


def as_jnp(x: Any) -> Any:
    """An array-like as a ``jax.Array`` (NDArray, numpy or jax input)."""
    x = to_jax(x)
    return x if isinstance(x, jax.Array | jax.core.Tracer) else jnp.asarray(x)


def assign(arr: Any, value: Any) -> None:
    """Writes ``value`` into NDArray ``arr`` in place (``arr[:] = value``)."""
    if not isinstance(value, jax.Array):
        value = to_jax(value)
        if not isinstance(value, jax.Array):
            value = jnp.asarray(value)
    if is_ndarray(arr):
        arr._data = value
        arr._entry = None
    else:
        arr[:] = wrap(value)


def is_fresh(arr: Any) -> bool:
    """Whether backward wrote ``arr.grad`` since the last :func:`mark_stale`."""
    return bool(getattr(arr, "_fresh", True))


def mark_stale(arr: Any) -> None:
    """Marks ``arr.grad`` as consumed by an optimizer step."""
    if hasattr(arr, "_fresh"):
        arr._fresh = False


CompiledVJP = Kernel  # the name the Gluon modules used before the dispatcher


_ZERO_KEY: list = []
_ZERO_COUNT: list = []


def const_key() -> jax.Array:
    """A constant PRNG key for calls that need none (created once)."""
    if not _ZERO_KEY:
        _ZERO_KEY.append(key_from_seed(0))  # jax.random.key compiles a program
    return _ZERO_KEY[0]


_STREAM: dict = {"base": None, "count": 0}


def key_args() -> tuple:
    """``(base_key, counter)`` for a compiled call that draws random numbers.

    The compiled function derives its key as ``fold_in(base_key, counter)``:
    the base key stays on the device and only a 4-byte counter changes per
    call, which is much cheaper than splitting a key eagerly every step. The
    stream restarts from ``mx.random``'s generator whenever that is reseeded.
    """
    mod = _MODULES.get("random")
    if mod is None:
        mod = _MODULES["random"] = importlib.import_module("mxjax._src.nd.random")
    base = mod.global_key()  # created without compiling when never seeded
    if _STREAM["base"] is not base:
        _STREAM["base"], _STREAM["count"] = base, 0
    _STREAM["count"] += 1
    return _STREAM["base"], np.uint32(_STREAM["count"] & 0xFFFFFFFF)


def key_stream_state(global_key: Any) -> int | None:
    """The counter of the compiled-call key stream when it derives from ``global_key``."""
    return _STREAM["count"] if _STREAM["base"] is global_key else None


def set_key_stream_state(global_key: Any, count: int | None) -> None:
    """Continues the key stream from ``global_key`` at ``count`` (None: restart it)."""
    if count is None:
        _STREAM["base"], _STREAM["count"] = None, 0
    else:
        _STREAM["base"], _STREAM["count"] = global_key, int(count)


def const_key_args() -> tuple:
    """``key_args()`` for calls that draw nothing (a constant key and counter, both on the device)."""
    if not _ZERO_COUNT:
        _ZERO_COUNT.append(jax.device_put(np.uint32(0)))  # jnp.asarray would compile
    return const_key(), _ZERO_COUNT[0]


@contextlib.contextmanager
def pause(train: bool | None = None):
    """``autograd.pause`` keeping the training mode unless ``train`` is given."""
    mode = _state.training if train is None else train
    with _pause(train_mode=mode):
        yield


def _is_leaf(x: Any) -> bool:
    # None is an empty subtree: it stays in the structure and is not passed to jit
    return x is not None and not isinstance(x, (list, tuple, dict))


def flatten_args(args: Any) -> tuple:
    """Flat leaves and structure of nested call arguments (``lstm(x, [h, c])``)."""
    return jax.tree_util.tree_flatten(list(args), is_leaf=_is_leaf)


def restore_outputs(res: Any, uses: list) -> Any:
    """Gives a compiled call's flat outputs the nesting its traced forward returned."""
    if len(uses) > 1 and isinstance(res, (list, tuple)):
        return jax.tree_util.tree_unflatten(uses[-1], list(res))
    return res


def pure_forward(
    block: Any,
    diff: tuple,
    const: tuple,
    train: bool,
    uses: list | None = None,
    tree: Any = None,
):
    """``block.forward`` as a pure function ``(dvals, cvals, key, *xs) -> (outs, new_cvals)``.

    ``diff``/``const`` are the block's differentiable and constant Parameters;
    their values are passed in and the constants' updates (BatchNorm
    statistics) returned. ``key`` is a PRNG key or ``(base_key, counter)``.
    ``uses[0]`` records whether the traced forward drew random numbers. With
    ``tree`` (from :func:`flatten_args`) the flat ``xs`` are nested back into
    the forward's arguments; a nested result (``(output, [h, c])``) is returned
    flat and its structure appended to ``uses`` (see :func:`restore_outputs`).
    """

    def pure(dvals, cvals, key, *xs):
        if isinstance(key, tuple):  # (base key, counter) from key_args()
            key = jax.random.fold_in(key[0], key[1])
        values = dict(zip(diff, dvals))
        values.update(zip(const, cvals))
        args = wrap(list(xs))
        if tree is not None:
            args = jax.tree_util.tree_unflatten(tree, args)
        with trace(values, key, train) as tr, pause(train):
            out = block.forward(*args)
        if uses is not None:  # remember whether the trace drew from the key
            uses[0] = bool(uses[0]) or tr.count > 0
        if isinstance(out, (list, tuple)) and any(isinstance(o, (list, tuple)) for o in out):
            leaves, otree = jax.tree_util.tree_flatten(out, is_leaf=_is_leaf)
            if uses is not None:
                uses.append(otree)
            out = tuple(leaves)
        multi = isinstance(out, (list, tuple))
        outs = tuple(to_jax(o) for o in out) if multi else to_jax(out)
        new_const = tuple(tr.updates.get(p, values[p]) for p in const)
        return outs, new_const

    return pure
