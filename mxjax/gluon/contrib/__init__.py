"""``gluon.contrib``: the Estimator API and ``nn.SyncBatchNorm``.

Examples:
    >>> from mxjax.gluon import contrib
    >>> contrib.estimator.Estimator.__name__
    'Estimator'
"""

from mxjax.gluon.contrib import estimator as estimator, nn as nn, rnn as rnn

__all__ = ["estimator", "nn", "rnn"]
