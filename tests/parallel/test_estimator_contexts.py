"""Estimator with a list of contexts trains data-parallel and equals single-context training."""

import json
import subprocess
import sys

import numpy as np

from tests.simulated_devices import simulated_devices_env

SCRIPT = r"""
import json
import numpy as np
import mxjax as mx
from mxjax import gluon
from mxjax.gluon.contrib.estimator import BatchProcessor, Estimator

mx.random.seed(0)  # the same initial weights in every run
rng = np.random.default_rng(0)
x = rng.standard_normal((338, 6)).astype(np.float32)  # 10 batches of 32 and one of 18
y = rng.integers(0, 3, 338).astype(np.float32)
init = None
out = {}
for name, ctx in (("one", [mx.cpu(0)]), ("four", [mx.cpu(i) for i in range(4)])):
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(16, activation="relu", in_units=6), gluon.nn.BatchNorm(in_channels=16), gluon.nn.Dense(3, in_units=16))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if init is None:
        init = [p.data().asnumpy() for p in net.collect_params().values()]
    for w, p in zip(init, net.collect_params().values()):
        p.set_data(mx.nd.array(w))
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, context=ctx)
    est.logger.disabled = True
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=32)
    est.fit(loader, epochs=2)
    out[name] = [[p.data(c).asnumpy().tolist() for c in ctx] for p in net.collect_params().values()]
    out[name + "_acc"] = est.train_metrics[0].get()[1]
    out[name + "_programs"] = [str(k) for k in est._runner.programs]


class Imperative(BatchProcessor):  # overrides fit_batch: the per-batch imperative path
    def fit_batch(self, estimator, train_batch, batch_axis=0):
        return super().fit_batch(estimator, train_batch, batch_axis)


# a custom processor on four contexts (split_and_load, trainer.step) == the compiled step on one
for name, ctx, bp in (("mlp_one", [mx.cpu(0)], None), ("mlp_four", [mx.cpu(i) for i in range(4)], Imperative())):
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(16, activation="relu", in_units=6), gluon.nn.Dense(3, in_units=16))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    for w, p in zip(init[:2] + init[-2:], net.collect_params().values()):
        p.set_data(mx.nd.array(w))
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, context=ctx, batch_processor=bp)
    est.logger.disabled = True
    est.fit(gluon.data.DataLoader(gluon.data.ArrayDataset(x[:320], y[:320]), batch_size=32), epochs=1)
    out[name] = [p.data(ctx[-1]).asnumpy().tolist() for p in net.collect_params().values()]
print(json.dumps(out))
"""


def test_four_contexts_equal_one_context():
    env = simulated_devices_env(4)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    one = [np.asarray(v[0]) for v in res["one"]]
    assert len(res["four"]) == len(one)
    for ref, copies in zip(one, res["four"]):
        assert len(copies) == 4
        for copy in copies:  # BatchNorm statistics over the global batch: same as one device
            np.testing.assert_allclose(np.asarray(copy), ref, rtol=1e-5, atol=1e-5)
    assert abs(res["four_acc"] - res["one_acc"]) < 1e-6
    # the 4-context run used the sharded program (even batches) and the replicated one (last batch)
    assert res["one_programs"] == [] and res["four_programs"] == ["False", "True"]
    for a, b in zip(res["mlp_one"], res["mlp_four"]):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-5)
