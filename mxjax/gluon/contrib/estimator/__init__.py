"""``gluon.contrib.estimator``: Estimator and event handlers (MXNet 1.9.1 semantics).

Examples:
    >>> from mxjax.gluon.contrib.estimator import Estimator, LoggingHandler
    >>> LoggingHandler().log_interval
    'epoch'
"""

from mxjax._src.gluon.estimator import Estimator as Estimator
from mxjax.gluon.contrib.estimator import (
    batch_processor as batch_processor,
    event_handler as event_handler,
)
from mxjax.gluon.contrib.estimator.batch_processor import *  # noqa: F403  (as MXNet's)
from mxjax.gluon.contrib.estimator.event_handler import *  # noqa: F403

__all__ = sorted(
    [
        "Estimator",
        "batch_processor",
        "event_handler",
        *batch_processor.__all__,
        *event_handler.__all__,
    ]
)
