"""Initializers (``mx.init`` / ``mx.initializer``) shared by the core and the facade.

Examples:
    >>> import jax
    >>> from mxjax import init
    >>> init.Xavier(magnitude=2.0)(jax.random.key(0), (4, 3)).shape
    (4, 3)
"""

from mxjax._src.initializers import (
    Bilinear as Bilinear,
    Constant as Constant,
    InitDesc as InitDesc,
    Initializer as Initializer,
    LSTMBias as LSTMBias,
    MSRAPrelu as MSRAPrelu,
    Normal as Normal,
    One as One,
    Orthogonal as Orthogonal,
    Uniform as Uniform,
    Xavier as Xavier,
    Zero as Zero,
    create as create,
    host_rng as host_rng,
    init_param as init_param,
)

__all__ = [
    "Bilinear",
    "Constant",
    "InitDesc",
    "Initializer",
    "LSTMBias",
    "MSRAPrelu",
    "Normal",
    "One",
    "Orthogonal",
    "Uniform",
    "Xavier",
    "Zero",
    "create",
    "host_rng",
    "init_param",
]
