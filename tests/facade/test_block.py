"""Block naming, save/load names and hybridize == plain, against MXNet 1.9.1 goldens and NumPy."""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn

GOLD = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon", "naming.json")


class Inner(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.fc = nn.Dense(3, in_units=4)
            self.body = nn.HybridSequential()
            self.body.add(nn.Dense(2, in_units=3), nn.BatchNorm(in_channels=2))

    def hybrid_forward(self, F, x):
        return self.body(self.fc(x))


class Outer(gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.inner = Inner()
            self.head = nn.Dense(5, in_units=2, prefix="myhead_")

    def forward(self, x):
        return self.head(self.inner(x))


def _strip(name, prefix):
    return name[len(prefix) :]


def test_names_match_mxnet():
    with open(GOLD) as f:
        g = json.load(f)
    net = Outer()
    net.initialize()
    # global counters differ between processes; compare below the top prefix
    top = net.prefix
    assert top.startswith("outer") and g["outer_prefix"] == "outer0_"
    assert _strip(net.inner.prefix, top) == _strip(g["inner_prefix"], "outer0_")
    names = [_strip(k, top) for k in net.collect_params().keys()]
    assert names == [_strip(k, "outer0_") for k in g["collect_params"]]
    sel = [_strip(k, top) for k in net.collect_params(".*weight|.*gamma").keys()]
    assert sel == [_strip(k, "outer0_") for k in g["collect_params_select"]]
    shapes = {_strip(k, top): list(v.shape) for k, v in net.collect_params().items()}
    assert shapes == {_strip(k, "outer0_"): v for k, v in g["param_shapes"].items()}
    assert sorted(net._collect_params_with_prefix()) == g["save_parameters"]


def test_sequential_naming_and_indexing():
    seq = nn.HybridSequential(prefix="seq_")
    with seq.name_scope():
        seq.add(nn.Dense(2), nn.Dense(3), nn.Dense(4))
    assert [c.name for c in seq] == ["seq_dense0", "seq_dense1", "seq_dense2"]
    assert len(seq) == 3 and seq[1].name == "seq_dense1"
    assert len(seq[1:]) == 2
    assert list(seq.collect_params().keys())[:2] == ["seq_dense0_weight", "seq_dense0_bias"]


def _mlp(x):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"), nn.BatchNorm(), nn.Dense(3))
    net.initialize(mx.init.Xavier())
    net(x)
    return net


def test_plain_matches_numpy_and_hybridized():
    rng = np.random.RandomState(0)
    xn = rng.randn(5, 4).astype(np.float32)
    x = mx.nd.array(xn)
    net = _mlp(x)
    p = {k.split("_", 1)[1]: v.data().asnumpy() for k, v in net.collect_params().items()}
    h = np.maximum(xn @ p["dense0_weight"].T + p["dense0_bias"], 0)
    h = (h - p["batchnorm0_running_mean"]) / np.sqrt(p["batchnorm0_running_var"] + 1e-5)
    h = h * p["batchnorm0_gamma"] + p["batchnorm0_beta"]
    ref = h @ p["dense1_weight"].T + p["dense1_bias"]
    np.testing.assert_allclose(net(x).asnumpy(), ref, rtol=1e-5, atol=1e-6)

    def run():
        with autograd.record():
            y = net(x)
            loss = (y * y).sum()
        loss.backward()
        return (
            y.asnumpy(),
            [p.grad().asnumpy() for p in net.collect_params().values() if p.grad_req != "null"],
            net[1].running_mean.data().asnumpy(),
        )

    y1, g1, rm1 = run()
    net.hybridize()
    y2, g2, rm2 = run()
    np.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-6)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # the running mean moved twice with momentum 0.9 from the same batch
    np.testing.assert_allclose(rm2, 0.9 * rm1 + 0.1 * (rm1 / 0.1), rtol=1e-5, atol=1e-6)


def test_hybrid_forward_style_and_hooks():
    class Scale(gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.s = self.params.get("s", shape=(1,), init=mx.init.Constant(3.0))

        def hybrid_forward(self, F, x, s):
            return F.broadcast_mul(x, s) if hasattr(F, "broadcast_mul") else x * s

    blk = Scale()
    blk.initialize()
    seen = []
    h = blk.register_forward_hook(lambda b, i, o: seen.append(o.shape))
    blk.register_forward_pre_hook(lambda b, i: seen.append("pre"))
    x = mx.nd.array([1.0, 2.0])
    with autograd.record():
        y = blk(x)
    y.backward()
    np.testing.assert_allclose(blk.s.grad().asnumpy(), [3.0])
    blk.hybridize()
    with autograd.record():
        y = blk(x)
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), [3.0, 6.0])
    np.testing.assert_allclose(blk.s.grad().asnumpy(), [3.0])
    h.detach()
    blk(x)
    assert seen == ["pre", (2,), "pre", (2,), "pre"]


def test_deferred_init_errors_and_apply():
    net = nn.Dense(2)
    assert net.weight.shape == (2, 0)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        net.weight.data()
    net.initialize()
    with pytest.raises(gluon.DeferredInitializationError):
        net.weight.data()
    net(mx.nd.ones((1, 7)))
    assert net.weight.shape == (2, 7)
    names = []
    net.apply(lambda b: names.append(type(b).__name__))
    assert names == ["Dense"]


def test_hybridized_dropout_draws_fresh_masks_and_summary(capsys):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(50, in_units=4), nn.Dropout(0.5))
    net.initialize(mx.init.One())
    net.hybridize()
    x = mx.nd.ones((2, 4))
    np.testing.assert_allclose(net(x).asnumpy(), 4.0)  # inference: no dropout
    with autograd.record():
        a = net(x).asnumpy()
        b = net(x).asnumpy()
    assert set(np.unique(a)) <= {0.0, 8.0} and (a == 0).any()
    assert not np.array_equal(a, b)
    with pytest.raises(AssertionError, match="hybridized"):  # MXNet 1.9.1 asserts too
        net.summary(x)
    net.hybridize(False)
    net.summary(x)
    out = capsys.readouterr().out
    assert "Dense-1" in out and "Total params: 250" in out


def test_export_roundtrip_into_fresh_block(tmp_path):
    net = _mlp(mx.nd.ones((2, 4)))
    _, params = net.export(str(tmp_path / "m"))
    twin = nn.HybridSequential(prefix=net.prefix)
    with twin.name_scope():
        twin.add(nn.Dense(8, activation="relu"), nn.BatchNorm(), nn.Dense(3))
    twin.collect_params().load(params, ctx=mx.cpu())
    x = mx.nd.array(np.random.RandomState(1).randn(3, 4).astype(np.float32))
    np.testing.assert_allclose(twin(x).asnumpy(), net(x).asnumpy(), rtol=1e-6)


def test_hybridized_training_compiles_once(compile_counter):
    x = mx.nd.ones((4, 4))
    net = _mlp(x)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01})

    def step(bs):
        with autograd.record():
            loss = (net(x) ** 2).sum()
        loss.backward()
        trainer.step(bs)

    for _ in range(4):  # nd's tape compiles an eager op on its third call
        step(4)
    with compile_counter as c:  # later steps, also with another batch size, compile nothing
        for bs in (4, 8, 4):
            step(bs)
    assert c.count == 0
    from mxjax._src import compile_cache

    ((_kernel, _uses_key),) = [
        v for k, v in compile_cache._CACHE.items() if k[0] == "hybrid" and k[1] is net._generation
    ]
    assert not _uses_key[0]  # no dropout: the step passes a constant key
