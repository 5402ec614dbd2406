"""MXNet's ``mx.contrib``: contributed APIs (``mx.contrib.autograd``).

Examples:
    >>> import mxjax as mx
    >>> mx.contrib.autograd.train_section().__class__.__name__
    'TrainingStateScope'
"""

from mxjax.contrib import autograd as autograd

__all__ = ["autograd"]
