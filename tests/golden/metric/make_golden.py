"""Generates ``metric.npz``: MXNet 1.9.1 ``mx.metric`` values for mxjax's metric tests.

Run with the MXNet venv: ``/tmp/mxnet/bin/python tests/golden/metric/make_golden.py``.
For each case ``<case>`` it stores ``<case>:spec`` (JSON ``[name, kwargs]`` for
``metric.create``), the batches ``<case>:<step>:label<j>`` / ``<case>:<step>:pred<j>``
and, after each step (an update, or ``reset_local`` where a step has no arrays),
``<case>:get`` / ``<case>:get_global`` (values) and ``<case>:num_inst``.
"""

import json
import os

import mxnet as mx
import numpy as np

rng = np.random.RandomState(0)
out = {}
RESET = None  # a step that calls reset_local()


def probs(n, c):
    p = rng.rand(n, c).astype(np.float32)
    return p / p.sum(1, keepdims=True)


def labels(n, c):
    return rng.randint(0, c, size=n).astype(np.float32)


def cls_steps(c=4, n=6, steps=3, arrays=1):
    return [[(labels(n, c), probs(n, c)) for _ in range(arrays)] for _ in range(steps)]


def reg_steps(shape_l, shape_p, steps=3):
    return [
        [(rng.randn(*shape_l).astype(np.float32), rng.randn(*shape_p).astype(np.float32))]
        for _ in range(steps)
    ]


CASES = {
    "acc": (["acc", {}], cls_steps(arrays=2) + [RESET] + cls_steps(steps=1)),
    "accuracy_axis": (
        ["accuracy", {"axis": 1}],
        [
            [
                (
                    rng.randint(0, 3, size=(4, 5)).astype(np.float32),
                    rng.rand(4, 3, 5).astype(np.float32),
                )
            ]
            for _ in range(2)
        ],
    ),
    "acc_labels": (["acc", {}], [[(labels(8, 3), labels(8, 3))] for _ in range(2)]),
    "top_k": (
        ["top_k_accuracy", {"top_k": 3}],
        cls_steps(c=6, n=8) + [RESET] + cls_steps(c=6, n=8, steps=1),
    ),
    "f1_macro": (
        ["f1", {}],
        cls_steps(c=2, n=10, steps=3, arrays=2) + [RESET] + cls_steps(c=2, n=10, steps=1),
    ),
    "f1_micro": (
        ["f1", {"average": "micro"}],
        cls_steps(c=2, n=10, steps=3, arrays=2) + [RESET] + cls_steps(c=2, n=10, steps=1),
    ),
    "mcc_macro": (["mcc", {}], cls_steps(c=2, n=10, steps=3)),
    "mcc_micro": (
        ["mcc", {"average": "micro"}],
        cls_steps(c=2, n=10, steps=3) + [RESET] + cls_steps(c=2, n=10, steps=1),
    ),
    "mae": (["mae", {}], reg_steps((5,), (5,)) + reg_steps((5, 2), (5, 2), steps=1)),
    "mse": (["mse", {}], reg_steps((5,), (5,)) + [RESET] + reg_steps((5, 2), (5, 2), steps=1)),
    "rmse": (["rmse", {}], reg_steps((5,), (5,)) + reg_steps((5, 2), (5, 2), steps=1)),
    "ce": (["ce", {}], cls_steps(c=5, n=7, arrays=2)),
    "ce_eps": (["crossentropy", {"eps": 1e-3}], cls_steps(c=5, n=7)),
    "nll": (["nll_loss", {}], cls_steps(c=5, n=7) + [RESET] + cls_steps(c=5, n=7, steps=1)),
    "perplexity": (
        ["perplexity", {"ignore_label": None}],
        cls_steps(c=5, n=9, arrays=2) + [RESET] + cls_steps(c=5, n=9, steps=1),
    ),
    "perplexity_ignore": (["perplexity", {"ignore_label": 0}], cls_steps(c=5, n=9, arrays=2)),
    "pearsonr_macro": (
        ["pearsonr", {}],
        reg_steps((6,), (6,)) + [RESET] + reg_steps((6,), (6,), steps=1),
    ),
    "pearsonr_micro": (["pearsonr", {"average": "micro"}], reg_steps((6,), (6,), steps=3)),
    "pcc": (
        ["pcc", {}],
        [[(labels(12, 4), probs(12, 4))] for _ in range(3)]
        + [RESET]
        + cls_steps(c=3, n=12, steps=1),
    ),
    "loss": (
        ["loss", {}],
        [
            [(None, rng.rand(4, 3).astype(np.float32)), (None, rng.rand(5).astype(np.float32))]
            for _ in range(2)
        ],
    ),
    "composite": (
        [["acc", "ce", "f1"], {}],
        cls_steps(c=2, n=8, steps=3) + [RESET] + cls_steps(c=2, n=8, steps=1),
    ),
}


def flat(v):
    return list(v) if isinstance(v, list) else [v]


for case, (spec, steps) in CASES.items():
    name, kwargs = spec
    m = mx.metric.create(name, **kwargs)
    out[f"{case}:spec"] = np.array(json.dumps(spec))
    gets, globs, nums = [], [], []
    for s, step in enumerate(steps):
        if step is RESET:
            m.reset_local()
        else:
            labs, preds = [], []
            for j, (lab, pred) in enumerate(step):
                if lab is not None:
                    out[f"{case}:{s}:label{j}"] = lab
                    labs.append(mx.nd.array(lab, dtype=lab.dtype))
                out[f"{case}:{s}:pred{j}"] = pred
                preds.append(mx.nd.array(pred, dtype=pred.dtype))
            m.update(labs, preds)
        gets.append(flat(m.get()[1]))
        globs.append(flat(m.get_global()[1]))
        nums.append(float(m.num_inst) if not isinstance(m.get()[1], list) else 0.0)
    out[f"{case}:nsteps"] = np.array(len(steps))
    out[f"{case}:get"] = np.array(gets, np.float64)
    out[f"{case}:get_global"] = np.array(globs, np.float64)
    out[f"{case}:num_inst"] = np.array(nums, np.float64)
    out[f"{case}:names"] = np.array(json.dumps(flat(m.get()[0])))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metric.npz")
tmp = path + ".tmp.npz"
np.savez_compressed(tmp, **out)
os.replace(tmp, path)
print(f"wrote {len(out)} arrays to {path} ({os.path.getsize(path)} bytes)")
