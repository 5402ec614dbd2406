"""MXNet's ``mx.util``: NumPy-semantics switches and environment helpers.

mxjax arrays always follow NumPy's shape semantics (scalars, zero-size axes);
the switches are kept so that MXNet code that sets or queries them runs, and
Parameter shapes accept both unknown-dimension markers (``0`` and ``-1``).
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

__all__ = [
    "getenv",
    "is_np_array",
    "is_np_shape",
    "np_array",
    "np_shape",
    "reset_np",
    "set_np",
    "set_np_shape",
    "setenv",
    "use_np",
    "use_np_array",
    "use_np_shape",
]

_state = threading.local()


def _flags() -> dict:
    f = getattr(_state, "flags", None)
    if f is None:
        f = _state.flags = {"shape": False, "array": False}
    return f


def set_np_shape(active: bool) -> bool:
    """Turns the NumPy-shape flag on or off; returns the previous value.

    Examples:
        >>> import mxjax as mx
        >>> prev = mx.util.set_np_shape(True); mx.util.is_np_shape()
        True
        >>> _ = mx.util.set_np_shape(prev)
    """
    f = _flags()
    prev, f["shape"] = f["shape"], bool(active)
    return prev


def is_np_shape() -> bool:
    """Whether the NumPy-shape flag is on (mxjax arrays follow NumPy shapes either way).

    Examples:
        >>> import mxjax as mx
        >>> mx.util.is_np_shape()
        False
    """
    return _flags()["shape"]


def is_np_array() -> bool:
    """Whether the NumPy-array flag is on.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.is_np_array()
        False
    """
    return _flags()["array"]


class _Scope:
    def __init__(self, key: str, active: bool):
        self._key, self._active, self._prev = key, bool(active), None

    def __enter__(self) -> _Scope:
        f = _flags()
        self._prev, f[self._key] = f[self._key], self._active
        return self

    def __exit__(self, *exc: Any) -> None:
        _flags()[self._key] = self._prev


def np_shape(active: bool = True) -> _Scope:
    """A ``with`` scope turning the NumPy-shape flag on (or off).

    Examples:
        >>> import mxjax as mx
        >>> with mx.np_shape(True):
        ...     mx.util.is_np_shape()
        True
    """
    return _Scope("shape", active)


def np_array(active: bool = True) -> _Scope:
    """A ``with`` scope turning the NumPy-array flag on (or off).

    Examples:
        >>> import mxjax as mx
        >>> with mx.util.np_array(True):
        ...     mx.util.is_np_array()
        True
    """
    return _Scope("array", active)


def _decorator(*scopes: str):
    def deco(fn: Any) -> Any:
        if isinstance(fn, type):  # a class: wrap its methods' calls
            for name, attr in list(vars(fn).items()):
                if callable(attr) and not name.startswith("__"):
                    setattr(fn, name, deco(attr))
            return fn

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            managers = [_Scope(s, True) for s in scopes]
            for m in managers:
                m.__enter__()
            try:
                return fn(*args, **kwargs)
            finally:
                for m in reversed(managers):
                    m.__exit__()

        return wrapper

    return deco


def use_np_shape(fn: Any) -> Any:
    """Decorator: runs ``fn`` with the NumPy-shape flag on.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.use_np_shape(mx.util.is_np_shape)()
        True
    """
    return _decorator("shape")(fn)


def use_np_array(fn: Any) -> Any:
    """Decorator: runs ``fn`` with the NumPy-array flag on.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.use_np_array(mx.util.is_np_array)()
        True
    """
    return _decorator("array")(fn)


def use_np(fn: Any) -> Any:
    """Decorator: runs ``fn`` with both NumPy flags on.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.use_np(lambda: (mx.util.is_np_shape(), mx.util.is_np_array()))()
        (True, True)
    """
    return _decorator("shape", "array")(fn)


def set_np(shape: bool = True, array: bool = True) -> None:
    """Sets both NumPy flags (MXNet requires ``shape`` when ``array`` is on).

    Raises:
        ValueError: for ``array=True`` with ``shape=False``.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.set_np(); mx.util.is_np_array()
        True
        >>> mx.util.reset_np()
    """
    if array and not shape:
        raise ValueError("set_np: NumPy array semantics need NumPy shape semantics (shape=True)")
    f = _flags()
    f["shape"], f["array"] = bool(shape), bool(array)


def reset_np() -> None:
    """Turns both NumPy flags off.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.reset_np(); mx.util.is_np_shape()
        False
    """
    set_np(shape=False, array=False)


def getenv(name: str) -> str | None:
    """The value of environment variable ``name`` (None if unset).

    Examples:
        >>> import mxjax as mx
        >>> mx.util.getenv("MXJAX_SURELY_UNSET") is None
        True
    """
    return os.environ.get(name)


def setenv(name: str, value: str | None) -> None:
    """Sets (or with None, unsets) environment variable ``name``.

    Examples:
        >>> import mxjax as mx
        >>> mx.util.setenv("MXJAX_DOC_VAR", "1"); mx.util.getenv("MXJAX_DOC_VAR")
        '1'
        >>> mx.util.setenv("MXJAX_DOC_VAR", None)
    """
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)
