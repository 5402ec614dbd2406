"""Naming and attribute scopes of symbol construction (``mx.name``, ``mx.AttrScope``)."""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["AttrScope", "NameManager", "Prefix", "current_attrs", "make_name"]


class _Local(threading.local):
    def __init__(self):
        self.manager: NameManager | None = None
        self.attrs: dict[str, str] = {}


_LOCAL = _Local()


class NameManager:
    """Gives automatic names to symbols: ``hint`` plus a counter (``mx.name.NameManager``).

    Used as a context manager, a new manager starts its counters from zero.

    Examples:
        >>> import mxjax as mx
        >>> with mx.name.NameManager():
        ...     mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2).name
        'fullyconnected0'
    """

    def __init__(self):
        self._counter: dict[str, int] = {}
        self._old: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """``name`` if given, else ``hint`` followed by the hint's counter."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self):
        self._old = _LOCAL.manager
        _LOCAL.manager = self
        return self

    def __exit__(self, *exc):
        _LOCAL.manager = self._old


class Prefix(NameManager):
    """A NameManager that prefixes every name (``mx.name.Prefix``).

    Examples:
        >>> import mxjax as mx
        >>> with mx.name.Prefix("net_"):
        ...     fc = mx.sym.FullyConnected(mx.sym.var("x"), num_hidden=2, name="fc")
        >>> fc.list_arguments()
        ['x', 'net_fc_weight', 'net_fc_bias']
    """

    def __init__(self, prefix: str):
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)


_DEFAULT = NameManager()


def make_name(name: str | None, hint: str) -> str:
    """The name of a new symbol under the current NameManager."""
    return (_LOCAL.manager or _DEFAULT).get(name, hint)


class AttrScope:
    """Attributes given to every symbol created inside the scope (``mx.AttrScope``).

    Examples:
        >>> import mxjax as mx
        >>> with mx.AttrScope(ctx_group="dev1"):
        ...     x = mx.sym.var("x")
        >>> x.attr("ctx_group")
        'dev1'
    """

    def __init__(self, **kwargs: Any):
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise ValueError(f"AttrScope: attribute {k!r} must be a string; received {v!r}")
        self._attrs: dict[str, str] = {}
        for k, v in kwargs.items():  # MXNet keeps both spellings
            self._attrs[k] = v
            if not k.startswith("__"):
                self._attrs[f"__{k}__"] = v
        self._old: dict[str, str] = {}

    def get(self, attr: dict | None) -> dict:
        """The scope's attributes merged with ``attr`` (``attr`` wins)."""
        out = dict(self._attrs)
        out.update(attr or {})
        return out

    def __enter__(self):
        self._old = _LOCAL.attrs
        _LOCAL.attrs = {**self._old, **self._attrs}
        return self

    def __exit__(self, *exc):
        _LOCAL.attrs = self._old


def current_attrs() -> dict[str, str]:
    """The attributes of the enclosing AttrScopes."""
    return dict(_LOCAL.attrs)
