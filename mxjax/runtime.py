"""MXNet's ``mx.runtime``: ``Features().is_enabled(name)``, ``feature_list()``.

Examples:
    >>> import mxjax as mx
    >>> mx.runtime.Features().is_enabled("CUDA") in (True, False)
    True
"""

from mxjax._src.runtime import (
    Feature as Feature,
    Features as Features,
    feature_list as feature_list,
)

__all__ = ["Feature", "Features", "feature_list"]
