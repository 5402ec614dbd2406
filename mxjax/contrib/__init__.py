"""MXNet's ``mx.contrib``: contributed APIs (``mx.contrib.autograd``, ``mx.contrib.amp``).

Examples:
    >>> import mxjax as mx
    >>> mx.contrib.autograd.train_section().__class__.__name__
    'TrainingStateScope'
"""

from mxjax.contrib import amp as amp, autograd as autograd

__all__ = ["amp", "autograd"]
