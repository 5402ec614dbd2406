"""Generates ``losses.npz``: MXNet 1.9.1 Gluon loss values for mxjax's loss tests.

Run with the MXNet venv: ``/tmp/mxnet/bin/python tests/golden/losses/make_golden.py``.
Each case ``<case>`` stores its inputs as ``<case>:<arg>`` and the output as ``<case>:out``;
the loss options are encoded in ``CASES`` of ``tests/test_losses.py`` under the same names.
"""

import os

import mxnet as mx
import numpy as np
from mxnet.gluon import loss as gl

rng = np.random.RandomState(0)
N, C = 4, 5
out = {}


def f32(*shape, scale=1.0):
    return (rng.randn(*shape) * scale).astype(np.float32)


def add(case, block, args, **kw):
    nd = {k: mx.nd.array(v, dtype=v.dtype) for k, v in args.items()}
    extra = [None, mx.nd.array(kw["pos_weight"])] if kw else []
    y = block(*nd.values(), *extra)
    for k, v in {**args, **kw}.items():
        out[f"{case}:{k}"] = v
    out[f"{case}:out"] = y.asnumpy()


x, y = f32(N, 3, 2), f32(N, 3, 2)
sw = np.abs(f32(N, 1, 1))
add("l1", gl.L1Loss(), {"pred": x, "label": y})
add("l1_w", gl.L1Loss(weight=0.7), {"pred": x, "label": y, "sample_weight": sw})
add("l2", gl.L2Loss(), {"pred": x, "label": y})
add("l2_w", gl.L2Loss(weight=3.0), {"pred": x, "label": y, "sample_weight": sw})
add("l2_ax1", gl.L2Loss(batch_axis=1), {"pred": x, "label": y})
add("huber", gl.HuberLoss(), {"pred": x * 2, "label": y})
add("huber_rho", gl.HuberLoss(rho=0.5, weight=2.0), {"pred": x * 2, "label": y})
signs = np.sign(f32(N, C)).astype(np.float32)
add("hinge", gl.HingeLoss(), {"pred": f32(N, C), "label": signs})
add("hinge_m", gl.HingeLoss(margin=2), {"pred": f32(N, C), "label": signs})
add("sqhinge", gl.SquaredHingeLoss(), {"pred": f32(N, C), "label": signs})
add("sqhinge_m", gl.SquaredHingeLoss(margin=0.5), {"pred": f32(N, C), "label": signs})
add("logistic_signed", gl.LogisticLoss(), {"pred": f32(N, C, scale=3), "label": signs})
add(
    "logistic_binary",
    gl.LogisticLoss(label_format="binary"),
    {"pred": f32(N, C, scale=3), "label": (signs + 1) / 2},
)
logits = f32(N, C, scale=3)
sparse = rng.randint(0, C, size=N).astype(np.float32)
dense = np.abs(f32(N, C))
dense = (dense / dense.sum(1, keepdims=True)).astype(np.float32)
add("sce", gl.SoftmaxCELoss(), {"pred": logits, "label": sparse})
add(
    "sce_w",
    gl.SoftmaxCELoss(weight=0.5),
    {"pred": logits, "label": sparse, "sample_weight": np.abs(f32(N, 1))},
)
add("sce_dense", gl.SoftmaxCELoss(sparse_label=False), {"pred": logits, "label": dense})
logp = mx.nd.log_softmax(mx.nd.array(logits)).asnumpy()
add("sce_fromlogits", gl.SoftmaxCELoss(from_logits=True), {"pred": logp, "label": sparse})
logits3 = f32(N, C, 3)
sparse3 = rng.randint(0, C, size=(N, 3)).astype(np.float32)
add("sce_axis1", gl.SoftmaxCELoss(axis=1), {"pred": logits3, "label": sparse3})
bl = (rng.rand(N, C) > 0.5).astype(np.float32)
add("bce", gl.SigmoidBCELoss(), {"pred": logits, "label": bl})
add(
    "bce_pw", gl.SigmoidBCELoss(), {"pred": logits, "label": bl}, pos_weight=np.abs(f32(1, C)) + 0.5
)
probs = (1 / (1 + np.exp(-logits))).astype(np.float32)
add("bce_sig", gl.SigmoidBCELoss(from_sigmoid=True), {"pred": probs, "label": bl})
add(
    "bce_sig_pw",
    gl.SigmoidBCELoss(from_sigmoid=True),
    {"pred": probs, "label": bl},
    pos_weight=np.abs(f32(1, C)) + 0.5,
)
add("kl", gl.KLDivLoss(), {"pred": logp, "label": dense})
add("kl_logits", gl.KLDivLoss(from_logits=False, weight=2.0), {"pred": logits, "label": dense})
add("triplet", gl.TripletLoss(), {"pred": f32(N, C), "positive": f32(N, C), "negative": f32(N, C)})
add(
    "triplet_m",
    gl.TripletLoss(margin=3),
    {"pred": f32(N, C), "positive": f32(N, C), "negative": f32(N, C)},
)
rate = np.abs(f32(N, 3)) + 0.1
target = rng.poisson(2.0, size=(N, 3)).astype(np.float32) + 1
add("poisson", gl.PoissonNLLLoss(), {"pred": f32(N, 3), "target": target})
add("poisson_rate", gl.PoissonNLLLoss(from_logits=False), {"pred": rate, "target": target})
add("poisson_full", gl.PoissonNLLLoss(compute_full=True), {"pred": f32(N, 3), "target": target})
cl = np.array([1, -1, 1, -1], np.float32)
add("cosine", gl.CosineEmbeddingLoss(), {"input1": f32(N, C), "input2": f32(N, C), "label": cl})
add(
    "cosine_m",
    gl.CosineEmbeddingLoss(margin=0.3),
    {"input1": f32(N, C), "input2": f32(N, C), "label": cl},
)
T, K, L = 6, 4, 3
ctc_lab = np.array([[0, 1, 2], [1, 1, -1], [2, -1, -1], [0, 2, 1]], np.float32)
add("ctc", gl.CTCLoss(), {"pred": f32(N, T, K), "label": ctc_lab})
add(
    "ctc_tnc",
    gl.CTCLoss(layout="TNC", label_layout="TN"),
    {"pred": f32(T, N, K), "label": ctc_lab.T.copy()},
)
add(
    "ctc_len",
    gl.CTCLoss(weight=0.5),
    {
        "pred": f32(N, T, K),
        "label": np.array([[0, 1, 2], [1, 1, 0], [2, 0, 0], [0, 2, 1]], np.float32),
        "pred_lengths": np.array([6, 5, 4, 6], np.float32),
        "label_lengths": np.array([3, 2, 1, 2], np.float32),
    },
)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.npz")
tmp = path + ".tmp.npz"
np.savez_compressed(tmp, **out)
os.replace(tmp, path)
print(f"wrote {len(out)} arrays to {path} ({os.path.getsize(path)} bytes)")
