"""``gluon.contrib.estimator.batch_processor`` (MXNet 1.9.1 module layout).

Examples:
    >>> from mxjax.gluon.contrib.estimator.batch_processor import BatchProcessor
    >>> callable(BatchProcessor().fit_batch)
    True
"""

from mxjax._src.gluon.batch_processor import BatchProcessor as BatchProcessor

__all__ = ["BatchProcessor"]
