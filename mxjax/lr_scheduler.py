"""MXNet-compatible learning-rate schedulers (``mx.lr_scheduler``).

Examples:
    >>> import mxjax as mx
    >>> sched = mx.lr_scheduler.FactorScheduler(step=100, factor=0.9, base_lr=0.1)
    >>> sched(1)
    0.1
"""

from mxjax._src.lr_scheduler import (
    CosineScheduler as CosineScheduler,
    FactorScheduler as FactorScheduler,
    LRScheduler as LRScheduler,
    MultiFactorScheduler as MultiFactorScheduler,
    PolyScheduler as PolyScheduler,
    as_optax_schedule as as_optax_schedule,
)

__all__ = [
    "CosineScheduler",
    "FactorScheduler",
    "LRScheduler",
    "MultiFactorScheduler",
    "PolyScheduler",
    "as_optax_schedule",
]
