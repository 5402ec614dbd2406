"""Parameter / ParameterDict / Constant semantics, .params save/load and export."""

import json
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn

HERE = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon")


def test_parameter_basics():
    p = gluon.Parameter("fc_weight", shape=(2, 3), init=mx.init.Constant(0.5), lr_mult=2.0)
    assert p.shape == (2, 3) and p.lr_mult == 2.0 and p.grad_req == "write"
    p.initialize()
    np.testing.assert_array_equal(p.data().asnumpy(), np.full((2, 3), 0.5, np.float32))
    np.testing.assert_array_equal(p.grad().asnumpy(), np.zeros((2, 3), np.float32))
    p.set_data(mx.nd.ones((2, 3)))
    np.testing.assert_array_equal(p.data().asnumpy(), 1.0)
    with pytest.raises(ValueError, match="incompatible"):
        p.set_data(mx.nd.ones((3, 3)))
    with pytest.raises(ValueError, match="grad_req"):
        p.grad_req = "sometimes"
    p.grad_req = "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        p.grad()
    p.cast("float16")
    assert p.data().asnumpy().dtype == np.float16
    with pytest.raises(ValueError, match="stype"):
        gluon.Parameter("x", stype="dense")


def test_global_init_suffix_rules_and_precedence():
    d = nn.Dense(3, in_units=2, bias_initializer=mx.init.Constant(0.3))
    d.initialize(mx.init.One())
    np.testing.assert_array_equal(d.weight.data().asnumpy(), 1.0)  # global init: weight
    np.testing.assert_allclose(d.bias.data().asnumpy(), 0.3)  # specific init wins
    bn = nn.BatchNorm(in_channels=2)
    bn.initialize(mx.init.Uniform(0.5))
    np.testing.assert_array_equal(bn.gamma.data().asnumpy(), 1.0)
    np.testing.assert_array_equal(bn.running_mean.data().asnumpy(), 0.0)
    d.initialize(mx.init.Zero())  # already initialized: unchanged without force_reinit
    np.testing.assert_array_equal(d.weight.data().asnumpy(), 1.0)
    d.initialize(mx.init.Zero(), force_reinit=True)
    np.testing.assert_array_equal(d.weight.data().asnumpy(), 0.0)


def test_constant_and_parameter_dict():
    c = gluon.Constant("const", [[1.0, 2.0]])
    c.initialize()
    assert c.grad_req == "null"
    np.testing.assert_array_equal(c.data().asnumpy(), [[1.0, 2.0]])
    pd = gluon.ParameterDict("blk_")
    w = pd.get("weight", shape=(2,))
    assert pd.get("weight") is w and w.name == "blk_weight"
    with pytest.raises(ValueError, match="exists"):
        pd.get("weight", lr_mult=3.0)
    pd.setattr("wd_mult", 0.0)
    assert w.wd_mult == 0.0
    other = gluon.ParameterDict("blk_")
    other._params["blk_weight"] = gluon.Parameter("blk_weight")
    with pytest.raises(ValueError, match="different Parameters"):
        pd.update(other)
    assert list(pd.select(".*weight").keys()) == ["blk_weight"]


def test_grad_req_add_accumulates():
    d = nn.Dense(1, in_units=2, use_bias=False)
    d.initialize(mx.init.One())
    d.weight.grad_req = "add"
    x = mx.nd.array([[1.0, 2.0]])
    for _ in range(3):
        with autograd.record():
            y = d(x)
        y.backward()
    np.testing.assert_allclose(d.weight.grad().asnumpy(), [[3.0, 6.0]])
    d.zero_grad()
    np.testing.assert_array_equal(d.weight.grad().asnumpy(), 0.0)


def _net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(4, in_units=3), nn.BatchNorm(in_channels=4), nn.Dense(2, in_units=4))
    net.initialize(mx.init.Xavier())
    return net


def test_save_load_roundtrip_and_errors(tmp_path):
    net = _net()
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    loaded = mx.io.load_params(f)
    assert sorted(loaded) == sorted(net._collect_params_with_prefix())
    net2 = _net()
    net2.load_parameters(f)
    for (k, a), b in zip(net.collect_params().items(), net2.collect_params().values()):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy(), err_msg=k)
    small = nn.HybridSequential()
    with small.name_scope():
        small.add(nn.Dense(4, in_units=3))
    with pytest.raises(ValueError, match="ignore_extra"):
        small.load_parameters(f)
    small.load_parameters(f, ignore_extra=True)
    big = _net()
    with big.name_scope():
        big.add(nn.Dense(2, in_units=2))
    with pytest.raises(ValueError, match="allow_missing"):
        big.load_parameters(f)
    big.load_parameters(f, allow_missing=True)
    half = _net()
    half.cast("float16")
    half.load_parameters(f, cast_dtype=True)
    assert half[0].weight.data().asnumpy().dtype == np.float16
    wrong = nn.HybridSequential()
    with wrong.name_scope():
        wrong.add(nn.Dense(5, in_units=3))
    with pytest.raises(ValueError, match="shape incompatible"):
        wrong.load_parameters(f, ignore_extra=True)


def test_load_mxnet_file_and_deferred_shapes():
    # convbn.params was written by MXNet 1.9.1; deferred shapes are filled by loading.
    net = nn.HybridSequential(prefix="cb_")
    with net.name_scope():
        net.add(
            nn.Conv2D(3, 3, padding=1),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.GlobalAvgPool2D(),
            nn.Dense(2),
        )
    net.load_parameters(os.path.join(HERE, "convbn.params"))
    assert net[0].weight.shape == (3, 2, 3, 3)
    assert net(mx.nd.ones((1, 2, 5, 5))).shape == (1, 2)


def test_export_and_shared_params(tmp_path):
    net = _net()
    sym, params = net.export(str(tmp_path / "model"), epoch=3)
    assert params.endswith("model-0003.params")
    saved = mx.io.load_params(params)
    names = {k.split(":", 1)[1] for k in saved}
    assert names == set(net.collect_params().keys())
    assert {k.split(":")[0] for k in saved} == {"arg", "aux"}
    with open(sym) as fh:
        desc = json.load(fh)  # MXNet's -symbol.json (tests/symbol/test_model_files.py)
    assert desc["attrs"] == {"mxnet_version": ["int", 10901]} and desc["nodes"][0]["name"] == "data"
    shared = nn.Dense(4, in_units=3, params=net[0].params)
    assert shared.weight is net[0].weight
    seq = nn.Sequential()
    seq.add(net[0], shared)
    f = str(tmp_path / "dup.params")
    seq.save_parameters(f, deduplicate=True)
    assert sorted(mx.io.load_params(f)) == ["0.bias", "0.weight"]


def test_parameter_dict_save_load_with_prefix(tmp_path):
    net = _net()
    f = str(tmp_path / "pd.params")
    net.collect_params().save(f, strip_prefix=net.prefix)
    assert sorted(mx.io.load_params(f)) == sorted(
        k[len(net.prefix) :] for k in net.collect_params().keys()
    )
    twin = _net()
    twin.collect_params().load(f, restore_prefix=twin.prefix)
    for a, b in zip(net.collect_params().values(), twin.collect_params().values()):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy())
    with pytest.raises(ValueError, match="prefix"):
        net.collect_params().save(f, strip_prefix="nope_")


def test_gluon_namespace_is_lazy():
    import mxjax.gluon as g

    for name in (
        "Block",
        "HybridBlock",
        "Parameter",
        "ParameterDict",
        "Constant",
        "Trainer",
        "nn",
        "rnn",
        "loss",
        "utils",
        "data",
    ):
        assert getattr(g, name) is not None
    with pytest.raises(AttributeError):
        g.not_a_thing  # noqa: B018


def test_load_parameters_compiles_nothing(tmp_path, compile_counter):
    """Loading (and casting) parameters places them on the device without a program per shape."""
    net = nn.HybridSequential()
    net.add(nn.Dense(5, in_units=3), nn.Dense(2, in_units=5))
    net.initialize()
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    expect = [v.data().asnumpy() for v in net.collect_params().values()]
    new = nn.HybridSequential()
    new.add(nn.Dense(5, in_units=3), nn.Dense(2, in_units=5))
    half = nn.HybridSequential()
    half.add(nn.Dense(5, in_units=3, dtype="float16"), nn.Dense(2, in_units=5, dtype="float16"))
    with compile_counter as c:
        new.load_parameters(f)
        half.load_parameters(f, cast_dtype=True)
    assert c.count == 0, c.names
    for e, v, h in zip(expect, new.collect_params().values(), half.collect_params().values()):
        np.testing.assert_array_equal(v.data().asnumpy(), e)
        assert h.data().dtype == np.float16
        np.testing.assert_array_equal(h.data().asnumpy(), e.astype(np.float16))
