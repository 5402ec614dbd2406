"""``gluon.contrib.estimator``: Estimator and event handlers (MXNet 1.9.1 semantics).

Examples:
    >>> from mxjax.gluon.contrib.estimator import Estimator, LoggingHandler
    >>> LoggingHandler().log_interval
    'epoch'
"""

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
from mxjax.gluon.contrib.estimator import event_handler as event_handler

__all__ = [
    "BatchBegin",
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
    "event_handler",
]
