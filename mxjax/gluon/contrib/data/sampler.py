"""``gluon.contrib.data.sampler``: MXNet's module of that name.

``len(IntervalSampler(n, k, rollover=False))`` is the number of indices it
yields; MXNet 1.9.1 returns ``n`` there.

Examples:
    >>> from mxjax.gluon.contrib.data import sampler
    >>> len(sampler.IntervalSampler(13, 3, rollover=False))
    5
"""

from mxjax._src.data.sampler import IntervalSampler as IntervalSampler

__all__ = ["IntervalSampler"]
