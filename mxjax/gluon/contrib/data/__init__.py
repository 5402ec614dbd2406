"""``gluon.contrib.data``: MXNet's contributed data utilities (``IntervalSampler``).

Examples:
    >>> from mxjax.gluon.contrib.data import IntervalSampler
    >>> list(IntervalSampler(7, 3))
    [0, 3, 6, 1, 4, 2, 5]
"""

from mxjax._src.data.sampler import IntervalSampler as IntervalSampler
from mxjax.gluon.contrib.data import sampler as sampler

__all__ = ["IntervalSampler", "sampler"]
