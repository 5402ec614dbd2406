"""``SequenceMask``, ``SequenceReverse`` and ``SequenceLast`` of the symbolic API.

The maths is :mod:`mxjax._src.ops`'s, shared with ``mx.nd``.
"""

from __future__ import annotations

from mxjax._src import ops as _ops
from mxjax._src.symbol.attrs import p_bool, p_float, p_int
from mxjax._src.symbol.registry import register


def _inputs(p):
    return ("data", "sequence_length") if p.use_sequence_length else ("data",)


def _axis(name, axis, allowed):
    if axis not in allowed:
        raise ValueError(f"{name}: axis must be one of {allowed}; received {axis}")
    return axis


def _mask(p, ctx, data, lengths=None):
    return _ops.sequence_mask(data, lengths, p.value, _axis("SequenceMask", p.axis, (0, 1)))


def _reverse(p, ctx, data, lengths=None):
    _axis("SequenceReverse", p.axis, (0,))
    return _ops.sequence_reverse(data, lengths)


def _last(p, ctx, data, lengths=None):
    return _ops.sequence_last(data, lengths, _axis("SequenceLast", p.axis, (0, 1)))


_PARAMS = {"use_sequence_length": (p_bool, False), "axis": (p_int, 0)}
register("SequenceMask", _mask, params={**_PARAMS, "value": (p_float, 0.0)}, inputs=_inputs)
register("SequenceReverse", _reverse, params=_PARAMS, inputs=_inputs)
register("SequenceLast", _last, params=_PARAMS, inputs=_inputs)
