"""Gluon ``Parameter``, ``Constant`` and ``ParameterDict``.

Examples:
    >>> from mxjax.gluon.parameter import Parameter
    >>> Parameter("w", shape=(2,)).name
    'w'
"""

from mxjax._src.gluon.parameter import (
    Constant as Constant,
    DeferredInitializationError as DeferredInitializationError,
    Parameter as Parameter,
)
from mxjax._src.gluon.parameter_dict import ParameterDict as ParameterDict

__all__ = ["Constant", "DeferredInitializationError", "Parameter", "ParameterDict"]
