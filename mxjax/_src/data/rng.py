"""Per-sample random number generators for data transforms.

The DataLoader seeds one NumPy ``Generator`` per sample from
``(seed, epoch, batch index, position)`` and installs it while the sample is
loaded; random transforms draw from :func:`get_rng`. The result does not
depend on the number of workers or on which worker loads a sample.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import numpy as np

__all__ = ["get_rng", "sample_key", "sample_key_rng", "sample_rng"]

_local = threading.local()


def get_rng() -> np.random.Generator:
    """Returns the Generator random transforms should use now.

    Inside a DataLoader this is the per-sample Generator; elsewhere it is a
    Generator drawn from NumPy's global state (so ``np.random.seed`` makes
    stand-alone calls reproducible, as in MXNet).

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import get_rng, sample_rng
        >>> with sample_rng(np.random.default_rng(0)):
        ...     a = get_rng().random()
        >>> bool(a == np.random.default_rng(0).random())
        True
    """
    rng = getattr(_local, "rng", None)
    if rng is None:
        key = getattr(_local, "key", None)
        if key is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        rng = _local.rng = sample_key_rng(key)
    return rng


@contextlib.contextmanager
def sample_rng(rng: np.random.Generator) -> Iterator[np.random.Generator]:
    """Context manager installing ``rng`` as the transforms' Generator in this thread.

    Examples:
        >>> import numpy as np
        >>> from mxjax.data import get_rng, sample_rng
        >>> with sample_rng(np.random.default_rng(1)) as g:
        ...     get_rng() is g
        True
    """
    prev = getattr(_local, "rng", None), getattr(_local, "key", None)
    _local.rng, _local.key = rng, None
    try:
        yield rng
    finally:
        _local.rng, _local.key = prev


@contextlib.contextmanager
def sample_key(key: tuple[int, ...]) -> Iterator[None]:
    """Like :func:`sample_rng` with ``sample_key_rng(key)``, created only if it is used.

    Examples:
        >>> from mxjax._src.data.rng import get_rng, sample_key, sample_key_rng
        >>> with sample_key((1, 2)):
        ...     v = get_rng().random()
        >>> v == sample_key_rng((1, 2)).random()
        True
    """
    prev = getattr(_local, "rng", None), getattr(_local, "key", None)
    _local.rng, _local.key = None, key
    try:
        yield
    finally:
        _local.rng, _local.key = prev


def sample_key_rng(key: tuple[int, ...]) -> np.random.Generator:
    """Generator seeded from a tuple of non-negative ints (``(seed, epoch, batch, ...)``).

    Examples:
        >>> from mxjax._src.data.rng import sample_key_rng
        >>> float(sample_key_rng((0, 1, 2)).random()) == float(sample_key_rng((0, 1, 2)).random())
        True
    """
    return np.random.default_rng([int(k) for k in key])
