"""Samplers: which sample indices a DataLoader visits, in which order and batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = [
    "BatchSampler",
    "FilterSampler",
    "IntervalSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "ShardedSampler",
]

_LAST_BATCH = ("keep", "discard", "rollover")


def _check_len(name: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name}: {arg} must be a non-negative int, received {value!r}")
    return int(value)


class Sampler:
    """Base class: an iterable of indices with a length.

    Examples:
        >>> from mxjax.data import Sampler, SequentialSampler
        >>> isinstance(SequentialSampler(3), Sampler)
        True
    """

    def __iter__(self) -> Iterator:
        raise TypeError(f"{type(self).__name__} must implement __iter__")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} must implement __len__")


class SequentialSampler(Sampler):
    """Samples ``start, start + 1, ..., start + length - 1`` in order.

    Examples:
        >>> from mxjax.data import SequentialSampler
        >>> list(SequentialSampler(3, start=2))
        [2, 3, 4]
    """

    def __init__(self, length: int, start: int = 0):
        self._length = _check_len("SequentialSampler", "length", length)
        self._start = _check_len("SequentialSampler", "start", start)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self._start, self._start + self._length))

    def __len__(self) -> int:
        return self._length


class RandomSampler(Sampler):
    """Samples ``0 .. length-1`` in a random order, reshuffled on every iteration.

    Determinism: with ``seed=s``, the permutation of the k-th iteration (epoch
    k, counting from 0) is ``np.random.default_rng([s, k]).permutation(length)``,
    so a run is reproducible and an epoch can be replayed with
    :meth:`set_epoch`. With ``rng=`` the given Generator is used in turn. With
    neither, NumPy's global state is used, as MXNet does (``np.random.seed``
    makes it reproducible).

    Args:
        length: number of samples.
        seed: optional int seed.
        rng: optional ``np.random.Generator`` (exclusive with ``seed``).

    Examples:
        >>> from mxjax.data import RandomSampler
        >>> s = RandomSampler(5, seed=0)
        >>> a, b = list(s), list(s)
        >>> sorted(a), a != b
        ([0, 1, 2, 3, 4], True)
        >>> s.set_epoch(0); list(s) == a
        True
    """

    def __init__(
        self, length: int, seed: int | None = None, rng: np.random.Generator | None = None
    ):
        self._length = _check_len("RandomSampler", "length", length)
        if seed is not None and rng is not None:
            raise ValueError("RandomSampler: pass seed or rng, not both")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"RandomSampler: rng must be a numpy.random.Generator, received {type(rng).__name__}"
            )
        if seed is not None:
            _check_len("RandomSampler", "seed", seed)
        self._seed = seed
        self._rng = rng
        self._epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch whose permutation the next iteration yields (needs ``seed``)."""
        self._epoch = _check_len("RandomSampler.set_epoch", "epoch", epoch)

    def permutation(self) -> np.ndarray:
        """Draws the next epoch's permutation (advances the epoch)."""
        if self._seed is not None:
            perm = np.random.default_rng([self._seed, self._epoch]).permutation(self._length)
        elif self._rng is not None:
            perm = self._rng.permutation(self._length)
        else:
            perm = np.arange(self._length)
            np.random.shuffle(perm)
        self._epoch += 1
        return perm

    def __iter__(self) -> Iterator[int]:
        return iter(self.permutation().tolist())

    def __len__(self) -> int:
        return self._length


class FilterSampler(Sampler):
    """Samples the indices of the samples of ``dataset`` for which ``fn(sample)`` is true.

    Examples:
        >>> from mxjax.data import FilterSampler
        >>> list(FilterSampler(lambda x: x > 1, [0, 3, 1, 5]))
        [1, 3]
    """

    def __init__(self, fn: Callable[[Any], bool], dataset: Any):
        self._indices = [i for i in range(len(dataset)) if fn(dataset[i])]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices)

    def __len__(self) -> int:
        return len(self._indices)


class IntervalSampler(Sampler):
    """Samples ``0, k, 2k, ...`` then (with ``rollover``) ``1, k+1, ...`` and so on.

    Examples:
        >>> from mxjax.data import IntervalSampler
        >>> list(IntervalSampler(6, 3)), list(IntervalSampler(6, 3, rollover=False))
        ([0, 3, 1, 4, 2, 5], [0, 3])
    """

    def __init__(self, length: int, interval: int, rollover: bool = True):
        self._length = _check_len("IntervalSampler", "length", length)
        if _check_len("IntervalSampler", "interval", interval) < 1 or interval > max(length, 1):
            raise ValueError(
                f"IntervalSampler: interval must be in [1, length={length}], received {interval}"
            )
        self._interval = int(interval)
        self._rollover = rollover

    def __iter__(self) -> Iterator[int]:
        for i in range(self._interval if self._rollover else 1):
            yield from range(i, self._length, self._interval)

    def __len__(self) -> int:
        if self._rollover:
            return self._length
        return len(range(0, self._length, self._interval))


class ShardedSampler(Sampler):
    """This process's share of ``0 .. length-1`` for multi-host data parallelism.

    All processes draw the same (optionally shuffled) order, pad it by wrapping
    around so that its length divides by ``num_shards`` (or drop the tail with
    ``pad=False``), and process ``index`` takes every ``num_shards``-th index
    from position ``index``. Every process therefore gets the same number of
    samples, and together they cover the dataset.

    Args:
        length: number of samples.
        num_shards: number of processes; default ``jax.process_count()``.
        index: this process; default ``jax.process_index()``.
        shuffle: shuffle with ``np.random.default_rng([seed, epoch])`` each epoch.
        seed: the seed shared by all processes.
        pad: pad by wrapping (True) or drop the remainder (False).

    Examples:
        >>> from mxjax.data import ShardedSampler
        >>> [list(ShardedSampler(5, num_shards=2, index=i)) for i in range(2)]
        [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(
        self,
        length: int,
        num_shards: int | None = None,
        index: int | None = None,
        shuffle: bool = False,
        seed: int = 0,
        pad: bool = True,
    ):
        self._length = _check_len("ShardedSampler", "length", length)
        if num_shards is None or index is None:
            import jax

            num_shards = jax.process_count() if num_shards is None else num_shards
            index = jax.process_index() if index is None else index
        if _check_len("ShardedSampler", "num_shards", num_shards) < 1:
            raise ValueError(f"ShardedSampler: num_shards must be >= 1, received {num_shards}")
        if not 0 <= _check_len("ShardedSampler", "index", index) < num_shards:
            raise ValueError(
                f"ShardedSampler: index must be in [0, num_shards={num_shards}), received {index}"
            )
        self._num_shards, self._index = int(num_shards), int(index)
        self._shuffle, self._seed, self._pad = (
            shuffle,
            _check_len("ShardedSampler", "seed", seed),
            pad,
        )
        self._epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch used for shuffling by the next iteration."""
        self._epoch = _check_len("ShardedSampler.set_epoch", "epoch", epoch)

    def __iter__(self) -> Iterator[int]:
        order = np.arange(self._length)
        if self._shuffle:
            order = np.random.default_rng([self._seed, self._epoch]).permutation(self._length)
        self._epoch += 1
        total = len(self) * self._num_shards
        if total > self._length and self._length > 0:
            order = np.resize(order, total)
        return iter(order[self._index : total : self._num_shards].tolist())

    def __len__(self) -> int:
        if self._pad:
            return -(-self._length // self._num_shards)
        return self._length // self._num_shards


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler: the index sampler.
        batch_size: size of each batch.
        last_batch: ``'keep'`` a smaller last batch, ``'discard'`` it, or
            ``'rollover'`` its indices to the start of the next iteration.

    Examples:
        >>> from mxjax.data import BatchSampler, SequentialSampler
        >>> list(BatchSampler(SequentialSampler(5), 2, 'keep'))
        [[0, 1], [2, 3], [4]]
        >>> s = BatchSampler(SequentialSampler(5), 2, 'rollover')
        >>> list(s), list(s)
        ([[0, 1], [2, 3]], [[4, 0], [1, 2], [3, 4]])
    """

    def __init__(self, sampler: Any, batch_size: int, last_batch: str = "keep"):
        if _check_len("BatchSampler", "batch_size", batch_size) < 1:
            raise ValueError(f"BatchSampler: batch_size must be >= 1, received {batch_size}")
        if last_batch not in _LAST_BATCH:
            raise ValueError(
                f"BatchSampler: last_batch must be one of {_LAST_BATCH}, received {last_batch!r}"
            )
        self._sampler = sampler
        self._batch_size = int(batch_size)
        self._last_batch = last_batch
        self._prev: list = []

    def __iter__(self) -> Iterator[list]:
        batch, self._prev = self._prev, []
        for i in self._sampler:
            batch.append(i)
            if len(batch) == self._batch_size:
                yield batch
                batch = []
        if batch:
            if self._last_batch == "keep":
                yield batch
            elif self._last_batch == "rollover":
                self._prev = batch

    def __len__(self) -> int:
        if self._last_batch == "keep":
            return (len(self._sampler) + self._batch_size - 1) // self._batch_size
        if self._last_batch == "discard":
            return len(self._sampler) // self._batch_size
        return (len(self._prev) + len(self._sampler)) // self._batch_size
