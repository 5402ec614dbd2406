"""gluon.contrib.nn.SyncBatchNorm on one device (multi-device: tests/parallel/test_sync_batchnorm.py)."""

import numpy as np
import pytest

import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon.contrib.nn import SyncBatchNorm


def _train(bn):
    mx.random.seed(0)
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(6, in_units=4), bn, gluon.nn.Dense(2, in_units=6))
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x = mx.nd.array(np.random.RandomState(0).randn(8, 4))
    for _ in range(3):
        with autograd.record():
            loss = (net(x) ** 2).mean()
        loss.backward()
        trainer.step(1)
    return [p.data().asnumpy() for p in net.collect_params().values()]


def test_one_device_is_batchnorm():
    got = _train(SyncBatchNorm(num_devices=1))
    want = _train(gluon.nn.BatchNorm())
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_contexts_must_match_num_devices():
    bn = SyncBatchNorm(in_channels=3, num_devices=2)
    bn.initialize()  # one context
    with autograd.record(), pytest.raises(ValueError, match="num_devices=2 but its parameters"):
        bn(mx.nd.ones((2, 3)))
    with pytest.raises(ValueError, match="num_devices must be a positive int"):
        SyncBatchNorm(num_devices=0)


def test_names_and_defaults_follow_gluon():
    bn = SyncBatchNorm(in_channels=3, num_devices=1)
    assert [p.split("_", 1)[1] for p in bn.collect_params()] == [
        "gamma",
        "beta",
        "running_mean",
        "running_var",
    ]
    assert bn.num_devices == 1
    assert SyncBatchNorm().num_devices == max(1, mx.context.num_gpus())
