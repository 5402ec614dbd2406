"""Generates MXNet 1.9.1 golden values for the norm/activation/basic layers.

Run with the MXNet venv (not collected by pytest)::

    /tmp/mxnet/bin/python tests/golden/norm/make_golden.py

Writes ``golden.npz`` next to this file. Keys are ``<case>.<array>``.
"""

import os

import numpy as np
from mxnet import autograd, gluon, nd

rng = np.random.RandomState(0)
out = {}


def f32(*shape):
    return rng.standard_normal(shape).astype("float32")


def run(case, block, x, params=None, train=False, grad=False):
    """Initializes ``block``, sets ``params`` ({suffix: array}), runs and records."""
    block.initialize()
    block(nd.array(x))  # shape inference
    params = params or {}
    for name, p in block.collect_params().items():
        for suffix, value in params.items():
            if name.endswith("_" + suffix):
                p.set_data(nd.array(value))
                out[f"{case}.{suffix}"] = value
    xa = nd.array(x)
    xa.attach_grad()
    dy = f32(*block(nd.array(x)).shape)
    with autograd.record(train_mode=train):
        y = block(xa)
    y.backward(nd.array(dy))
    out[f"{case}.x"] = x
    out[f"{case}.y"] = y.asnumpy()
    if grad:
        out[f"{case}.dy"] = dy
        out[f"{case}.dx"] = xa.grad.asnumpy()
    for name, p in block.collect_params().items():
        for suffix in ("running_mean", "running_var"):
            if name.endswith("_" + suffix):
                out[f"{case}.{suffix}_after"] = p.data().asnumpy()


c = 3
bn_params = {
    "gamma": f32(c),
    "beta": f32(c),
    "running_mean": f32(c),
    "running_var": rng.uniform(0.5, 2, c).astype("float32"),
}
x = f32(4, c, 5) * 2 + 1
run("bn_train", gluon.nn.BatchNorm(momentum=0.8), x, bn_params, train=True, grad=True)
run("bn_eval", gluon.nn.BatchNorm(momentum=0.8), x, bn_params, train=False, grad=True)
run("bn_global", gluon.nn.BatchNorm(use_global_stats=True), x, bn_params, train=True)
run("bn_fixgamma", gluon.nn.BatchNorm(scale=False), x, bn_params, train=True)
bn_last = {"gamma": f32(4), "beta": f32(4)}
run("bn_last", gluon.nn.BatchNorm(axis=-1, epsilon=1e-3), f32(6, 4), bn_last, train=True, grad=True)

run(
    "ln",
    gluon.nn.LayerNorm(),
    f32(3, 4, 6),
    {"gamma": f32(6), "beta": f32(6)},
    grad=True,
)
run(
    "ln_axis1",
    gluon.nn.LayerNorm(axis=1, epsilon=1e-3),
    f32(3, 4, 6),
    {"gamma": f32(4), "beta": f32(4)},
)
run(
    "gn",
    gluon.nn.GroupNorm(num_groups=3),
    f32(2, 6, 5),
    {"gamma": f32(3), "beta": f32(3)},
    grad=True,
)
run("gn_4d", gluon.nn.GroupNorm(num_groups=2), f32(2, 4, 3, 2), {"gamma": f32(2), "beta": f32(2)})
run(
    "in",
    gluon.nn.InstanceNorm(scale=True),
    f32(2, 3, 6),
    {"gamma": f32(3), "beta": f32(3)},
    grad=True,
)
run(
    "in_last",
    gluon.nn.InstanceNorm(axis=-1, scale=True),
    f32(2, 5, 3),
    {"gamma": f32(3), "beta": f32(3)},
)

xa = np.linspace(-4, 4, 41).astype("float32")
for name in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
    run(f"act_{name}", gluon.nn.Activation(name), xa, grad=True)
run("leakyrelu", gluon.nn.LeakyReLU(0.1), xa, grad=True)
run("elu", gluon.nn.ELU(0.5), xa, grad=True)
run("selu", gluon.nn.SELU(), xa, grad=True)
run("gelu", gluon.nn.GELU(), xa, grad=True)
run("swish", gluon.nn.Swish(2.0), xa, grad=True)
run("prelu", gluon.nn.PReLU(in_channels=3), f32(2, 3, 4), {"alpha": f32(3)}, grad=True)
run("prelu1", gluon.nn.PReLU(), f32(2, 3, 4), {"alpha": np.array([0.3], "float32")})

emb = gluon.nn.Embedding(10, 4)
emb.initialize()
w = f32(10, 4)
idx = rng.randint(0, 10, (3, 5)).astype("float32")
emb(nd.array(idx))
emb.weight.set_data(nd.array(w))
out["emb.weight"] = w
out["emb.x"] = idx.astype("int32")
out["emb.y"] = emb(nd.array(idx)).asnumpy()

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.npz")
tmp = path + ".tmp.npz"
np.savez_compressed(tmp, **out)
os.replace(tmp, path)
print(f"wrote {len(out)} arrays to {path} ({os.path.getsize(path)} bytes)")
