"""FactorScheduler on the host reproduces MXNet 1.9.1's repeated product bit for bit."""

import mxjax as mx


def test_factor_scheduler_host_values_are_mxnet_products():
    sched = mx.lr_scheduler.FactorScheduler(2, factor=0.1, base_lr=1.0)
    lr = 1.0
    for i in range(1, 12):
        if i > 1 and (i - 1) % 2 == 0:
            lr *= 0.1  # MXNet: base_lr *= factor once per step boundary
        assert sched(i) == lr, (i, sched(i), lr)
    floor = mx.lr_scheduler.FactorScheduler(1, factor=0.5, stop_factor_lr=0.2, base_lr=1.0)
    assert [floor(n) for n in (1, 2, 3, 4, 10)] == [1.0, 0.5, 0.25, 0.2, 0.2]
