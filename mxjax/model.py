"""``mx.model``: MXNet checkpoints (``prefix-symbol.json`` + ``prefix-%04d.params``).

Examples:
    >>> import mxjax as mx
    >>> callable(mx.model.save_checkpoint) and callable(mx.model.load_checkpoint)
    True
"""

from mxjax._src.module.base import BatchEndParam as BatchEndParam
from mxjax._src.module.model import (
    load_checkpoint as load_checkpoint,
    load_params as load_params,
    save_checkpoint as save_checkpoint,
)

__all__ = ["BatchEndParam", "load_checkpoint", "load_params", "save_checkpoint"]
