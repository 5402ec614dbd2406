"""``gluon.contrib``: the Estimator API, ``nn``, ``rnn`` and ``data`` (``IntervalSampler``).

Examples:
    >>> from mxjax.gluon import contrib
    >>> contrib.estimator.Estimator.__name__
    'Estimator'
"""

from mxjax.gluon.contrib import data as data, estimator as estimator, nn as nn, rnn as rnn

__all__ = ["data", "estimator", "nn", "rnn"]
