"""The two data feeds of the training loop: arrays gathered on the device, or batches passed in."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["ArrayFeed", "IterableFeed"]


class ArrayFeed:
    """Arrays uploaded once; each epoch uploads one permutation matrix, steps gather on device.

    ``batches()`` yields ``((x_all, y_all, perm, offset), size, None)``: the
    step gathers ``perm[batch - offset]`` itself. A last batch smaller than
    ``batch_size`` is a second ``(1, rest)`` matrix (one more compilation).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.train.feed import ArrayFeed
        >>> feed = ArrayFeed(np.zeros((5, 2)), np.zeros(5), 2, False, np.random.default_rng(0))
        >>> [size for _, size, _ in feed.batches()], feed.steps
        ([2, 2, 1], 3)
    """

    gather = True

    def __init__(self, xs, ys, batch_size: int, shuffle: bool, rng: np.random.Generator):
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; received {batch_size}")
        self.n = int(np.shape(ys)[0])
        self.batch_size, self.shuffle, self.rng = int(batch_size), shuffle, rng
        self.xa, self.ya = jax.tree.map(jnp.asarray, xs), jnp.asarray(ys)
        self.steps = math.ceil(self.n / self.batch_size)

    def batches(self):
        n, bs = self.n, self.batch_size
        order = (self.rng.permutation(n) if self.shuffle else np.arange(n)).astype(np.int32)
        full = n // bs
        if full:
            perm = jnp.asarray(order[: full * bs].reshape(full, bs))
            offset = jnp.zeros((), jnp.int32)
            for _ in range(full):
                yield (self.xa, self.ya, perm, offset), bs, None
        if n % bs:
            rest = jnp.asarray(order[full * bs :][None])
            yield (self.xa, self.ya, rest, jnp.asarray(full, jnp.int32)), n % bs, None


class IterableFeed:
    """Batches from an iterable (a DataLoader), split into ``(x, y)`` by ``split``.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.train.feed import IterableFeed
        >>> feed = IterableFeed([(np.zeros((2, 3)), np.zeros(2))], lambda b: b)
        >>> [size for _, size, _ in feed.batches()]
        [2]
    """

    gather = False

    def __init__(self, source: Iterable, split: Callable):
        self.source, self.split = source, split
        try:
            self.steps: int | None = len(source)
        except TypeError:
            self.steps = None

    def batches(self):
        for raw in self.source:
            bx, by = self.split(raw)
            leaves = jax.tree.leaves(bx)
            if not leaves:
                raise ValueError("fit: a batch holds no input arrays")
            yield (bx, by), int(np.shape(leaves[0])[0]), raw
