"""MXNet operator attributes: Python values to MXNet's strings and back.

MXNet stores every operator parameter as a string (``kernel="(3, 3)"``,
``no_bias="True"``); a symbol's JSON file holds those strings. Operators here
declare their parameters with a parser and a default, and parse the strings
once when a graph is compiled.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["REQUIRED", "Params", "parse_params", "to_str"]

#: Marks a parameter without a default.
REQUIRED = object()


def to_str(value: Any) -> str:
    """MXNet's string form of an attribute value.

    Examples:
        >>> from mxjax._src.symbol.attrs import to_str
        >>> to_str((3, 3)), to_str(True), to_str(0.5), to_str(None)
        ('(3, 3)', 'True', '0.5', 'None')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(to_str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, (np.integer,)):
        return str(int(value))
    if isinstance(value, (np.floating,)):
        return str(float(value))
    if isinstance(value, (type, np.dtype)):
        return np.dtype(value).name
    return str(value)


def _literal(owner: str, key: str, s: str) -> Any:
    try:
        return ast.literal_eval(s.strip())
    except (ValueError, SyntaxError):
        raise ValueError(f"{owner}: cannot parse attribute {key}={s!r}") from None


def p_int(owner: str, key: str, s: str) -> int:
    v = _literal(owner, key, s)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v:
        raise ValueError(f"{owner}: attribute {key} must be an int; received {s!r}")
    return int(v)


def p_float(owner: str, key: str, s: str) -> float:
    s2 = s.strip().lower()
    if s2 in ("inf", "+inf", "-inf", "nan"):
        return float(s2)
    v = _literal(owner, key, s)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{owner}: attribute {key} must be a number; received {s!r}")
    return float(v)


def p_bool(owner: str, key: str, s: str) -> bool:
    s2 = s.strip().lower()
    if s2 in ("true", "1"):
        return True
    if s2 in ("false", "0"):
        return False
    raise ValueError(f"{owner}: attribute {key} must be True or False; received {s!r}")


def p_str(owner: str, key: str, s: str) -> str:
    del owner, key
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        s = s[1:-1]
    return s


def p_shape(owner: str, key: str, s: str) -> tuple[int, ...]:
    v = _literal(owner, key, s) if s.strip() not in ("", "[]", "()") else ()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = (v,)
    if v is None:
        return ()
    if not isinstance(v, (tuple, list)) or not all(
        isinstance(d, (int, float)) and not isinstance(d, bool) and int(d) == d for d in v
    ):
        raise ValueError(f"{owner}: attribute {key} must be a tuple of ints; received {s!r}")
    return tuple(int(d) for d in v)


def optional(parser: Callable[[str, str, str], Any]) -> Callable[[str, str, str], Any]:
    """A parser that also accepts ``'None'``."""

    def parse(owner: str, key: str, s: str) -> Any:
        if s.strip() in ("None", ""):
            return None
        return parser(owner, key, s)

    return parse


def p_axis(owner: str, key: str, s: str) -> Any:
    """``None``, an int or a tuple of ints (reduction axes)."""
    if s.strip() in ("None", "", "()"):
        return None
    v = _literal(owner, key, s)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return p_shape(owner, key, s)


def choice(*options: str) -> Callable[[str, str, str], str]:
    """A parser accepting one of ``options``."""

    def parse(owner: str, key: str, s: str) -> str:
        v = p_str(owner, key, s)
        if v not in options:
            raise ValueError(
                f"{owner}: attribute {key} must be one of {list(options)}; received {v!r}"
            )
        return v

    return parse


class Params(Mapping):
    """Parsed, hashable operator parameters (attribute access and mapping).

    Examples:
        >>> from mxjax._src.symbol.attrs import Params
        >>> p = Params({"num_hidden": 3})
        >>> p.num_hidden, p["num_hidden"]
        (3, 3)
    """

    __slots__ = ("_d", "_h")

    def __init__(self, d: Mapping[str, Any]):
        self._d = dict(d)
        self._h = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, k: str) -> Any:
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(tuple(sorted((k, repr(v)) for k, v in self._d.items())))
        return self._h

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Params) and self._d == other._d

    def __repr__(self) -> str:
        return f"Params({self._d!r})"


def parse_params(owner: str, spec: Mapping[str, tuple], attrs: Mapping[str, str]) -> Params:
    """Parses an operator's string attributes against its parameter spec.

    Attributes named ``__x__`` are user attributes and are skipped.

    Raises:
        ValueError: an unknown or missing parameter, or an unparsable value.
    """
    out: dict[str, Any] = {}
    for key, s in attrs.items():
        if key.startswith("__") and key.endswith("__"):
            continue
        if key not in spec:
            raise ValueError(f"{owner}: unknown parameter {key!r}; expected one of {sorted(spec)}")
        out[key] = spec[key][0](owner, key, s)
    for key, (_, default) in spec.items():
        if key not in out:
            if default is REQUIRED:
                raise ValueError(f"{owner}: required parameter {key!r} is missing")
            out[key] = default
    return Params(out)
