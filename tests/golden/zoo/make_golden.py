"""Writes the model-zoo goldens with real MXNet 1.9.1.

Run with ``/work/mxnet-venv/bin/python tests/golden/zoo/make_golden.py``. Writes
``names.json.gz`` (gzipped JSON) (per network: sorted (structural name, shape) pairs and the
``collect_params()`` names), ``outputs.npz`` (inference outputs of networks
whose weights are drawn by ``seeded_weights`` on a fixed input) and
``mlp.params`` (an MXNet-written file of the small MLP).
"""

import gzip
import json
import os

import mxnet as mx
import numpy as np
from mxnet.gluon import nn
from mxnet.gluon.model_zoo import vision

HERE = os.path.dirname(os.path.abspath(__file__))

# key: (model name, kwargs, input shape)
NETS = {
    "resnet18_v1": ("resnet18_v1", {}, (1, 3, 32, 32)),
    "resnet34_v1": ("resnet34_v1", {}, (1, 3, 32, 32)),
    "resnet50_v1": ("resnet50_v1", {}, (1, 3, 32, 32)),
    "resnet18_v2": ("resnet18_v2", {}, (1, 3, 32, 32)),
    "resnet34_v2": ("resnet34_v2", {}, (1, 3, 32, 32)),
    "resnet50_v2": ("resnet50_v2", {}, (1, 3, 32, 32)),
    "resnet18_v1_thumbnail": ("resnet18_v1", {"thumbnail": True}, (1, 3, 32, 32)),
    "vgg11": ("vgg11", {}, (1, 3, 32, 32)),
    "vgg16": ("vgg16", {}, (1, 3, 32, 32)),
    "vgg11_bn": ("vgg11_bn", {}, (1, 3, 32, 32)),
    "vgg16_bn": ("vgg16_bn", {}, (1, 3, 32, 32)),
    "alexnet": ("alexnet", {}, (1, 3, 64, 64)),
    "mobilenet1.0": ("mobilenet1.0", {}, (1, 3, 32, 32)),
    "mobilenetv2_1.0": ("mobilenetv2_1.0", {}, (1, 3, 32, 32)),
    "densenet121": ("densenet121", {}, (1, 3, 224, 224)),
    "squeezenet1.1": ("squeezenet1.1", {}, (1, 3, 224, 224)),
    "lenet": ("lenet", {}, (1, 1, 28, 28)),
    "mlp": ("mlp", {"hidden": [128, 64]}, (1, 64)),  # small: mlp.params is committed
}
# networks whose outputs are compared numerically (seeded weights, inference mode)
TRAIN_BN = "features.1.0.body.1.running_mean"
NUMERIC = ["resnet18_v1_thumbnail", "mobilenet1.0", "mobilenetv2_1.0", "squeezenet1.1"]


class LeNet(nn.HybridBlock):
    """MXNet twin of mxjax's LeNet (not in MXNet's zoo)."""

    def __init__(self, classes=10, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.Conv2D(32, 3, activation="relu"), nn.MaxPool2D(2, 2))
            self.features.add(nn.Conv2D(64, 3, activation="relu"), nn.MaxPool2D(2, 2))
            self.features.add(nn.Flatten(), nn.Dense(128, activation="relu"))
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class MLP(nn.HybridBlock):
    """MXNet twin of mxjax's MLP (not in MXNet's zoo)."""

    def __init__(self, classes=10, hidden=(256, 256), **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            for h in hidden:
                self.features.add(nn.Dense(h, activation="relu"))
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def build(name, kwargs):
    if name == "lenet":
        return LeNet(classes=10, **kwargs)
    if name == "mlp":
        return MLP(classes=10, **kwargs)
    return vision.get_model(name, classes=10, **kwargs)


def seeded_weights(shapes):
    """Deterministic weights for sorted structural names (the test repeats this recipe)."""
    rng = np.random.RandomState(0)
    out = {}
    for name in sorted(shapes):
        shape = tuple(shapes[name])
        if name.endswith(("running_var", "gamma")):
            v = rng.uniform(0.5, 1.5, shape)
        elif name.endswith(("running_mean", "beta", "bias")):
            v = rng.uniform(-0.1, 0.1, shape)
        else:
            fan_in = int(np.prod(shape[1:]))
            v = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        out[name] = v.astype(np.float32)
    return out


def main():
    golden, arrays = {}, {}
    for key, (name, kwargs, shape) in NETS.items():
        mx.random.seed(0)
        net = build(name, kwargs)
        net.initialize()
        x = mx.nd.ones(shape)
        y = net(x)
        structural = net._collect_params_with_prefix()
        golden[key] = {
            "model": name,
            "kwargs": kwargs,
            "input_shape": list(shape),
            "output_shape": list(y.shape),
            "structural": sorted([k, list(p.shape)] for k, p in structural.items()),
            "prefix": net.prefix,
            "prefixed": list(net.collect_params().keys()),
        }
        if key in NUMERIC:
            weights = seeded_weights({k: p.shape for k, p in structural.items()})
            for k, p in structural.items():
                p.set_data(mx.nd.array(weights[k]))
            xin = np.random.RandomState(1).uniform(-1, 1, shape).astype(np.float32)
            with mx.autograd.predict_mode():  # the test draws the same x from the seed
                arrays[f"{key}/y"] = net(mx.nd.array(xin)).asnumpy()
        if key == "resnet18_v1_thumbnail":  # training mode: batch statistics and gradients
            x2 = np.random.RandomState(3).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32)
            with mx.autograd.record():
                y2 = net(mx.nd.array(x2))
            y2.backward()
            arrays["train/y"] = y2.asnumpy()
            arrays["train/grad_conv0"] = structural["features.0.weight"].grad().asnumpy()
            arrays["train/running_mean"] = structural[TRAIN_BN].data().asnumpy()
        if key == "mlp":
            net.save_parameters(os.path.join(HERE, "mlp.params"))
            xin = np.random.RandomState(2).uniform(-1, 1, (3, 64)).astype(np.float32)
            arrays["mlp_file/x"] = xin
            arrays["mlp_file/y"] = net(mx.nd.array(xin)).asnumpy()
    text = json.dumps(golden, separators=(",", ":"), sort_keys=True).encode()
    with open(os.path.join(HERE, "names.json.gz"), "wb") as f:
        f.write(gzip.compress(text, mtime=0))
    np.savez_compressed(os.path.join(HERE, "outputs.npz"), **arrays)


if __name__ == "__main__":
    main()
