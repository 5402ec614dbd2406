"""``nd.SequenceMask``, ``nd.SequenceReverse``, ``nd.SequenceLast`` (MXNet 1.9.1 semantics).

The maths is :mod:`mxjax._src.ops`'s, shared with the symbolic operators.
"""

from __future__ import annotations

from typing import Any

from mxjax._src import ops as _ops
from mxjax._src.dispatch import apply as _apply

__all__ = ["SequenceLast", "SequenceMask", "SequenceReverse"]


def _check_axis(name: str, axis: Any, allowed: tuple) -> int:
    if axis not in allowed:
        raise ValueError(f"{name}: axis must be one of {allowed}; received {axis!r}")
    return int(axis)


def _lengths(name: str, sequence_length: Any, use_sequence_length: bool) -> Any:
    if use_sequence_length and sequence_length is None:
        raise ValueError(f"{name}: use_sequence_length=True needs sequence_length")
    return sequence_length if use_sequence_length else None


def SequenceMask(  # noqa: N802 - MXNet's name
    data: Any,
    sequence_length: Any = None,
    use_sequence_length: bool = False,
    value: float = 0.0,
    axis: int = 0,
) -> Any:
    """Sets the steps at or past each sample's length to ``value``.

    Inputs: ``data (T, N, ...)`` (``axis=0``) or ``(N, T, ...)`` (``axis=1``);
    ``sequence_length (N,)``, used when ``use_sequence_length``.

    Examples:
        >>> from mxjax import nd
        >>> nd.SequenceMask(nd.ones((3, 2)), nd.array([1, 3]), use_sequence_length=True).asnumpy()
        array([[1., 1.],
               [0., 1.],
               [0., 1.]], dtype=float32)
    """
    axis = _check_axis("SequenceMask", axis, (0, 1))
    lengths = _lengths("SequenceMask", sequence_length, use_sequence_length)
    if lengths is None:
        return _apply(lambda d: d, data)
    return _apply(_ops.sequence_mask, data, lengths, float(value), axis)


def SequenceReverse(  # noqa: N802 - MXNet's name
    data: Any, sequence_length: Any = None, use_sequence_length: bool = False, axis: int = 0
) -> Any:
    """Reverses each sample's first ``length`` steps of ``data (T, N, ...)``; later steps stay.

    Examples:
        >>> from mxjax import nd
        >>> x = nd.array([[0], [1], [2]])
        >>> nd.SequenceReverse(x, nd.array([2]), use_sequence_length=True).asnumpy().ravel()
        array([1., 0., 2.], dtype=float32)
    """
    _check_axis("SequenceReverse", axis, (0,))
    lengths = _lengths("SequenceReverse", sequence_length, use_sequence_length)
    if lengths is None:
        return _apply(_ops.sequence_reverse, data, None)
    return _apply(_ops.sequence_reverse, data, lengths)


def SequenceLast(  # noqa: N802 - MXNet's name
    data: Any, sequence_length: Any = None, use_sequence_length: bool = False, axis: int = 0
) -> Any:
    """Each sample's last valid step of ``data (T, N, ...)`` (``axis=0``) or ``(N, T, ...)``.

    Examples:
        >>> from mxjax import nd
        >>> x = nd.array([[0, 1], [2, 3], [4, 5]])
        >>> nd.SequenceLast(x, nd.array([1, 3]), use_sequence_length=True).asnumpy()
        array([0., 5.], dtype=float32)
    """
    axis = _check_axis("SequenceLast", axis, (0, 1))
    lengths = _lengths("SequenceLast", sequence_length, use_sequence_length)
    if lengths is None:
        return _apply(_ops.sequence_last, data, None, axis)
    return _apply(_ops.sequence_last, data, lengths, axis)
