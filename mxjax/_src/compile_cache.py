"""The facade's one cache of compiled programs: bounded, least recently used first out.

Every compiled program the Gluon/``nd`` facade builds lives here, under a key
that says what it was compiled for:

=================  ==========================================================
kind (``key[0]``)   rest of the key
=================  ==========================================================
``"layer"``        the functional layer (a hashable frozen dataclass: its
                   structure and hyperparameters), training mode, the apply
                   function, parameter and state names
``"hybrid"``       the hybridized block, its hybridize generation, training
                   mode and its Parameters split by ``grad_req`` (differentiable
                   vs ``'null'``)
``"loss"``         the loss object (hyperparameters) and which arguments are
                   differentiated
``"op"``           an ``nd`` operator's function, its static arguments and the
                   shapes/dtypes of its array arguments
``"step"``         a deferred step graph's structure (its kernels, how they are
                   wired, the heads, ``grad_req='add'`` variables, the outputs
                   still alive) and the fused optimizer update, if any
``"avals"``        a kernel and its input shapes/dtypes -> its output shapes
=================  ==========================================================

Input shapes and dtypes of ``"layer"``, ``"hybrid"`` and ``"loss"`` entries
are the keys of the ``jax.jit`` object each entry holds, so one entry serves
every input shape of that block; dropping an entry frees its executables.
:func:`clear_compile_cache` empties the cache (``mxjax.gluon.clear_compile_cache``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["cached", "clear_compile_cache", "compile_cache_info", "set_compile_cache_size"]

_CACHE: OrderedDict = OrderedDict()
_LIMIT = [1024]
_COUNTS = {"hits": 0, "misses": 0, "evictions": 0}


def cached(key: Hashable, build: Callable[[], Any]) -> Any:
    """The entry for ``key``, built by ``build()`` on a miss (the oldest entry goes when full).

    Examples:
        >>> from mxjax._src.compile_cache import cached
        >>> cached(("doc", 1), lambda: "built")
        'built'
        >>> cached(("doc", 1), lambda: "not rebuilt")
        'built'
    """
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        _COUNTS["hits"] += 1
        return hit
    _COUNTS["misses"] += 1
    value = build()
    _CACHE[key] = value
    while len(_CACHE) > _LIMIT[0]:
        _CACHE.popitem(last=False)
        _COUNTS["evictions"] += 1
    return value


def clear_compile_cache() -> None:
    """Drops every compiled program of the Gluon/``nd`` facade (they recompile on next use).

    Examples:
        >>> import mxjax as mx
        >>> mx.gluon.clear_compile_cache()
        >>> mx.gluon.compile_cache_info()["entries"]
        0
    """
    _CACHE.clear()


def compile_cache_info() -> dict:
    """Entries, capacity, hits, misses and evictions of the compile cache, and entries per kind.

    Examples:
        >>> import mxjax as mx
        >>> sorted(mx.gluon.compile_cache_info())
        ['by_kind', 'entries', 'evictions', 'hits', 'max_entries', 'misses']
    """
    kinds: dict = {}
    for k in _CACHE:
        kind = k[0] if isinstance(k, tuple) and k else type(k).__name__
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"entries": len(_CACHE), "max_entries": _LIMIT[0], "by_kind": kinds, **_COUNTS}


def set_compile_cache_size(max_entries: int) -> int:
    """Sets how many compiled programs are kept (least recently used go first); returns the old size.

    Raises:
        ValueError: if ``max_entries`` is not a positive int.

    Examples:
        >>> import mxjax as mx
        >>> old = mx.gluon.set_compile_cache_size(256)
        >>> mx.gluon.set_compile_cache_size(old)
        256
    """
    if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
        raise ValueError(
            f"set_compile_cache_size: max_entries must be a positive int, got {max_entries!r}"
        )
    old = _LIMIT[0]
    _LIMIT[0] = max_entries
    while len(_CACHE) > max_entries:
        _CACHE.popitem(last=False)
        _COUNTS["evictions"] += 1
    return old
