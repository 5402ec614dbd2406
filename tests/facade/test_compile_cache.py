"""The facade's one compile cache: entries per kind, no recompilation, clearing, bounding."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon, nd
from mxjax._src import compile_cache


def _net(hybridize):
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(6, activation="relu"), gluon.nn.Dense(3))
    net.initialize(mx.init.Xavier())
    if hybridize:
        net.hybridize()
    return net


def _steps(net, n, batch=4):
    rs = np.random.RandomState(0)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = getattr(net, "_test_trainer", None)
    if trainer is None:  # one Trainer per net: its update is part of the step program's key
        trainer = net._test_trainer = gluon.Trainer(
            net.collect_params(), "sgd", {"learning_rate": 0.1}
        )
    x = nd.array(rs.rand(batch, 5))
    y = nd.array(rs.randint(0, 3, batch))
    losses = []
    for _ in range(n):
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(batch)
        losses.append(float(loss.mean().asscalar()))
    return losses


def _jit_sizes():
    """Compiled executables held by the cache's entries (jax.jit caches of each kernel)."""
    total = 0
    for key, v in list(compile_cache._CACHE.items()):
        if key[0] == "hybrid":
            v = v[0]  # (kernel, whether it draws random numbers)
        if key[0] in ("layer", "hybrid", "loss"):
            total += v.run._cache_size() + v._fwd._cache_size() + v._bwd._cache_size()
        elif key[0] == "step":
            total += v._cache_size()
    return total


@pytest.mark.parametrize("hybridize", [False, True])
def test_a_steady_loop_adds_no_entries_and_compiles_nothing_new(hybridize):
    gluon.clear_compile_cache()
    net = _net(hybridize)
    _steps(net, 3)  # an nd operator (loss.mean) is compiled from its third call
    info = gluon.compile_cache_info()
    kinds = info["by_kind"]
    assert kinds.get("step", 0) >= 1  # the fused forward+backward+update program
    assert kinds.get("loss", 0) == 1
    assert kinds.get("hybrid" if hybridize else "layer", 0) >= 1
    entries, compiled = info["entries"], _jit_sizes()
    _steps(net, 3)
    assert gluon.compile_cache_info()["entries"] == entries
    assert _jit_sizes() == compiled


def test_clear_drops_entries_and_the_next_step_gives_the_same_numbers():
    gluon.clear_compile_cache()
    net = _net(True)
    first = _steps(net, 2)
    assert gluon.compile_cache_info()["entries"] > 0
    gluon.clear_compile_cache()
    assert gluon.compile_cache_info()["entries"] == 0
    net2 = _net(True)
    for p, q in zip(net.collect_params().values(), net2.collect_params().values()):
        q.set_data(p.data())
    again = _steps(net2, 1)
    assert gluon.compile_cache_info()["entries"] > 0
    np.testing.assert_allclose(again[0], _steps(net, 1)[0], rtol=1e-6)
    assert np.isfinite(first).all()


def test_the_cache_is_bounded_least_recently_used_first():
    old = gluon.set_compile_cache_size(3)
    try:
        gluon.clear_compile_cache()
        for i in range(5):
            compile_cache.cached(("doc", i), lambda i=i: i)
        assert [k[1] for k in compile_cache._CACHE] == [2, 3, 4]
        compile_cache.cached(("doc", 2), lambda: None)  # a hit moves it to the end
        compile_cache.cached(("doc", 5), lambda: 5)
        assert [k[1] for k in compile_cache._CACHE] == [4, 2, 5]
        assert gluon.compile_cache_info()["evictions"] >= 3
    finally:
        gluon.set_compile_cache_size(old)
        gluon.clear_compile_cache()


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "8"])
def test_cache_size_is_validated(bad):
    with pytest.raises(ValueError, match="max_entries"):
        gluon.set_compile_cache_size(bad)


def test_a_second_hybridize_compiles_afresh():
    gluon.clear_compile_cache()
    net = _net(True)
    x = nd.ones((2, 5))
    want = net(x).asnumpy()
    n = gluon.compile_cache_info()["by_kind"]["hybrid"]
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-6)
    assert gluon.compile_cache_info()["by_kind"]["hybrid"] == n + 1
