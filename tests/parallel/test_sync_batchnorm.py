"""SyncBatchNorm in the imperative multi-context loop equals BatchNorm on the whole batch.

Runs in a subprocess with 4 simulated CPU devices. The network (Conv2D,
SyncBatchNorm, ReLU, Dense) is trained for 4 SGD-momentum steps with one
forward per context and one ``backward`` per loss, plain and hybridized, and
with an uneven 5/4/3 split over 3 devices, and with the losses read before backward; every context's parameters and
running statistics must equal single-context BatchNorm training on the full
batch. Plain BatchNorm over 2 contexts (per-device statistics) must differ.
"""

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
from mxjax.gluon.contrib.nn import SyncBatchNorm

def build(bn, ctxs, hybridize):
    mx.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Conv2D(4, 3, in_channels=2), bn, nn.Activation("relu"), nn.Flatten(), nn.Dense(3, in_units=64))
    net.initialize(mx.init.Xavier(), ctx=ctxs)
    if hybridize:
        net.hybridize()
    return net

rng = np.random.default_rng(0)
xs = rng.standard_normal((4, 12, 2, 6, 6)).astype(np.float32)
ys = rng.integers(0, 3, (4, 12)).astype(np.float32)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
out = {}
for name, ctxs, mk, hyb, split in (
    ("bn1", [mx.cpu(0)], lambda: nn.BatchNorm(in_channels=4), False, None),
    ("bn2", [mx.cpu(0), mx.cpu(1)], lambda: nn.BatchNorm(in_channels=4), False, None),
    ("sync2", [mx.cpu(0), mx.cpu(1)], lambda: SyncBatchNorm(in_channels=4, num_devices=2), False, None),
    ("sync2h", [mx.cpu(0), mx.cpu(1)], lambda: SyncBatchNorm(in_channels=4, num_devices=2), True, None),
    ("sync3_uneven", [mx.cpu(0), mx.cpu(1), mx.cpu(2)], lambda: SyncBatchNorm(num_devices=3), False, [5, 4, 3]),
    ("sync2_logged", [mx.cpu(0), mx.cpu(1)], lambda: SyncBatchNorm(in_channels=4, num_devices=2), True, "log"),
):
    net = build(mk(), ctxs, hyb)
    if "w0" not in out:
        out["w0"] = [p.data(ctxs[0]).asnumpy() for p in net.collect_params().values()]
    for w, p in zip(out["w0"], net.collect_params().values()):
        p.set_data(mx.nd.array(w))
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
    for x, y in zip(xs, ys):
        if split in (None, "log"):
            xp = gluon.utils.split_and_load(x, ctxs)
            yp = gluon.utils.split_and_load(y, ctxs)
        else:
            cuts = np.cumsum([0] + split)
            xp = [mx.nd.array(x[a:b]).as_in_context(c) for a, b, c in zip(cuts[:-1], cuts[1:], ctxs)]
            yp = [mx.nd.array(y[a:b]).as_in_context(c) for a, b, c in zip(cuts[:-1], cuts[1:], ctxs)]
        with autograd.record():
            losses = [loss_fn(net(a), b) for a, b in zip(xp, yp)]
            if split == "log":  # values read before backward: still one backward per loss
                logged = [float(l.mean().asscalar()) for l in losses]
        for l in losses:
            l.backward()
        if split == "log":
            assert np.allclose(logged, [float(l.mean().asscalar()) for l in losses], rtol=1e-6)
        trainer.step(x.shape[0])
    out[name] = [[p.data(c).asnumpy().tolist() for c in ctxs] for p in net.collect_params().values()]
out.pop("w0")

# errors: an output read before every device ran forward; training outside record
net = build(SyncBatchNorm(in_channels=4, num_devices=2), [mx.cpu(0), mx.cpu(1)], False)
xp = gluon.utils.split_and_load(xs[0], [mx.cpu(0), mx.cpu(1)])
errors = []
with autograd.record():
    y0 = net(xp[0])
    try:
        y0.asnumpy()
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
with autograd.train_mode():
    try:
        net(xp[0])
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
with autograd.predict_mode():
    errors.append(str(net(xp[1]).shape))  # running statistics: no synchronisation needed
out["errors"] = errors
print(json.dumps(out))
"""


def test_sync_batchnorm_equals_full_batch_batchnorm():
    env = simulated_devices_env(4)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    ref = [np.asarray(v[0]) for v in res["bn1"]]
    names = (
        "conv w",
        "conv b",
        "gamma",
        "beta",
        "running_mean",
        "running_var",
        "dense w",
        "dense b",
    )
    for variant, n in (("sync2", 2), ("sync2h", 2), ("sync3_uneven", 3), ("sync2_logged", 2)):
        for name, want, copies in zip(names, ref, res[variant]):
            assert len(copies) == n
            for copy in copies:
                np.testing.assert_allclose(
                    np.asarray(copy), want, rtol=1e-4, atol=1e-5, err_msg=f"{variant} {name}"
                )
    local = [np.asarray(v[0]) for v in res["bn2"]]  # per-device statistics: not the same
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(local, ref)) > 1e-3
    early, outside, predict = res["errors"]
    assert early.startswith("MXJaxError") and "devices [0] did, [1] did not" in early
    assert outside.startswith("MXJaxError") and "needs autograd.record()" in outside
    assert predict == "(6, 3)"
