"""``mx.callback``: callbacks for ``Module.fit`` (Speedometer, do_checkpoint ...).

Examples:
    >>> import mxjax as mx
    >>> mx.callback.Speedometer(32).batch_size
    32
"""

from mxjax._src.module.callback import (
    LogValidationMetricsCallback as LogValidationMetricsCallback,
    ProgressBar as ProgressBar,
    Speedometer as Speedometer,
    do_checkpoint as do_checkpoint,
    log_train_metric as log_train_metric,
    module_checkpoint as module_checkpoint,
)

__all__ = [
    "LogValidationMetricsCallback",
    "ProgressBar",
    "Speedometer",
    "do_checkpoint",
    "log_train_metric",
    "module_checkpoint",
]
