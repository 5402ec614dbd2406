"""``gluon.trainer``: the Gluon ``Trainer`` (also available as ``gluon.Trainer``).

Examples:
    >>> from mxjax import gluon
    >>> gluon.trainer.Trainer is gluon.Trainer
    True
"""

from mxjax._src.gluon.trainer import Trainer as Trainer

__all__ = ["Trainer"]
