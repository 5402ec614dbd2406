"""Running small setup functions on the host: initial values, optimizer states.

A network's ``init`` and an optimizer's ``init`` are short programs: split
and fold random keys, draw values (host callbacks, see
:mod:`mxjax._src.host_random`), make zeros and constants. Compiling them
with XLA costs far more than running them, and a program holding host
callbacks is never stored in JAX's persistent compilation cache, so every
new process would compile it again.

:func:`host_eval` traces a function to a jaxpr (tracing compiles nothing),
keeps only the equations its outputs need (the shape-inferring forward pass
of an ``init`` is dead code), and runs them with NumPy: keys are split and
folded with a NumPy Threefry-2x32 that gives JAX's exact bits, and host
callbacks are called directly. A function using an operation outside this
small set runs as one ``jax.jit`` program instead, with the same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.extend.core as jcore
import numpy as np

__all__ = ["host_eval", "split_key", "threefry2x32"]


class _Unsupported(Exception):
    """An equation the host evaluator does not run (the caller compiles instead)."""


class _Keys:
    """A (possibly batched) threefry key array on the host: ``words`` has shape ``(*shape, 2)``."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = np.asarray(words, dtype=np.uint32)


# ------------------------------------------------------------------ threefry
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def threefry2x32(k1, k2, x1, x2) -> tuple[np.ndarray, np.ndarray]:
    """The Threefry-2x32 hash (20 rounds) in NumPy, bit-exact with ``jax.random``'s.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.host_eval import threefry2x32
        >>> [int(v[0]) for v in threefry2x32(np.uint32(0), np.uint32(0), np.zeros(1, np.uint32), np.zeros(1, np.uint32))]
        [1797259609, 2579123966]
    """
    k1, k2 = np.uint32(k1), np.uint32(k2)
    ks = (k1, k2, k1 ^ k2 ^ np.uint32(0x1BD11BDA))
    x0 = np.asarray(x1, np.uint32) + ks[0]
    x1_ = np.asarray(x2, np.uint32) + ks[1]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x0 = x0 + x1_
            x1_ = (x1_ << np.uint32(r)) | (x1_ >> np.uint32(32 - r))
            x1_ = x0 ^ x1_
        x0 = x0 + ks[(i + 1) % 3]
        x1_ = x1_ + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1_


def _split_one(words: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    if jax.config.jax_threefry_partitionable:
        lo = np.arange(n, dtype=np.uint64)
        b1, b2 = threefry2x32(
            words[0], words[1], (lo >> np.uint64(32)).astype(np.uint32), lo.astype(np.uint32)
        )
        return np.stack([b1, b2], axis=-1).reshape(*shape, 2)
    counts = np.arange(2 * n, dtype=np.uint32)
    b1, b2 = threefry2x32(words[0], words[1], counts[:n], counts[n:])
    return np.concatenate([b1, b2]).reshape(*shape, 2)


def _fold_in_one(words: np.ndarray, data: int) -> np.ndarray:
    b1, b2 = threefry2x32(
        words[0], words[1], np.zeros(1, np.uint32), np.array([data & 0xFFFFFFFF], np.uint32)
    )
    return np.array([b1[0], b2[0]], np.uint32)


def _is_threefry(key: Any) -> bool:
    try:
        return "threefry" in str(jax.random.key_impl(key))
    except TypeError:
        return False


def split_key(key: jax.Array, num: int = 2) -> tuple[jax.Array, ...]:
    """The ``num`` keys of ``jax.random.split(key, num)``, computed on the host.

    Returns a tuple of scalar keys (unpacking a split key array compiles a
    program); nothing is compiled. Keys of other generators than threefry
    are split by ``jax.random.split``.

    Examples:
        >>> import jax
        >>> from mxjax._src.host_eval import split_key
        >>> k = jax.random.key(5)
        >>> a, b = split_key(k)
        >>> bool((jax.random.key_data(b) == jax.random.key_data(jax.random.split(k)[1])).all())
        True
    """
    if getattr(key, "shape", None) != () or not _is_threefry(key):
        return tuple(jax.random.split(key, num))
    words = _split_one(np.asarray(jax.random.key_data(key), np.uint32), (int(num),))
    return tuple(jax.random.wrap_key_data(w) for w in words)


# -------------------------------------------------------------- primitives
def _keys_map(fn: Callable, keys: _Keys) -> np.ndarray:
    """Applies ``fn(words (2,)) -> array`` to every key of a key array."""
    flat = keys.words.reshape(-1, 2)
    outs = [fn(w) for w in flat]
    return np.stack(outs).reshape(*keys.words.shape[:-1], *outs[0].shape) if outs else None


def _random_split(keys, *, shape):
    if keys.words.size == 0:
        raise _Unsupported("empty key array")
    return _Keys(_keys_map(lambda w: _split_one(w, tuple(shape)), keys))


def _random_fold_in(keys, msgs):
    msgs = np.broadcast_to(np.asarray(msgs), keys.words.shape[:-1]).astype(np.int64).ravel()
    flat = keys.words.reshape(-1, 2)
    out = [_fold_in_one(w, int(m)) for w, m in zip(flat, msgs)]
    return _Keys(np.stack(out).reshape(keys.words.shape))


def _random_seed(seeds, *, impl):
    if "threefry" not in str(impl):
        raise _Unsupported(f"random_seed of {impl}")
    s = np.asarray(seeds).astype(np.int64)
    hi = ((s >> 32) & 0xFFFFFFFF) if np.asarray(seeds).dtype.itemsize == 8 else np.zeros_like(s)
    return _Keys(np.stack([hi, s & 0xFFFFFFFF], axis=-1).astype(np.uint32))


def _random_wrap(base, *, impl):
    if "threefry" not in str(impl):
        raise _Unsupported(f"random_wrap of {impl}")
    return _Keys(base)


def _on_words(fn: Callable) -> Callable:
    """A structural rule that also applies to key arrays (the trailing words axis is kept)."""

    def rule(x, *rest, **params):
        if isinstance(x, _Keys):
            return _Keys(fn(x.words, *rest, key=True, **params))
        return fn(x, *rest, key=False, **params)

    return rule


@_on_words
def _slice(x, *, start_indices, limit_indices, strides, key):
    idx = tuple(
        slice(int(a), int(b), None if s is None else int(s))
        for a, b, s in zip(start_indices, limit_indices, strides or (None,) * len(start_indices))
    )
    return x[idx]


@_on_words
def _squeeze(x, *, dimensions, key):
    return np.squeeze(x, axis=tuple(int(d) for d in dimensions)) if dimensions else x


@_on_words
def _reshape(x, *, new_sizes, key, **_):
    return np.reshape(x, (*new_sizes, 2) if key else tuple(new_sizes))


@_on_words
def _broadcast_in_dim(x, *, shape, broadcast_dimensions, key, **_):
    dims = tuple(broadcast_dimensions) + ((len(shape),) if key else ())
    full = (*shape, 2) if key else tuple(shape)
    return np.broadcast_to(np.reshape(x, _expand_shape(x.shape, dims, len(full))), full).copy()


def _expand_shape(in_shape, dims, ndim):
    out = [1] * ndim
    for size, d in zip(in_shape, dims):
        out[d] = size
    return out


@_on_words
def _transpose(x, *, permutation, key):
    perm = tuple(permutation) + ((len(permutation),) if key else ())
    return np.transpose(x, perm)


def _concatenate(*xs, dimension):
    if any(isinstance(x, _Keys) for x in xs):
        if not all(isinstance(x, _Keys) for x in xs):
            raise _Unsupported("concatenate of keys and arrays")
        return _Keys(np.concatenate([x.words for x in xs], axis=int(dimension)))
    return np.concatenate(xs, axis=int(dimension))


def _copy(x):
    return _Keys(x.words.copy()) if isinstance(x, _Keys) else np.array(x, copy=True)


def _convert(x, *, new_dtype, **_):
    if isinstance(x, _Keys):
        raise _Unsupported("convert of a key array")
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.inexact) and not np.issubdtype(new_dtype, np.inexact):
        raise _Unsupported("float to integer conversion")  # XLA's rounding and saturation rules
    return x.astype(new_dtype)


def _iota(*, dtype, shape, dimension, **_):
    idx = np.arange(shape[dimension], dtype=dtype)
    return np.broadcast_to(
        idx.reshape([-1 if d == dimension else 1 for d in range(len(shape))]), shape
    ).copy()


def _elementwise(op: Callable) -> Callable:
    def rule(*xs):
        if any(isinstance(x, _Keys) for x in xs):
            raise _Unsupported("arithmetic on keys")
        return op(*xs)

    return rule


def _pure_callback(*args, callback, result_avals, **_):
    if any(isinstance(a, _Keys) for a in args):
        raise _Unsupported("a host callback on keys")
    outs = callback(*args)
    return [np.asarray(o, dtype=a.dtype).reshape(a.shape) for o, a in zip(outs, result_avals)]


_RULES: dict[str, Callable] = {
    "random_split": _random_split,
    "random_fold_in": _random_fold_in,
    "random_seed": _random_seed,
    "random_wrap": _random_wrap,
    "random_unwrap": lambda k: k.words.copy(),
    "slice": _slice,
    "squeeze": _squeeze,
    "reshape": _reshape,
    "broadcast_in_dim": _broadcast_in_dim,
    "transpose": _transpose,
    "concatenate": _concatenate,
    "copy": _copy,
    "copy_p": _copy,
    "convert_element_type": _convert,
    "iota": _iota,
    # exact in IEEE arithmetic (no rounding choices): same bits as XLA
    "add": _elementwise(np.add),
    "sub": _elementwise(np.subtract),
    "mul": _elementwise(np.multiply),
    "neg": _elementwise(np.negative),
    "max": _elementwise(np.maximum),
    "min": _elementwise(np.minimum),
    "device_put": lambda *xs, **_: [_copy(x) for x in xs],
}
_MULTI = {"device_put"}  # rules returning a list of outputs
_CALLS = {"pjit": "jaxpr", "jit": "jaxpr", "closed_call": "call_jaxpr", "custom_jvp_call": "call_jaxpr", "custom_vjp_call": "call_jaxpr"}  # fmt: skip


# -------------------------------------------------------------- evaluator
def _live_eqns(jaxpr, needed: set) -> list:
    """The equations whose outputs ``needed`` (variables) depends on, in order."""
    keep = []
    for eqn in reversed(jaxpr.eqns):
        if any((not isinstance(v, jcore.DropVar)) and v in needed for v in eqn.outvars):
            keep.append(eqn)
            needed.update(v for v in eqn.invars if not isinstance(v, jcore.Literal))
    return keep[::-1]


def _read(env: dict, v, raw: bool = False):
    """The host value of ``v``; constants are fetched from the device when first read.

    With ``raw``, a constant still on the device is returned as it is (an output
    that is a constant is copied on the device, not through the host).
    """
    if isinstance(v, jcore.Literal):
        return np.asarray(v.val, dtype=v.aval.dtype)
    x = env[v]
    if isinstance(x, jax.Array) and (not raw or isinstance(x, jax.core.Tracer)):
        x = env[v] = _host(x)
    return x


def _eval_jaxpr(jaxpr, consts, args, raw: bool = False) -> list:
    env: dict = {}
    for v, x in zip(jaxpr.constvars, consts):
        env[v] = x
    for v, x in zip(jaxpr.invars, args):
        env[v] = x
    for eqn in _live_eqns(jaxpr, {v for v in jaxpr.outvars if not isinstance(v, jcore.Literal)}):
        name = eqn.primitive.name
        ins = [_read(env, v) for v in eqn.invars]
        if name in _CALLS:
            sub = eqn.params[_CALLS[name]]
            if sub is None:
                raise _Unsupported(name)
            sub = sub if isinstance(sub, jcore.ClosedJaxpr) else jcore.ClosedJaxpr(sub, ())
            outs = _eval_jaxpr(sub.jaxpr, sub.consts, ins)
        elif name == "pure_callback":  # the callback's own errors reach the caller
            outs = _pure_callback(*ins, **eqn.params)
        elif name in _RULES:
            try:
                outs = _RULES[name](*ins, **eqn.params)
            except (ValueError, TypeError, IndexError) as e:  # a case a rule does not cover
                raise _Unsupported(f"{name}: {e}") from e
            if name not in _MULTI:
                outs = [outs]
        else:
            raise _Unsupported(name)
        for v, x in zip(eqn.outvars, outs):
            env[v] = _checked(x, v.aval)
    return [_read(env, v, raw) for v in jaxpr.outvars]


def _checked(x, aval):
    """``x`` with ``aval``'s dtype; raises _Unsupported if its shape disagrees."""
    if isinstance(x, _Keys):
        if x.words.shape[:-1] != tuple(aval.shape):
            raise _Unsupported("key shape")
        return x
    if jax.dtypes.issubdtype(aval.dtype, jax.dtypes.prng_key):
        raise _Unsupported("a key from an array")
    x = np.asarray(x)
    if x.shape != tuple(aval.shape):
        raise _Unsupported(f"shape {x.shape} != {aval.shape}")
    return x.astype(aval.dtype, copy=False)


def _host(x):
    """A host value of a constant or argument (threefry keys as their words)."""
    if isinstance(x, jax.Array) and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
        if not _is_threefry(x):
            raise _Unsupported("a non-threefry key")
        return _Keys(np.asarray(jax.random.key_data(x)))
    if isinstance(x, jax.core.Tracer):
        raise _Unsupported("a traced constant")
    return np.asarray(x)


def _to_device(x):
    if isinstance(x, _Keys):
        return jax.random.wrap_key_data(x.words)
    if isinstance(x, jax.Array):  # a constant: a new buffer (callers may donate it)
        return jax.device_put(x, may_alias=False)
    return x


def host_eval(fn: Callable, *args: Any) -> Any:
    """``fn(*args)`` computed with NumPy where possible, else as one jitted program.

    ``args`` are concrete arrays (keys included). The result is the same
    pytree ``jax.jit(fn)(*args)`` returns, with the same values, placed on
    the default device; nothing is compiled when every equation ``fn``'s
    outputs depend on is one the host evaluator knows (key splitting and
    folding, host callbacks, shapes, constants, zeros).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from mxjax._src.host_eval import host_eval
        >>> host_eval(lambda k: {"w": jnp.zeros((2,)), "k": jax.random.key_data(jax.random.split(k)[1])}, jax.random.key(0))["w"].tolist()
        [0.0, 0.0]
    """
    closed, shape = jax.make_jaxpr(fn, return_shape=True)(*args)
    try:
        # device arrays are fetched only if an equation reads them (an init's example is not)
        host_args = [a if isinstance(a, jax.Array) else _host(a) for a in jax.tree.leaves(args)]
        outs = _eval_jaxpr(closed.jaxpr, closed.consts, host_args, raw=True)
    except _Unsupported:
        return jax.jit(fn)(*args)
    return jax.device_put(
        jax.tree.unflatten(jax.tree.structure(shape), [_to_device(o) for o in outs])
    )
