"""``gluon.contrib.estimator.event_handler`` (MXNet's module path).

Examples:
    >>> from mxjax.gluon.contrib.estimator.event_handler import StoppingHandler
    >>> StoppingHandler(max_batch=5).max_batch
    5
"""

from mxjax._src.gluon.event_handler import *  # noqa: F403  (one list of names, kept there)
from mxjax._src.gluon.event_handler import __all__ as __all__
