"""Gluon Parameter semantics as in MXNet 1.9.1: initializer precedence, dtype, contexts.

Expected values were checked against real MXNet 1.9.1 (``mx.gluon.Parameter('x',
shape=(3,)).initialize()`` draws Uniform(0.07) whatever the name; an ``init`` argument
wins over the parameter's own initializer; ``dtype`` is a NumPy type).
"""

import numpy as np
import pytest

import mxjax as mx
from mxjax import gluon, nd
from mxjax.gluon import nn


@pytest.mark.parametrize("name", ["x", "fc_bias", "gamma", "w"])
def test_explicit_initializer_applies_to_any_name(name):
    p = gluon.Parameter(name, shape=(3, 4))
    p.initialize(init=mx.init.Constant(2.5))
    np.testing.assert_array_equal(p.data().asnumpy(), np.full((3, 4), 2.5, np.float32))


@pytest.mark.parametrize("name", ["x", "fc_bias", "running_mean"])
def test_default_initializer_is_uniform_for_any_name(name):
    p = gluon.Parameter(name, shape=(200,))
    p.initialize()
    v = p.data().asnumpy()
    assert np.abs(v).max() <= 0.07 and v.std() > 0.01  # Uniform(0.07), as MXNet's Gluon


def test_initializer_precedence():
    # init= on Parameter.initialize wins over the parameter's own initializer ...
    p = gluon.Parameter("x", shape=(2,), init=mx.init.One())
    p.initialize(init=mx.init.Zero())
    np.testing.assert_array_equal(p.data().asnumpy(), [0.0, 0.0])
    # ... but Block/ParameterDict.initialize(init) is only the default: own init wins.
    q = gluon.Parameter("x", shape=(2,), init="ones")
    pd = gluon.ParameterDict()
    pd._params["x"] = q
    pd.initialize(mx.init.Zero())
    np.testing.assert_array_equal(q.data().asnumpy(), [1.0, 1.0])
    r = gluon.Parameter("x", shape=(2,))
    r.initialize(init="zeros")
    np.testing.assert_array_equal(r.data().asnumpy(), [0.0, 0.0])


def test_layers_keep_their_own_bias_and_norm_initializers():
    d = nn.Dense(3, in_units=2)
    d.initialize(mx.init.One())
    np.testing.assert_array_equal(d.weight.data().asnumpy(), 1.0)
    np.testing.assert_array_equal(d.bias.data().asnumpy(), 0.0)
    bn = nn.BatchNorm(in_channels=2)
    bn.initialize(mx.init.Constant(7.0))
    np.testing.assert_array_equal(bn.gamma.data().asnumpy(), 1.0)
    np.testing.assert_array_equal(bn.beta.data().asnumpy(), 0.0)
    np.testing.assert_array_equal(bn.running_var.data().asnumpy(), 1.0)


def test_parameter_dtype_is_a_numpy_type():
    p = gluon.Parameter("w", shape=(2,))
    assert p.dtype is np.float32
    p = gluon.Parameter("w", shape=(2,), dtype="float16")
    assert p.dtype is np.float16
    p.initialize()
    assert p.data().dtype == np.float16
    p.cast(np.float32)
    assert p.dtype is np.float32 and p.data().dtype == np.float32
    d = nn.Dense(2, in_units=2)
    d.cast("float16")
    assert d.weight.dtype == np.float16


def test_any_cpu_id_maps_to_a_real_device():
    n = len(mx.cpu(0).jax_device.client.devices())
    ctx = mx.cpu(n + 3)  # beyond the simulated devices: still a CPU device
    assert ctx.jax_device.platform == "cpu"
    x = nd.array([1.0, 2.0]).copyto(ctx)
    assert x.context == ctx
    np.testing.assert_array_equal(x.asnumpy(), [1.0, 2.0])
    with ctx:
        assert mx.current_context() == ctx
    assert nd.ones((2,)).as_in_context(mx.cpu_pinned(0)).context == mx.cpu_pinned(0)
    assert mx.cpu_shared(1) != mx.cpu(1) and repr(mx.cpu_shared(1)) == "cpu_shared(1)"


def test_parameter_on_two_cpu_contexts():
    p = gluon.Parameter("x", shape=(3,))
    p.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="ones")
    assert p.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    assert p.data(mx.cpu(1)).context == mx.cpu(1)
    np.testing.assert_array_equal(p.data(mx.cpu(1)).asnumpy(), 1.0)
    assert len(p.list_data()) == 2 and p.list_data()[0] is not p.list_data()[1]


def test_gluon_dataloader_keeps_int_labels_and_pins():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6, dtype=np.int32)
    ds = gluon.data.ArrayDataset(x, y)
    bx, by = next(iter(gluon.data.DataLoader(ds, batch_size=4)))
    assert bx.dtype == np.float32 and by.dtype == np.int32
    np.testing.assert_array_equal(by.asnumpy(), [0, 1, 2, 3])
    assert bx.context == mx.cpu(0)
    bx, _ = next(iter(gluon.data.DataLoader(ds, batch_size=4, pin_memory=True)))
    assert bx.context == mx.cpu_pinned(0)


def test_np_shape_scope_and_unknown_dims():
    assert not mx.util.is_np_shape()
    with mx.np_shape(True):
        assert mx.util.is_np_shape() and mx.is_np_shape()
        net = nn.Dense(4)
        net.initialize()
        assert net(nd.zeros((2, 7))).shape == (2, 4)
    assert not mx.util.is_np_shape()
    p = gluon.Parameter("w", shape=(-1, 3), allow_deferred_init=True)  # NumPy-shape unknown
    p.shape = (5, 3)
    assert p.shape == (5, 3)
    with pytest.raises(ValueError, match="set_np"):
        mx.util.set_np(shape=False, array=True)


def test_parameter_dict_get_merges_unknown_dims_as_mxnet():
    pd = gluon.ParameterDict("net_")
    w = pd.get("w", shape=(5, 5))
    assert pd.get("w", shape=(5, 0)) is w and w.shape == (5, 5)
    v = pd.get("v", shape=(0, 3), allow_deferred_init=True)
    pd.get("v", shape=(4, 0))
    assert v.shape == (4, 3)
    with pytest.raises(ValueError, match="incompatible"):
        pd.get("w", shape=(5, 6))


def test_sequential_hybridize_warns_and_legacy_params_files(tmp_path):
    seq = nn.Sequential()
    seq.add(nn.Dense(2, in_units=3))
    with pytest.warns(UserWarning, match="HybridSequential"):
        seq.hybridize()
    hseq = nn.HybridSequential(prefix="model_")
    with hseq.name_scope():
        hseq.add(nn.Dense(2, in_units=3))
    hseq.initialize()
    hseq.hybridize()  # no warning for HybridSequential
    f = str(tmp_path / "legacy.params")
    with pytest.warns(DeprecationWarning, match="save_params"):
        hseq.save_params(f)
    other = nn.HybridSequential(prefix="model_")
    with other.name_scope():
        other.add(nn.Dense(2, in_units=3))
    with pytest.warns(DeprecationWarning, match="load_params"):
        other.load_params(f)
    x = nd.ones((1, 3))
    np.testing.assert_array_equal(other(x).asnumpy(), hseq(x).asnumpy())


def test_norm_layers_keep_disabled_gamma_beta_with_null_grad_req():
    # MXNet 1.9.1: the parameters exist (and are in .params files) but do not train
    reqs = {
        k.split("_")[-1]: p.grad_req
        for k, p in nn.BatchNorm(scale=False, center=False, in_channels=3).collect_params().items()
    }
    assert reqs == {"gamma": "null", "beta": "null", "mean": "null", "var": "null"}
    inst = nn.InstanceNorm(in_channels=3)  # scale=False by default
    assert [p.grad_req for p in inst.collect_params().values()] == ["null", "write"]
    ln = nn.LayerNorm(center=False, in_channels=3)
    assert [p.grad_req for p in ln.collect_params().values()] == ["write", "null"]
    inst.initialize()
    trainer = gluon.Trainer(inst.collect_params(), "sgd", {"learning_rate": 1.0})
    x = nd.array(np.random.RandomState(0).normal(size=(2, 3, 4)))
    with mx.autograd.record():
        loss = (inst(x) * nd.arange(24).reshape((2, 3, 4))).sum()
    loss.backward()
    trainer.step(1)
    np.testing.assert_array_equal(inst.gamma.data().asnumpy(), 1.0)  # untouched
    assert np.abs(inst.beta.data().asnumpy()).max() > 0  # trained


def test_trainer_reads_lr_mult_changes_and_sums_device_grads():
    # MXNet 1.9.1 test_trainer: grads of two contexts are summed; lr_mult changes apply
    x = gluon.Parameter("x", shape=(4,))
    x.initialize(ctx=[mx.cpu(0), mx.cpu(1)], init="zeros")
    trainer = gluon.Trainer([x], "sgd", {"learning_rate": 1.0, "momentum": 0.5})
    for mult, want in ((1.0, -2.0), (0.5, -4.0)):
        x.lr_mult = mult
        with mx.autograd.record():
            for w in x.list_data():
                (w + 1).backward()
        trainer.step(1)
        np.testing.assert_array_equal(x.data(mx.cpu(1)).asnumpy(), want)
