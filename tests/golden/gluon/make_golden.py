"""Generates the Gluon golden files with real MXNet 1.9.1.

Run from the repository root: ``/tmp/mxnet/bin/python tests/golden/gluon/make_golden.py``.
Not collected by pytest (no ``test_`` prefix).
"""

import gzip
import json
import os
import sys

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)

import lenet_script  # noqa: E402

MNIST = os.path.join(ROOT, "mxjax", "_datasets", "mnist-5k")
N_BATCHES, BATCH = 20, 32


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist():
    x = read_idx(os.path.join(MNIST, "train-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(MNIST, "train-labels-idx1-ubyte.gz"))
    return (x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0), y.astype(np.float32)


def lenet_goldens():
    images, labels = mnist()
    rng = np.random.RandomState(0)
    batches = rng.permutation(len(images))[: N_BATCHES * BATCH].reshape(N_BATCHES, BATCH)
    out = {"batches": batches.astype(np.int32)}
    for kind in ("lenet", "mlp"):
        mx.random.seed(1)
        net = lenet_script.build_net(mx, kind)
        net.initialize(mx.init.Xavier(), ctx=mx.cpu())
        net(mx.nd.array(images[:2]))
        pfile = os.path.join(HERE, f"{kind}_init.params")
        net.save_parameters(pfile)
        runs = {
            "sgd": ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}),
            "adam": ("adam", {"learning_rate": 0.003}),
        }
        for rname, (opt, oparams) in runs.items():
            for hyb in (False, True):
                losses, acc = lenet_script.train(
                    mx, kind, pfile, images, labels, batches, opt, dict(oparams), hyb
                )
                if hyb:
                    np.testing.assert_allclose(out[f"{kind}_{rname}_losses"], losses, rtol=1e-4)
                    continue
                out[f"{kind}_{rname}_losses"] = np.asarray(losses, np.float32)
                out[f"{kind}_{rname}_acc"] = np.float32(acc)
                print(kind, rname, losses[:3], losses[-1], acc)
    np.savez(os.path.join(HERE, "lenet_losses.npz"), **out)


class Inner(mx.gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.fc = mx.gluon.nn.Dense(3, in_units=4)
            self.body = mx.gluon.nn.HybridSequential()
            self.body.add(mx.gluon.nn.Dense(2, in_units=3), mx.gluon.nn.BatchNorm(in_channels=2))

    def hybrid_forward(self, F, x):
        return self.body(self.fc(x))


class Outer(mx.gluon.Block):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.inner = Inner()
            self.head = mx.gluon.nn.Dense(5, in_units=2, prefix="myhead_")

    def forward(self, x):
        return self.head(self.inner(x))


def naming_goldens():
    out = {}
    net = Outer()
    net.initialize()
    out["outer_prefix"] = net.prefix
    out["inner_prefix"] = net.inner.prefix
    out["collect_params"] = list(net.collect_params().keys())
    out["collect_params_select"] = list(net.collect_params(".*weight|.*gamma").keys())
    out["param_shapes"] = {k: list(v.shape) for k, v in net.collect_params().items()}
    path = os.path.join(HERE, "_tmp.params")
    net.save_parameters(path)
    out["save_parameters"] = sorted(mx.nd.load(path).keys())
    os.remove(path)
    seq = mx.gluon.nn.HybridSequential()
    seq.add(mx.gluon.nn.Dense(2), mx.gluon.nn.Dense(3))
    out["seq_prefix"] = seq.prefix
    out["seq_children"] = [c.name for c in seq]
    out["seq_params"] = list(seq.collect_params().keys())
    with open(os.path.join(HERE, "naming.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


def trainer_goldens():
    rng = np.random.RandomState(3)
    w0 = rng.randn(3, 4).astype(np.float32)
    b0 = rng.randn(3).astype(np.float32)
    x = rng.randn(5, 4).astype(np.float32)
    out = {"w0": w0, "b0": b0, "x": x}
    cases = {
        "sgd_wd": ("sgd", {"learning_rate": 0.1, "wd": 0.01}, "write", 1.0),
        "sgd_mom_lrmult": ("sgd", {"learning_rate": 0.1, "momentum": 0.9}, "write", 0.5),
        "sgd_add": ("sgd", {"learning_rate": 0.1}, "add", 1.0),
        "adam_wd": ("adam", {"learning_rate": 0.01, "wd": 0.1}, "write", 2.0),
    }
    for name, (opt, oparams, req, lr_mult) in cases.items():
        net = mx.gluon.nn.Dense(3, in_units=4)
        net.initialize()
        net.weight.set_data(mx.nd.array(w0))
        net.bias.set_data(mx.nd.array(b0))
        net.weight.lr_mult = lr_mult
        net.bias.wd_mult = 0.0
        for p in net.collect_params().values():
            p.grad_req = req
        trainer = mx.gluon.Trainer(net.collect_params(), opt, dict(oparams))
        for _ in range(3):
            with mx.autograd.record():
                y = net(mx.nd.array(x))
                loss = (y * y).sum()
            loss.backward()
            trainer.step(5)
        out[f"{name}_w"] = net.weight.data().asnumpy()
        out[f"{name}_b"] = net.bias.data().asnumpy()
    np.savez(os.path.join(HERE, "trainer.npz"), **out)


def layer_goldens():
    """nn/rnn/loss blocks: outputs, gradients and names on fixed inputs."""
    rng = np.random.RandomState(7)
    out = {}
    nn, rnn = mx.gluon.nn, mx.gluon.rnn
    # Conv2D + BatchNorm in training mode: output, grads, running stats.
    net = nn.HybridSequential(prefix="cb_")
    with net.name_scope():
        net.add(
            nn.Conv2D(3, 3, padding=1, in_channels=2),
            nn.BatchNorm(in_channels=3),
            nn.Activation("relu"),
            nn.GlobalAvgPool2D(),
            nn.Dense(2, in_units=3),
        )
    net.initialize(mx.init.Xavier())
    x = rng.randn(4, 2, 5, 5).astype(np.float32)
    net.save_parameters(os.path.join(HERE, "convbn.params"))
    with mx.autograd.record():
        y = net(mx.nd.array(x))
        loss = (y * y).sum()
    loss.backward()
    out["convbn_x"] = x
    out["convbn_y"] = y.asnumpy()
    for k, p in net._collect_params_with_prefix().items():
        out[f"convbn_after.{k}"] = p.data().asnumpy()
        if p.grad_req != "null":
            out[f"convbn_grad.{k}"] = p.grad().asnumpy()
    # LSTM (bidirectional, 2 layers) and GRU cell unroll
    lstm = rnn.LSTM(4, num_layers=2, bidirectional=True, input_size=3, prefix="lstm_")
    lstm.initialize(mx.init.Xavier())
    lstm.save_parameters(os.path.join(HERE, "lstm.params"))
    xs = rng.randn(5, 2, 3).astype(np.float32)
    h0 = [mx.nd.array(rng.randn(4, 2, 4).astype(np.float32)) for _ in range(2)]
    o, hs = lstm(mx.nd.array(xs), h0)
    out["lstm_x"], out["lstm_h0"], out["lstm_c0"] = xs, h0[0].asnumpy(), h0[1].asnumpy()
    out["lstm_y"], out["lstm_h"], out["lstm_c"] = o.asnumpy(), hs[0].asnumpy(), hs[1].asnumpy()
    cell = rnn.GRUCell(3, input_size=2, prefix="gru_")
    cell.initialize(mx.init.Xavier())
    cell.save_parameters(os.path.join(HERE, "grucell.params"))
    xc = rng.randn(2, 4, 2).astype(np.float32)
    oc, sc = cell.unroll(
        4, mx.nd.array(xc), layout="NTC", merge_outputs=True, valid_length=mx.nd.array([2, 4])
    )
    out["gru_x"], out["gru_y"], out["gru_h"] = xc, oc.asnumpy(), sc[0].asnumpy()
    # losses
    loss = mx.gluon.loss
    pred = rng.randn(4, 5).astype(np.float32)
    lab = rng.randint(0, 5, size=(4,)).astype(np.float32)
    tgt = rng.randn(4, 5).astype(np.float32)
    sgn = np.sign(rng.randn(4, 5)).astype(np.float32)
    out["loss_pred"], out["loss_lab"], out["loss_tgt"], out["loss_sgn"] = pred, lab, tgt, sgn
    cases = {
        "SoftmaxCELoss": (loss.SoftmaxCELoss(), (pred, lab)),
        "L2Loss": (loss.L2Loss(), (pred, tgt)),
        "L1Loss": (loss.L1Loss(), (pred, tgt)),
        "SigmoidBCELoss": (loss.SigmoidBCELoss(), (pred, (sgn > 0).astype(np.float32))),
        "HuberLoss": (loss.HuberLoss(rho=0.5), (pred, tgt)),
        "HingeLoss": (loss.HingeLoss(), (pred, sgn)),
        "LogisticLoss": (loss.LogisticLoss(), (pred, sgn)),
        "KLDivLoss": (
            loss.KLDivLoss(),
            (
                mx.nd.log_softmax(mx.nd.array(pred)).asnumpy(),
                mx.nd.softmax(mx.nd.array(tgt)).asnumpy(),
            ),
        ),
    }
    for name, (fn, args) in cases.items():
        a0 = mx.nd.array(args[0])
        a0.attach_grad()
        with mx.autograd.record():
            val = fn(a0, mx.nd.array(args[1]))
        val.backward()
        out[f"loss_{name}"] = val.asnumpy()
        out[f"loss_{name}_grad"] = a0.grad.asnumpy()
        out[f"loss_{name}_in0"] = args[0]
        out[f"loss_{name}_in1"] = args[1]
    names = {
        "convbn": sorted(net._collect_params_with_prefix()),
        "convbn_full": list(net.collect_params().keys()),
        "lstm": sorted(lstm._collect_params_with_prefix()),
        "lstm_full": list(lstm.collect_params().keys()),
        "gru": list(cell.collect_params().keys()),
    }
    np.savez(os.path.join(HERE, "layers.npz"), **out)
    with open(os.path.join(HERE, "layer_names.json"), "w") as f:
        json.dump(names, f, indent=1)


if __name__ == "__main__":
    naming_goldens()
    trainer_goldens()
    lenet_goldens()
    layer_goldens()
