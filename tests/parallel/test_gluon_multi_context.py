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


# imports and a listener naming each compiled program (the subprocess scripts share them)
_PREAMBLE = r"""
import jax
import numpy as np
import mxjax as mx
from mxjax import autograd, gluon
from mxjax.gluon import nn

names = []
def listen(name, secs, **kw):
    if name == "/jax/core/compile/backend_compile_duration":
        names.append(str(kw.get("fun_name", "?")))
jax.monitoring.register_event_duration_secs_listener(listen)
"""

COMPILE_SCRIPT = (
    r"""
import json
"""
    + _PREAMBLE
    + r"""
ctx = [mx.cpu(i) for i in range(4)]
net = nn.HybridSequential()
net.add(nn.Dense(3, in_units=6))
net.initialize(mx.init.Xavier(), ctx=ctx)
net.hybridize()
trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}, update_on_kvstore=False)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
rng = np.random.default_rng(0)
out = {"steps": []}
for step, size in enumerate((16, 16, 13, 16)):  # an uneven batch: shards of 3, 3, 3 and 4
    x = rng.standard_normal((size, 6)).astype(np.float32)
    y = rng.integers(0, 3, size).astype(np.float32)
    w, b = (p.data(ctx[0]).asnumpy() for p in net.collect_params().values())
    xs = gluon.utils.split_and_load(x, ctx, even_split=False)
    ys = gluon.utils.split_and_load(y, ctx, even_split=False)
    start = len(names)
    if step == 3:  # the same step, each context's gradients read first: graphs run one by one
        with autograd.record():
            losses = [loss_fn(net(a), c) for a, c in zip(xs, ys)]
        for l in losses:
            l.backward()
        per_context = [[g.asnumpy() for g in p.list_grad()] for p in net.collect_params().values()]
    with autograd.record():
        losses = [loss_fn(net(a), c) for a, c in zip(xs, ys)]
    for l in losses:
        l.backward()
    trainer.allreduce_grads()
    summed = [p.list_grad() for p in net.collect_params().values()]
    trainer.update(size)
    programs = [n for n in names[start:] if "fwd_bwd" in n]
    record = {"x": x.tolist(), "y": y.tolist(), "w": w.tolist(), "b": b.tolist(),
              "programs": programs, "losses": [l.asnumpy().tolist() for l in losses],
              "grads": [[g.asnumpy().tolist() for g in gs] for gs in summed]}
    if step == 3:
        record["per_context"] = [[g.tolist() for g in gs] for gs in per_context]
    out["steps"].append(record)
print(json.dumps(out))
"""
)


def _reference(x, y, w, b):
    """Summed softmax cross-entropy gradients of one Dense layer and the per-sample losses."""
    z = x @ w.T + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    losses = -np.log(p[np.arange(len(y)), y.astype(int)])
    p[np.arange(len(y)), y.astype(int)] -= 1
    return losses, p.T @ x, p.sum(0)


def test_contexts_compile_one_forward_backward_program_and_equal_numpy():
    proc = subprocess.run(
        [sys.executable, "-c", COMPILE_SCRIPT],
        env=simulated_devices_env(4, MXJAX_CACHE_DIR="off"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    steps = json.loads(proc.stdout.strip().splitlines()[-1])["steps"]
    # One program for the four contexts (not four), none for the second step; the uneven
    # batch: one over the three contexts of equal shards, one for the fourth. Reading each
    # context's gradients before the step runs the graphs one by one: one program per device
    # (three new ones: the fourth device's was compiled for the uneven batch).
    assert [len(s["programs"]) for s in steps] == [1, 0, 2, 3], [s["programs"] for s in steps]
    assert all("contexts" in n for n in steps[0]["programs"])
    for s in steps:
        x, y, w, b = (np.asarray(s[k], np.float64) for k in ("x", "y", "w", "b"))
        losses, gw, gb = _reference(x, y, w, b)
        np.testing.assert_allclose(np.concatenate(s["losses"]), losses, rtol=1e-5, atol=1e-6)
        for ref, copies in zip((gw, gb), s["grads"]):
            assert len(copies) == 4  # every context holds the sum over contexts
            for copy in copies:
                np.testing.assert_allclose(np.asarray(copy), ref, rtol=1e-5, atol=1e-5)
    # exactly the per-context programs' numbers, summed in the order of the contexts
    last = steps[3]
    for per_context, copies in zip(last["per_context"], last["grads"]):
        total = np.asarray(per_context[0], np.float32)
        for g in per_context[1:]:
            total = total + np.asarray(g, np.float32)
        np.testing.assert_array_equal(np.asarray(copies[0], np.float32), total)


SYNC_SCRIPT = (
    r"""
import json, sys
from mxjax.gluon.contrib.nn import SyncBatchNorm
"""
    + _PREAMBLE
    + r"""
ctx = [mx.cpu(i) for i in range(4)]
rng = np.random.default_rng(0)
xs = rng.standard_normal((2, 16, 6)).astype(np.float32)
ys = rng.integers(0, 3, (2, 16)).astype(np.float32)
out = {}
for mode in ("tape", "together"):
    mx.random.seed(0)
    net = nn.HybridSequential()
    net.add(nn.Dense(8, in_units=6), SyncBatchNorm(in_channels=8, num_devices=4),
            nn.Activation("relu"), nn.Dense(3, in_units=8))
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    start = len(names)
    for x, y in zip(xs, ys):
        xp = gluon.utils.split_and_load(x, ctx)
        yp = gluon.utils.split_and_load(y, ctx)
        with autograd.record():
            losses = [loss_fn(net(a), b) for a, b in zip(xp, yp)]
        for l in losses:
            l.backward()
        if mode == "tape":  # a gradient read before the step: the graph replays on the tape
            net[0].weight.grad(ctx[0]).asnumpy()
        trainer.step(x.shape[0])
    out[mode] = {
        "params": [[d.asnumpy().tolist() for d in p.list_data()] for p in net.collect_params().values()],
        "programs": names[start:],
    }
print(json.dumps(out))
"""
)


def test_sync_batchnorm_contexts_run_as_one_program():
    proc = subprocess.run(
        [sys.executable, "-c", SYNC_SCRIPT],
        env=simulated_devices_env(4, MXJAX_CACHE_DIR="off"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    tape, together = res["tape"]["programs"], res["together"]["programs"]
    # the tape: every layer's forward and backward kernel once per device
    assert sum("_fwd_impl" in n for n in tape) >= 4 * 4
    # together: one program for the four contexts and both steps, no per-device kernel
    assert sum("fwd_bwd" in n for n in together) == 1, together
    assert not any("_impl" in n or "_norm" in n or "_sqdev" in n for n in together), together
    for ref, copies in zip(res["tape"]["params"], res["together"]["params"]):
        assert len(copies) == 4
        for want, copy in zip(ref, copies):  # the same numbers up to float32 rounding
            np.testing.assert_allclose(np.asarray(copy), np.asarray(want), rtol=1e-6, atol=1e-7)
