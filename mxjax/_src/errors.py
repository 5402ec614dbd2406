"""Framework exceptions and shared error-message helpers."""

from __future__ import annotations

from typing import Any


class MXJaxError(Exception):
    """Base class for errors raised by mxjax itself (not by bad user input).

    Bad user input raises :class:`ValueError` or :class:`TypeError`; failures of
    the framework's own machinery (a worker that died, a corrupt file, a state
    that cannot be reached) raise a subclass of this class.

    Examples:
        >>> import mxjax as mx
        >>> issubclass(mx.MXJaxError, Exception)
        True
    """


def describe(value: Any) -> str:
    """Short description of a value for error messages (shape/dtype for arrays)."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return f"array of shape {tuple(shape)} and dtype {dtype}"
    return f"{type(value).__name__} {value!r}"


class ShapeMismatchError(MXJaxError, ValueError):
    """An input whose shape disagrees with a layer's parameters (a ValueError).

    MXNet raises ``MXNetError`` for these; this class is both a ``ValueError``
    and an :class:`MXJaxError`.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> layer = nn.LayerNorm(in_channels=3); layer.initialize()
        >>> try:
        ...     layer(mx.nd.ones((2, 4)))
        ... except mx.MXJaxError as e:
        ...     print(isinstance(e, ValueError))
        True
    """


class CheckError(ValueError, AssertionError):
    """A bad argument that MXNet rejects with a bare ``assert``.

    It is a ``ValueError`` (mxjax's rule for bad input) and an
    ``AssertionError`` (what MXNet raises), so code written against either
    keeps working.

    Examples:
        >>> import mxjax as mx
        >>> try:
        ...     mx.gluon.Parameter("w", shape=(2,), stype="dense")
        ... except AssertionError as e:
        ...     print(isinstance(e, ValueError))
        True
    """


class AutogradError(MXJaxError, RuntimeError):
    """Raised for autograd misuse MXNet also rejects (backward outside a graph, ...).

    Examples:
        >>> from mxjax import autograd, nd
        >>> try:
        ...     nd.array([1.0]).backward()
        ... except autograd.AutogradError as e:
        ...     print("not in a computational graph" in str(e))
        True
    """
