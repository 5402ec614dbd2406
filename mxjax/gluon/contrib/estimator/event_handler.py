"""``gluon.contrib.estimator.event_handler`` (MXNet's module path).

Examples:
    >>> from mxjax.gluon.contrib.estimator.event_handler import StoppingHandler
    >>> StoppingHandler(max_batch=5).max_batch
    5
"""

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

__all__ = [
    "BatchBegin",
    "BatchEnd",
    "CheckpointHandler",
    "EarlyStoppingHandler",
    "EpochBegin",
    "EpochEnd",
    "GradientUpdateHandler",
    "LoggingHandler",
    "MetricHandler",
    "StoppingHandler",
    "TrainBegin",
    "TrainEnd",
    "ValidationHandler",
]
