"""Datasets, samplers and batchify against hand-written NumPy/list references."""

import numpy as np
import pytest

from mxjax.data import (
    ArrayDataset,
    BatchSampler,
    FilterSampler,
    IntervalSampler,
    RandomSampler,
    SequentialSampler,
    ShardedSampler,
    SimpleDataset,
    default_batchify_fn,
)


def test_array_dataset_and_transforms():
    x = np.arange(12).reshape(6, 2)
    y = np.arange(6) * 10
    ds = ArrayDataset(x, y)
    assert len(ds) == 6
    np.testing.assert_array_equal(ds[3][0], x[3])
    t = ds.transform(lambda a, b: (a * 2, b + 1))
    np.testing.assert_array_equal(t[2][0], x[2] * 2)
    assert t[2][1] == 21
    eager = ds.transform(lambda a, b: b, lazy=False)
    assert isinstance(eager, SimpleDataset) and list(eager) == list(y)
    tf = ds.transform_first(lambda a: a.sum())
    assert tf[1] == (x[1].sum(), y[1])
    assert ArrayDataset(y)[4] == 40  # one array: plain elements, not 1-tuples
    with pytest.raises(ValueError, match="array 1 has 5"):
        ArrayDataset(x, y[:5])


def test_filter_shard_take_sample():
    ds = SimpleDataset(list(range(10)))
    assert list(ds.filter(lambda v: v % 3 == 0)) == [0, 3, 6, 9]
    shards = [list(ds.shard(3, i)) for i in range(3)]
    assert shards == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert list(ds.take(3)) == [0, 1, 2] and len(ds.take(None)) == 10 and len(ds.take(99)) == 10
    assert list(ds.sample(IntervalSampler(10, 4, rollover=False))) == [0, 4, 8]
    with pytest.raises(ValueError, match="index must be in"):
        ds.shard(2, 2)


def test_samplers():
    assert list(SequentialSampler(3, 1)) == [1, 2, 3]
    assert list(FilterSampler(lambda v: v > 2, [5, 1, 3])) == [0, 2]
    assert list(IntervalSampler(5, 2)) == [0, 2, 4, 1, 3]
    s = RandomSampler(8, seed=4)
    e0, e1 = list(s), list(s)
    np.testing.assert_array_equal(e0, np.random.default_rng([4, 0]).permutation(8))
    np.testing.assert_array_equal(e1, np.random.default_rng([4, 1]).permutation(8))
    s.set_epoch(1)
    assert list(s) == e1
    g = np.random.default_rng(7)
    ref = np.random.default_rng(7)
    assert list(RandomSampler(5, rng=g)) == ref.permutation(5).tolist()
    with pytest.raises(ValueError, match="not both"):
        RandomSampler(3, seed=1, rng=g)


def test_batch_sampler_last_batch():
    def batches(mode, n=7, bs=3):
        return BatchSampler(SequentialSampler(n), bs, mode)

    assert list(batches("keep")) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(batches("keep")) == 3 and len(batches("discard")) == 2
    assert list(batches("discard")) == [[0, 1, 2], [3, 4, 5]]
    r = batches("rollover")
    assert list(r) == [[0, 1, 2], [3, 4, 5]] and len(r) == 2  # (1 + 7) // 3
    assert list(r) == [[6, 0, 1], [2, 3, 4]]
    with pytest.raises(ValueError, match="last_batch must be one of"):
        BatchSampler(SequentialSampler(3), 2, "drop")


@pytest.mark.parametrize("n,k,pad", [(10, 3, True), (10, 3, False), (9, 3, True), (2, 4, True)])
def test_sharded_sampler_covers_dataset(n, k, pad):
    shards = [list(ShardedSampler(n, num_shards=k, index=i, pad=pad)) for i in range(k)]
    assert len({len(s) for s in shards}) == 1
    flat = sorted(sum(shards, []))
    if pad:
        assert set(flat) == set(range(n)) and len(flat) == -(-n // k) * k
    else:
        assert len(flat) == (n // k) * k and len(set(flat)) == len(flat)
    shuf = [list(ShardedSampler(n, k, i, shuffle=True, seed=1)) for i in range(k)]
    perm = np.resize(np.random.default_rng([1, 0]).permutation(n), -(-n // k) * k)
    assert shuf[0] == perm[0::k].tolist()


def test_sharded_sampler_defaults_to_jax_process():
    s = ShardedSampler(6)  # single process: everything
    assert list(s) == list(range(6))


def test_default_batchify():
    x, y = default_batchify_fn([(np.ones((2, 2), np.uint8) * i, np.int32(i)) for i in range(3)])
    np.testing.assert_array_equal(x, np.stack([np.ones((2, 2), np.uint8) * i for i in range(3)]))
    assert x.dtype == np.uint8 and y.dtype == np.int32 and y.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="same shape"):
        default_batchify_fn([np.zeros(2), np.zeros(3)])
