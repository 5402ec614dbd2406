"""``gluon.contrib.estimator``: Estimator and event handlers (MXNet 1.9.1 semantics).

Examples:
    >>> from mxjax.gluon.contrib.estimator import Estimator, LoggingHandler
    >>> LoggingHandler().log_interval
    'epoch'
"""

from mxjax._src.gluon.batch_processor import BatchProcessor as BatchProcessor
from mxjax._src.gluon.estimator import Estimator as Estimator
from mxjax._src.gluon.event_handler import (
    BatchBegin as BatchBegin,
    BatchEnd as BatchEnd,
    CheckpointHandler as CheckpointHandler,
    EarlyStoppingHandler as EarlyStoppingHandler,
    EpochBegin as EpochBegin,
    EpochEnd as EpochEnd,
    GradientUpdateHandler as GradientUpdateHandler,
    LoggingHandler as LoggingHandler,
    MetricHandler as MetricHandler,
    StoppingHandler as StoppingHandler,
    TrainBegin as TrainBegin,
    TrainEnd as TrainEnd,
    ValidationHandler as ValidationHandler,
)
from mxjax.gluon.contrib.estimator import (
    batch_processor as batch_processor,
    event_handler as event_handler,
)

__all__ = [
    "BatchBegin",
    "BatchProcessor",
    "BatchEnd",
    "CheckpointHandler",
    "EarlyStoppingHandler",
    "EpochBegin",
    "EpochEnd",
    "Estimator",
    "GradientUpdateHandler",
    "LoggingHandler",
    "MetricHandler",
    "StoppingHandler",
    "TrainBegin",
    "TrainEnd",
    "ValidationHandler",
    "batch_processor",
    "event_handler",
]
