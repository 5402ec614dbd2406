"""mx.amp: dynamic loss scaling with a Trainer (MXNet 1.9.1's LossScaler rules), low-precision nets."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import amp, autograd, gluon, nd


def _setup(dtype="float32"):
    amp.init()
    net = gluon.nn.Dense(1, in_units=2, use_bias=False)
    net.initialize(mx.init.One())
    if dtype != "float32":
        net.cast(dtype)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    amp.init_trainer(trainer)
    return net, trainer


def _step(net, trainer, x):
    with autograd.record():
        loss = net(x).sum()
        with amp.scale_loss(loss, trainer) as scaled:
            autograd.backward(scaled)
    trainer.step(1)


def test_scaled_step_equals_plain_sgd():
    net, trainer = _setup()
    _step(net, trainer, nd.array([[1.0, 3.0]]))
    # loss = w . x, dloss/dw = x; the scale 2**16 cancels: w = 1 - 0.5 x
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.5, -0.5]], rtol=1e-6)


def test_overflow_skips_the_update_and_halves_the_scale():
    net, trainer = _setup()
    scaler = trainer._amp_loss_scaler
    _step(net, trainer, nd.array([[1e35, 1.0]]))  # 2**16 * 1e35 overflows float32
    np.testing.assert_array_equal(net.weight.data().asnumpy(), [[1.0, 1.0]])
    assert scaler.loss_scale == 2.0**16  # MXNet: the halved scale applies from the next step
    _step(net, trainer, nd.array([[1.0, 1.0]]))
    assert scaler.loss_scale == 2.0**15
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.5, 0.5]], rtol=1e-6)


def test_scale_grows_after_clean_steps_up_to_the_maximum():
    p = gluon.Parameter("w", shape=(2,))
    p.initialize(init=mx.init.Zero())
    s = amp.LossScaler()
    s._scale_seq_len = 3  # MXNet: 2000
    for _ in range(4):
        assert not s.has_overflow([p])
    assert s.loss_scale == 2.0**17
    s._loss_scale = s._next_loss_scale = 2.0**24
    for _ in range(4):
        s.has_overflow([p])
    assert s.loss_scale == 2.0**24


def test_unscale_gives_true_gradients():
    net, trainer = _setup()
    with autograd.record():
        with amp.scale_loss(net(nd.array([[2.0, 4.0]])).sum(), trainer) as scaled:
            scaled.backward()
    np.testing.assert_allclose(net.weight.grad().asnumpy(), [[2.0**17, 2.0**18]])
    amp.unscale(trainer)
    np.testing.assert_allclose(net.weight.grad().asnumpy(), [[2.0, 4.0]])
    trainer.step(1)
    np.testing.assert_allclose(net.weight.data().asnumpy(), [[0.0, -1.0]], rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_net(dtype):
    net, trainer = _setup(dtype)
    x = nd.array([[0.25, 0.5]]).astype(dtype)
    _step(net, trainer, x)
    if dtype == "float16":
        # 2**16 is inf in float16: as in MXNet, the scale halves at each overflow but a lowered
        # scale is used from the step after next, so two steps are skipped
        for _ in range(2):
            np.testing.assert_array_equal(net.weight.data().astype("float32").asnumpy(), [[1, 1]])
            _step(net, trainer, x)
        assert trainer._amp_loss_scaler.loss_scale == 2.0**14
    w = net.weight.data()
    assert np.dtype(w.dtype) == np.dtype(dtype)
    np.testing.assert_allclose(w.astype("float32").asnumpy(), [[0.875, 0.75]], rtol=1e-2)


def test_bad_arguments():
    with pytest.raises(TypeError, match="Trainer"):
        amp.init_trainer(object())
    with pytest.raises(TypeError, match="Trainer"):
        with amp.scale_loss(nd.ones((1,)), object()):
            pass
