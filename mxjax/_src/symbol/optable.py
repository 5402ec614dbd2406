"""The complete operator table: loads every ``ops_*`` module and looks operators up."""

from __future__ import annotations

from mxjax._src.symbol import (  # noqa: F401 - fill OPS
    ops_image,
    ops_loss,
    ops_math,
    ops_nn,
    ops_sequence,
    ops_tensor,
)
from mxjax._src.symbol.registry import OPS, OpDef

__all__ = ["OPS", "get_op"]


def get_op(name: str) -> OpDef:
    """Looks an operator up by MXNet name.

    Raises:
        ValueError: naming the operator, for one mxjax does not implement.

    Examples:
        >>> from mxjax._src.symbol.optable import get_op
        >>> get_op("FullyConnected").name
        'FullyConnected'
    """
    op = OPS.get(name)
    if op is None:
        raise ValueError(
            f"MXNet operator {name!r} is not supported by mxjax's symbolic API "
            f"({len(OPS)} operator names are); see docs/symbol.rst for the list"
        )
    return op
