"""``gluon.data.sampler``: the samplers, as MXNet's module of that name.

Examples:
    >>> from mxjax.gluon.data import sampler
    >>> list(sampler.SequentialSampler(3))
    [0, 1, 2]
"""

from mxjax._src.data.sampler import (
    BatchSampler as BatchSampler,
    FilterSampler as FilterSampler,
    IntervalSampler as IntervalSampler,
    RandomSampler as RandomSampler,
    Sampler as Sampler,
    SequentialSampler as SequentialSampler,
)

__all__ = [
    "BatchSampler",
    "FilterSampler",
    "IntervalSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
]
