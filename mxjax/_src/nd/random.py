"""The facade's global random state and ``nd.random`` samplers.

The facade keeps one global PRNG key (MXNet keeps hidden RNG state too);
:func:`seed` resets it and :func:`next_key` splits a fresh key off it. A
host stream seeded by the same :func:`seed` (:func:`next_host_rng`) gives
parameter initialization NumPy generators, so ``initialize()`` compiles
nothing. The functional core never reads either: keys enter the core as
arguments.

Eager draws (outside any trace) run on the host: a NumPy generator seeded by
a key split off the global generator (:func:`host_draw`) draws the values, so
no XLA program is compiled per shape and ``seed`` still fixes every value.
Inside a hybridized trace the samplers draw with ``jax.random`` from the
trace's key, so each call of the compiled program draws fresh values.
"""

from __future__ import annotations

import sys
import threading

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import context as _ctx
from mxjax._src.host_random import _host_dtype, host_rng, key_from_seed
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "draw_key",
    "get_state",
    "host_draw",
    "host_float",
    "multinomial",
    "next_host_rng",
    "next_key",
    "normal",
    "randint",
    "seed",
    "set_state",
    "shuffle",
    "uniform",
]

_lock = threading.Lock()
_key = None
_host = None  # [seed words, draws so far] of the host stream


def seed(seed_state: int, ctx="all") -> None:
    """Seeds the facade's global random generator.

    Args:
        seed_state: an int.
        ctx: accepted for MXNet compatibility (one generator serves all devices).

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(42); a = mx.nd.random.uniform(shape=(2,))
        >>> mx.random.seed(42); b = mx.nd.random.uniform(shape=(2,))
        >>> bool((a == b).asnumpy().all())
        True
    """
    global _key, _host
    if not isinstance(seed_state, (int, np.integer)):
        raise TypeError(f"random.seed: seed_state must be an int, got {type(seed_state).__name__}")
    with _lock:
        _key = key_from_seed(int(seed_state))  # compiles nothing
        _host = [int(seed_state) & 0xFFFFFFFFFFFFFFFF, 0]


def next_host_rng() -> np.random.Generator:
    """A fresh NumPy generator from the host stream that :func:`seed` also resets.

    The n-th generator after ``seed(s)`` is ``numpy.random.default_rng([s, n])``,
    so initial parameter values are reproducible and independent of how many
    device keys were drawn in between.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.nd.random import next_host_rng
        >>> mx.random.seed(7); a = next_host_rng().random()
        >>> mx.random.seed(7); a == next_host_rng().random()
        True
    """
    global _host
    with _lock:
        if _host is None:
            _host = [np.random.SeedSequence().entropy, 0]
        _host[1] += 1
        words = list(_host)
    return np.random.default_rng(words)


def get_state() -> dict:
    """The state of the facade's generator and of NumPy's global one, as JSON-ready values.

    Everything random in a Gluon loop draws from these two: Dropout and
    ``nd.random`` from the facade's key, a ``DataLoader(shuffle=True)``
    without a seed from NumPy's global state (as in MXNet). Save this with a
    checkpoint and give it to :func:`set_state` on resume to continue the same
    random streams.

    Examples:
        >>> import mxjax as mx
        >>> mx.random.seed(1)
        >>> state = mx.random.get_state()
        >>> a = mx.nd.random.uniform(shape=(3,)).asnumpy()
        >>> mx.random.set_state(state)
        >>> bool((mx.nd.random.uniform(shape=(3,)).asnumpy() == a).all())
        True
    """
    with _lock:
        key = _key
        host = None if _host is None else [str(_host[0]), int(_host[1])]
    name, keys, pos, has_gauss, cached = np.random.get_state()
    bridge = sys.modules.get("mxjax._src.gluon._bridge")  # compiled Gluon calls' key stream
    return {
        "key": None if key is None else np.asarray(jax.random.key_data(key)).tolist(),
        "key_impl": None if key is None else str(jax.random.key_impl(key)),
        "numpy": [name, np.asarray(keys).tolist(), int(pos), int(has_gauss), float(cached)],
        "stream": None if bridge is None or key is None else bridge.key_stream_state(key),
        "host": host,  # the initialization stream (next_host_rng)
    }


def set_state(state: dict) -> None:
    """Restores a state returned by :func:`get_state`.

    Raises:
        ValueError: ``state`` is not such a state.
    """
    global _key, _host
    try:
        key_data, impl, numpy_state = state["key"], state["key_impl"], state["numpy"]
        name, keys, pos, has_gauss, cached = numpy_state
        keys = np.asarray(keys, dtype=np.uint32)
        host = state.get("host")  # absent in states saved before the host stream existed
        host = None if host is None else [int(host[0]), int(host[1])]
    except (KeyError, TypeError, ValueError, IndexError):
        raise ValueError(
            "random.set_state: expected the dict returned by mx.random.get_state(); "
            f"received {type(state).__name__}"
        ) from None
    np.random.set_state((name, keys, int(pos), int(has_gauss), float(cached)))
    with _lock:
        if host is not None:
            _host = host
        if key_data is None:
            _key = None
        else:
            data = jnp.asarray(np.asarray(key_data, dtype=np.uint32))
            _key = jax.random.wrap_key_data(data, impl=impl)
        bridge = sys.modules.get("mxjax._src.gluon._bridge")
        if bridge is not None:
            bridge.set_key_stream_state(_key, state.get("stream"))


def next_key() -> jax.Array:
    """A fresh ``jax.random.key`` split off the global generator.

    Examples:
        >>> from mxjax._src.nd.random import next_key
        >>> next_key().shape
        ()
    """
    global _key
    # Evaluated now even inside a jax.jit trace: the global key never becomes a tracer.
    with _lock, jax.ensure_compile_time_eval():
        if _key is None:
            _key = _entropy_key()
        _key, sub = jax.random.split(_key)
    return sub


def _is_traced(p) -> bool:
    v = p.jax if isinstance(p, NDArray) else p
    return isinstance(v, jax.core.Tracer)


def host_draw(*params) -> np.random.Generator | None:
    """A NumPy generator for an eager draw, or None when the draw must use ``jax.random``.

    None inside a hybridized trace and when a parameter is traced (the draw
    joins the program). Otherwise a generator seeded by a key split off the
    global generator (:func:`next_key`): ``seed(n)`` fixes its values in
    every process, and nothing is compiled per shape.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.nd.random import host_draw
        >>> mx.random.seed(3); a = host_draw().random()
        >>> mx.random.seed(3); a == host_draw().random()
        True
    """
    bridge = sys.modules.get("mxjax._src.gluon._bridge")
    if bridge is not None and bridge.current_trace() is not None:
        return None
    if any(_is_traced(p) for p in params):
        return None
    with jax.ensure_compile_time_eval():  # inside a bare jax.jit: a constant draw, no tracer
        return host_rng(next_key())


def draw_key():
    """The key for a ``jax.random`` draw: the trace's inside a hybridized call, else :func:`next_key`."""
    bridge = sys.modules.get("mxjax._src.gluon._bridge")
    if bridge is not None and bridge.current_trace() is not None:
        return bridge.new_key()
    return next_key()


def host_float(dtype) -> np.dtype:
    """The NumPy dtype a float draw of ``dtype`` is made in on the host (float32 below 32 bits)."""
    dt = _host_dtype(dtype)
    return dt if dt.itemsize >= 4 else np.dtype(np.float32)


def _entropy_key() -> jax.Array:
    return key_from_seed(np.random.SeedSequence().entropy % (2**31))


def global_key() -> jax.Array:
    """The global key itself (created from entropy if never seeded); nothing is split or compiled.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax._src.nd.random import global_key
        >>> mx.random.seed(3); global_key() is global_key()
        True
    """
    global _key
    with _lock, jax.ensure_compile_time_eval():  # never a tracer, even inside a trace
        if _key is None:
            _key = _entropy_key()
        return _key


def _shape(shape):
    if shape is None:
        return (1,)
    return (shape,) if isinstance(shape, int) else tuple(shape)


def _place(x, ctx):
    if ctx is None:
        ctx = _ctx.current_context()
    return NDArray(jax.device_put(x, ctx.jax_device))


def _param(p):
    return p.jax if isinstance(p, NDArray) else p


def _pshape(shape, *params, host=False):
    # NDArray parameters sample ``shape`` values per element (MXNet's sample_* ops).
    # host=True: parameters as NumPy arrays (reshaping a jax array compiles per shape).
    arrs = [p for p in params if isinstance(p, NDArray)]
    if not arrs:
        return _shape(shape), params
    base = arrs[0].shape
    extra = () if shape is None else _shape(shape)
    full = base + extra
    out = []
    for p in params:
        v = np.asarray(p.jax) if host and isinstance(p, NDArray) else _param(p)
        if isinstance(p, NDArray):
            v = v.reshape(base + (1,) * len(extra))
        out.append(v)
    return full, out


def uniform(low=0.0, high=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples uniformly from ``[low, high)``.

    Examples:
        >>> from mxjax import nd
        >>> x = nd.random.uniform(-1, 1, shape=(3, 2))
        >>> x.shape, bool((x.abs() <= 1).asnumpy().all())
        ((3, 2), True)
    """
    dt = np.dtype(dtype)
    rng = host_draw(low, high)
    if rng is not None:
        shape, (lo, hi) = _pshape(shape, low, high, host=True)
        u = rng.random(shape, dtype=host_float(dt))
        return _result(np.asarray(lo + (hi - lo) * u).astype(_host_dtype(dt)), ctx, out)
    shape, (lo, hi) = _pshape(shape, low, high)
    if dt.itemsize < 4 and jnp.issubdtype(dt, jnp.floating):
        # float16/bfloat16: drawn in float32 and rounded, as MXNet does (a direct draw has
        # only 2**10 values, 0.0 among them; MXNet's cover the whole low-precision grid)
        u = jax.random.uniform(draw_key(), shape, dtype=np.float32)
        return _result((lo + (hi - lo) * u).astype(dt), ctx, out)
    u = jax.random.uniform(draw_key(), shape, dtype=dt)
    return _result(lo + (hi - lo) * u, ctx, out)


def normal(loc=0.0, scale=1.0, shape=None, dtype="float32", ctx=None, out=None):
    """Samples from a normal distribution ``N(loc, scale**2)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.random.normal(0, 1, shape=(2, 3)).shape
        (2, 3)
    """
    rng = host_draw(loc, scale)
    if rng is not None:
        shape, (mu, sigma) = _pshape(shape, loc, scale, host=True)
        z = rng.standard_normal(shape, dtype=host_float(dtype))
        return _result(np.asarray(mu + sigma * z).astype(_host_dtype(dtype)), ctx, out)
    shape, (mu, sigma) = _pshape(shape, loc, scale)
    z = jax.random.normal(draw_key(), shape, dtype=np.dtype(dtype))
    return _result(mu + sigma * z, ctx, out)


def randint(low, high, shape=None, dtype="int32", ctx=None, out=None):
    """Samples integers uniformly from ``[low, high)``.

    Examples:
        >>> from mxjax import nd
        >>> x = nd.random.randint(0, 5, shape=(100,))
        >>> int(x.min().asscalar()) >= 0 and int(x.max().asscalar()) < 5
        True
    """
    if not high > low:
        raise ValueError(f"random.randint: need low < high, got low={low}, high={high}")
    rng = host_draw()
    if rng is not None:
        dt = _host_dtype(dtype)
        return _result(np.asarray(rng.integers(low, high, _shape(shape), dtype=dt)), ctx, out)
    x = jax.random.randint(draw_key(), _shape(shape), low, high, dtype=np.dtype(dtype))
    return _result(x, ctx, out)


def shuffle(data, **kwargs):
    """A copy of ``data`` with its first axis randomly permuted.

    Examples:
        >>> from mxjax import nd
        >>> sorted(nd.random.shuffle(nd.arange(4)).asnumpy().tolist())
        [0.0, 1.0, 2.0, 3.0]
    """
    rng = host_draw(data)
    if rng is not None:
        return NDArray(jax.device_put(rng.permutation(np.asarray(data.jax)), data.jax.sharding))
    return NDArray(jax.random.permutation(draw_key(), data.jax, axis=0))


def multinomial(data, shape=None, get_prob=False, out=None, dtype="int32"):
    """Samples category indices from the probabilities in the last axis of ``data``.

    Returns ``shape`` samples per distribution (one when ``shape`` is None); with
    ``get_prob=True`` also the log-probabilities of the samples.

    Examples:
        >>> from mxjax import nd
        >>> nd.random.multinomial(nd.array([[0.0, 1.0]])).asnumpy()
        array([1], dtype=int32)
    """
    extra = () if shape is None else _shape(shape)
    rng = host_draw(data)
    if rng is not None:
        p = np.asarray(data.jax, np.float64)
        cdf = np.cumsum(p, axis=-1)
        cdf = cdf.reshape(p.shape[:-1] + (1,) * len(extra) + p.shape[-1:])
        u = rng.random(p.shape[:-1] + extra + (1,)) * cdf[..., -1:]
        s = np.minimum((u >= cdf).sum(axis=-1), p.shape[-1] - 1)
        res = _result(s.astype(_host_dtype(dtype)), data.context, out)
        if get_prob:
            probs = np.broadcast_to(p.reshape(cdf.shape), s.shape + p.shape[-1:])
            lp = np.log(np.take_along_axis(probs, s[..., None], axis=-1)[..., 0])
            return [res, _place(lp.astype(_host_dtype(data.jax.dtype)), data.context)]
        return res
    p = data.jax
    logits = jnp.log(p)
    lg = logits.reshape(p.shape[:-1] + (1,) * len(extra) + p.shape[-1:])
    lg = jnp.broadcast_to(lg, p.shape[:-1] + extra + p.shape[-1:])
    s = jax.random.categorical(draw_key(), lg, axis=-1)
    res = _result(s.astype(np.dtype(dtype)), None, out)
    if get_prob:
        lp = jnp.take_along_axis(lg, s[..., None], axis=-1)[..., 0]
        return [res, NDArray(lp)]
    return res


def _result(x, ctx, out):
    if out is not None:
        if isinstance(x, np.ndarray):  # drawn on the host
            out._data = jax.device_put(x.astype(_host_dtype(out.jax.dtype)), out.jax.sharding)
        else:
            out._data = x.astype(out.jax.dtype)
        out._entry = None
        return out
    return _place(x, ctx)
