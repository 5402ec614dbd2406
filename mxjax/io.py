"""MXNet file formats: the binary NDArray list behind ``nd.save`` and Gluon ``.params``.

Examples:
    >>> import numpy as np
    >>> from mxjax import io
    >>> io.loads(io.dumps([np.ones(2, np.float16)]))
    [array([1., 1.], dtype=float16)]
"""

from mxjax._src.io.params import (
    ParamsFormatError as ParamsFormatError,
    dumps as dumps,
    load_params as load_params,
    loads as loads,
    save_params as save_params,
)

__all__ = ["ParamsFormatError", "dumps", "load_params", "loads", "save_params"]
