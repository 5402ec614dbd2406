"""The Gluon multi-context loop (split_and_load + Trainer) equals single-context training."""

import json
import subprocess
import sys

import numpy as np

from tests.simulated_devices import simulated_devices_env

SCRIPT = r"""
import json
import numpy as np
import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn

def train(ctxs, kvstore):
    mx.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Dense(16, activation="tanh", in_units=6), nn.Dense(3, in_units=16))
    net.initialize(mx.init.Xavier(), ctx=ctxs)
    net.hybridize()
    w0 = [v.data(ctxs[0]).asnumpy() for v in net.collect_params().values()]
    return net, w0

rng = np.random.default_rng(0)
xs = rng.standard_normal((10, 32, 6)).astype(np.float32)
ys = rng.integers(0, 3, (10, 32)).astype(np.float32)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
results = {}
init = None
for name, ctxs, kv in (("one", [mx.cpu(0)], "device"), ("four", [mx.cpu(i) for i in range(4)], "device"), ("four_local", [mx.cpu(i) for i in range(4)], "local")):
    net, w0 = train(ctxs, kv)
    if init is None:
        init = w0
    for w, p in zip(init, net.collect_params().values()):  # identical start
        p.set_data(mx.nd.array(w))
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01}, kvstore=kv)
    for x, y in zip(xs, ys):
        xp = gluon.utils.split_and_load(x, ctxs)
        yp = gluon.utils.split_and_load(y, ctxs)
        with autograd.record():
            losses = [loss_fn(net(a), b) for a, b in zip(xp, yp)]
        for l in losses:
            l.backward()
        trainer.step(x.shape[0])
    results[name] = [[p.data(c).asnumpy().tolist() for c in ctxs] for p in net.collect_params().values()]
print(json.dumps(results))
"""


def test_four_contexts_equal_one_context_after_10_adam_steps():
    env = simulated_devices_env(4)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    one = [np.asarray(v[0]) for v in res["one"]]
    for variant in ("four", "four_local"):
        assert len(res[variant]) == len(one) == 4
        for ref, copies in zip(one, res[variant]):
            assert len(copies) == 4
            for copy in copies:  # every context holds the same, single-context result
                np.testing.assert_allclose(np.asarray(copy), ref, rtol=1e-5, atol=1e-6)
