"""``gluon.contrib``: the Estimator API.

Examples:
    >>> from mxjax.gluon import contrib
    >>> contrib.estimator.Estimator.__name__
    'Estimator'
"""

from mxjax.gluon.contrib import estimator as estimator

__all__ = ["estimator"]
