"""``mx.amp`` (MXNet's ``mx.contrib.amp``): dynamic loss scaling for mixed-precision training.

Examples:
    >>> from mxjax import amp
    >>> amp.LossScaler().loss_scale
    65536.0
"""

from mxjax._src.amp import (
    LossScaler as LossScaler,
    init as init,
    init_trainer as init_trainer,
    scale_loss as scale_loss,
    target_dtype as target_dtype,
    unscale as unscale,
)
from mxjax._src.amp_convert import (
    convert_hybrid_block as convert_hybrid_block,
    convert_symbol as convert_symbol,
)

__all__ = [
    "LossScaler",
    "convert_hybrid_block",
    "convert_symbol",
    "init",
    "init_trainer",
    "scale_loss",
    "target_dtype",
    "unscale",
]
