"""DataLoader: semantics, determinism across worker counts, and worker failure modes."""

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mxjax.data import (
    ArrayDataset,
    BatchSampler,
    DataLoader,
    DataLoaderTimeoutError,
    SequentialSampler,
    WorkerDiedError,
    WorkerError,
)
from tests.data.helpers import Faulty, RandomSamples


def _epochs(loader, n=2):
    return [[(x.copy(), y.copy()) for x, y in loader] for _ in range(n)]


def test_inline_batches_match_numpy_reference():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10, dtype=np.int32)
    loader = DataLoader(ArrayDataset(x, y), batch_size=4, shuffle=True, seed=5)
    assert len(loader) == 3
    for epoch, batches in enumerate(_epochs(loader)):
        perm = np.random.default_rng([5, epoch]).permutation(10)
        got = np.concatenate([b[1] for b in batches])
        np.testing.assert_array_equal(got, perm)
        np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x[perm])
    dropped = list(DataLoader(ArrayDataset(x, y), batch_size=4, last_batch="discard"))
    assert [b[1].tolist() for b in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_argument_validation():
    ds = ArrayDataset(np.zeros(4))
    with pytest.raises(ValueError, match="batch_size must be specified"):
        DataLoader(ds)
    with pytest.raises(ValueError, match="must not be specified if batch_sampler"):
        DataLoader(ds, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(4), 2))
    with pytest.raises(ValueError, match="shuffle must not be specified"):
        DataLoader(ds, batch_size=2, shuffle=True, sampler=SequentialSampler(4))
    with pytest.raises(ValueError, match="output must be one of"):
        DataLoader(ds, batch_size=2, output="torch")
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(ds, batch_size=2, num_workers=-1)


def test_same_seed_same_batches_for_0_1_4_workers_and_threads():
    ds = RandomSamples(40)
    ref = _epochs(DataLoader(ds, batch_size=6, shuffle=True, seed=11))
    # The per-sample noise is a Generator seeded (seed, epoch, batch, 0, position).
    x0, y0 = ref[1][2]
    for p, i in enumerate(y0):
        noise = np.random.default_rng([11, 1, 2, 0, p]).random(3).astype(np.float32)
        np.testing.assert_array_equal(x0[p], np.float32(i) + noise)
    for kw in ({"num_workers": 1}, {"num_workers": 4}, {"num_workers": 3, "thread_pool": True}):
        with DataLoader(ds, batch_size=6, shuffle=True, seed=11, **kw) as loader:
            got = _epochs(loader)
        for e_ref, e_got in zip(ref, got):
            assert len(e_ref) == len(e_got)
            for (a, b), (c, d) in zip(e_ref, e_got):
                np.testing.assert_array_equal(a, c)
                np.testing.assert_array_equal(b, d)


def test_break_out_and_delete_leaves_no_processes():
    loader = DataLoader(RandomSamples(64), batch_size=2, num_workers=2, prefetch=6)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    assert len(mp.active_children()) == 2  # the pool is kept for the next epoch
    assert [b[1].tolist() for b in loader][:2] == [[0, 1], [2, 3]]  # stale results dropped
    pairs = list(zip(loader, loader))  # two live iterations share the pool
    assert len(pairs) == 32 and all(np.array_equal(a[1], b[1]) for a, b in pairs)
    it = iter(loader)
    next(it)
    del it, loader
    assert mp.active_children() == []


@pytest.mark.parametrize("thread_pool", [False, True])
def test_transform_exception_carries_worker_traceback(thread_pool):
    loader = DataLoader(Faulty("raise"), batch_size=4, num_workers=2, thread_pool=thread_pool)
    with pytest.raises(WorkerError, match=r"(?s)batch 1 raised.*KeyError.*broken sample 5"):
        list(loader)
    loader.close()
    assert mp.active_children() == []


@pytest.mark.parametrize("mode,match", [("kill", "killed by signal SIGKILL"), ("exit", "code 3")])
def test_killed_worker_raises_quickly(mode, match):
    loader = DataLoader(Faulty(mode, bad=1, n=4), batch_size=1, num_workers=1, timeout=60)
    t = time.monotonic()
    with pytest.raises(WorkerDiedError, match=f"worker 0 .*{match}") as info:
        list(loader)
    assert time.monotonic() - t < 20 and info.value.worker_id == 0
    assert mp.active_children() == []


def test_workers_import_neither_jax_nor_the_main_module():
    # The parent runs `python -m pytest`: a re-imported main module would import pytest.
    with DataLoader(Faulty("probe", bad=-1, n=2), batch_size=2, num_workers=1) as loader:
        (probe,) = list(loader)
    assert not probe.any()


def test_workers_resolve_module_aliases_and_import_hooks(monkeypatch):
    # Fork-based MXNet workers see every module the parent can import under every name; a
    # spawned worker gets the parent's aliases (sys.modules['mxnet'] = mxjax style) and its
    # picklable sys.meta_path hooks, so the dataset's module imports there as in the parent.
    import importlib
    import json

    from tests.data.helpers import VirtualModules

    monkeypatch.setitem(sys.modules, "_mxjax_alias_json", json)
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, VirtualModules()])
    monkeypatch.delitem(sys.modules, "tests.data.import_probe", raising=False)
    probe = importlib.import_module("tests.data.import_probe")
    try:
        with DataLoader(probe.ProbeDataset(), batch_size=4, num_workers=1) as loader:
            (batch,) = list(loader)
    finally:
        for name in ("tests.data.import_probe", "_mxjax_virtual"):
            sys.modules.pop(name, None)
    expected = [[i, len(json.dumps([i])), 7, 1] for i in range(4)]
    np.testing.assert_array_equal(batch, expected)


def test_timeout():
    loader = DataLoader(Faulty("sleep", bad=0, n=2), batch_size=1, num_workers=1, timeout=0.5)
    with pytest.raises(DataLoaderTimeoutError, match="timeout=0.5"):
        list(loader)
    assert mp.active_children() == []
    threads = DataLoader(
        Faulty("sleep", bad=0, n=2), batch_size=1, num_workers=1, thread_pool=True, timeout=0.2
    )
    with pytest.raises(DataLoaderTimeoutError, match="timeout=0.2"):
        list(threads)


def test_unpicklable_dataset_message(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_cloudpickle(name, *a, **k):
        if name == "cloudpickle":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_cloudpickle)
    ds = ArrayDataset(np.zeros(4)).transform(lambda v: v)
    with pytest.raises(TypeError, match="must be picklable"):
        list(DataLoader(ds, batch_size=2, num_workers=1))


def test_batch_transform_and_jax_output():
    import jax

    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    loader = DataLoader(
        ArrayDataset(x), batch_size=2, output="jax", batch_transform=lambda b: b * 2,
        devices=jax.devices()[:1],
    )  # fmt: skip
    batches = list(loader)
    assert all(isinstance(b, jax.Array) for b in batches)
    np.testing.assert_array_equal(np.concatenate([np.asarray(b) for b in batches]), x * 2)


def test_gluon_loader_yields_ndarrays():
    from mxjax.gluon.data import DataLoader as GluonLoader

    try:
        from mxjax import nd
    except ImportError:
        pytest.skip("mxjax.nd is not available yet")
    if not hasattr(nd, "array"):
        pytest.skip("mxjax.nd.array is not available yet")
    x = np.arange(8, dtype=np.float32).reshape(4, 2)
    data, label = next(iter(GluonLoader(ArrayDataset(x, np.arange(4)), batch_size=2)))
    assert isinstance(data, nd.NDArray)
    np.testing.assert_array_equal(data.asnumpy(), x[:2])


_ORPHAN_PARENT = """
import os, sys, time
sys.path.insert(0, {root!r})
from mxjax.data import DataLoader
from tests.data.helpers import Faulty
loader = DataLoader(Faulty("sleep", bad=0, n=4), batch_size=1, num_workers=2, timeout=600)
next(iter(loader))  # worker 0 sleeps inside dataset[0]; worker 1 waits for work
"""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc"), reason="reads /proc to find the workers")
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    """kill -9 on the training process: its busy and idle workers are gone within seconds."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN_PARENT.format(root=root))
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            out = subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(parent.pid)], capture_output=True, text=True
            ).stdout
            workers = [int(p) for p in out.split()]
        assert len(workers) >= 2, "the workers did not start"
        time.sleep(1.0)  # worker 0 is now inside its slow dataset[0]
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert left == []
