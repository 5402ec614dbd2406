"""The two data feeds of the training loop: arrays gathered on the device, or batches passed in."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import jax
import numpy as np

__all__ = ["ArrayFeed", "IterableFeed", "pad_rows"]


class ArrayFeed:
    """Arrays uploaded once; each epoch uploads one permutation matrix, steps gather on device.

    ``batches()`` yields ``((x_all, y_all, perm, offset), size, None)``: the
    step gathers ``perm[batch - offset]`` itself. The uploaded arrays are
    padded to :func:`capacity` rows, so a dataset of a nearby length reuses
    the compiled step (the padding is never read).

    A last batch smaller than ``batch_size`` is, with ``pad_last``, the next
    row of the same matrix with -1 in its unused places (the step masks those
    rows out: one program for every batch and every length of a size bucket);
    without it, a second ``(1, rest)`` matrix (one more compilation: exact for
    networks whose rows interact, such as BatchNorm's batch statistics).

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.train.feed import ArrayFeed
        >>> feed = ArrayFeed(np.zeros((5, 2)), np.zeros(5), 2, False, np.random.default_rng(0))
        >>> [size for _, size, _ in feed.batches()], feed.steps
        ([2, 2, 1], 3)
        >>> padded = ArrayFeed(np.zeros((5, 2)), np.zeros(5), 2, False, np.random.default_rng(0), pad_last=True)
        >>> mats = [args[2] for args, _, _ in padded.batches()]
        >>> len(mats), mats[-1].shape, np.asarray(mats[-1])[2].tolist()
        (3, (3, 2), [4, -1])
    """

    gather = True

    def __init__(
        self,
        xs,
        ys,
        batch_size: int,
        shuffle: bool,
        rng: np.random.Generator,
        pad_last: bool = False,
    ):
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; received {batch_size}")
        self.n = int(np.shape(ys)[0])
        self.batch_size, self.shuffle, self.rng = int(batch_size), shuffle, rng
        # device_put, not jnp.asarray: on JAX >= 0.10 the latter compiles a program per shape.
        rows = capacity(self.n)
        self.xa, self.ya = (
            jax.tree.map(lambda a: jax.device_put(pad_rows(a, rows)), xs),
            jax.device_put(pad_rows(ys, rows)),
        )
        self.steps = math.ceil(self.n / self.batch_size)
        self.pad_last = bool(pad_last)

    def batches(self):
        n, bs = self.n, self.batch_size
        order = (self.rng.permutation(n) if self.shuffle else np.arange(n)).astype(np.int32)
        full = n // bs
        if self.pad_last:
            # one matrix for the whole bucket: ceil(capacity / bs) rows, -1 past the data
            perm = np.full((-(-capacity(n) // bs), bs), -1, np.int32)
            perm.reshape(-1)[:n] = order
            perm, offset = jax.device_put(perm), jax.device_put(np.int32(0))
            for b in range(self.steps):
                yield (self.xa, self.ya, perm, offset), min(bs, n - b * bs), None
            return
        if full:
            # as many rows as the padded arrays hold: the same shape for every length
            # of a size bucket (the rows past `full` are never read)
            perm = jax.device_put(pad_rows(order[: full * bs].reshape(full, bs), capacity(n) // bs))
            offset = jax.device_put(np.int32(0))
            for _ in range(full):
                yield (self.xa, self.ya, perm, offset), bs, None
        if n % bs:
            rest = jax.device_put(order[full * bs :][None])
            yield (self.xa, self.ya, rest, jax.device_put(np.int32(full))), n % bs, None


def capacity(n: int) -> int:
    """The rows uploaded for ``n`` samples: ``n`` rounded up to one of 8 sizes per octave.

    At most 1/8 more rows than samples; every length in a bucket shares one
    compiled train step.

    Examples:
        >>> from mxjax._src.train.feed import capacity
        >>> capacity(256), capacity(300), capacity(301), capacity(60000)
        (256, 320, 320, 61440)
    """
    step = 1 << max(0, (int(n) - 1).bit_length() - 4)
    return -(-int(n) // step) * step


def pad_rows(a, rows: int) -> np.ndarray:
    """Host array ``a`` with its last row repeated up to ``rows`` rows (zeros if it has none).

    A batch padded to a common size runs the same compiled program; the
    padding keeps values of the data's own domain (valid class labels and
    indices, finite inputs). Callers mask or drop the padded rows.

    Examples:
        >>> import numpy as np
        >>> from mxjax._src.train.feed import pad_rows
        >>> pad_rows(np.array([[1, 2], [3, 4]]), 3).tolist()
        [[1, 2], [3, 4], [3, 4]]
    """
    a = np.asarray(a)
    extra = rows - a.shape[0]
    if extra <= 0:
        return a
    fill = (
        np.repeat(a[-1:], extra, axis=0) if a.shape[0] else np.zeros((extra, *a.shape[1:]), a.dtype)
    )
    return np.concatenate([a, fill])


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
