"""Workload definitions shared by every contender: shapes, random data (fixed seed), steps.

Every training workload uses adam (lr 1e-3) and the mean softmax cross-entropy
over integer labels. Data are NumPy arrays so each contender converts them the
way its users would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LR = 1e-3
LSTM = {"vocab": 1000, "embed": 128, "hidden": 256, "seq": 35}


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: a model kind, a batch size and step counts."""

    name: str
    model: str  # mlp | cnn | resnet18 | lstm | data
    batch: int
    warmup: int
    steps: int
    quick_steps: int
    description: str


WORKLOADS = {
    w.name: w
    for w in [
        Workload("mlp_b32", "mlp", 32, 10, 100, 10, "MLP 784-256-256-10, batch 32"),
        Workload("mlp_b128", "mlp", 128, 10, 100, 10, "MLP 784-256-256-10, batch 128"),
        Workload("cnn_b128", "cnn", 128, 2, 5, 2, "LeNet-style CNN, NCHW 1x28x28, batch 128"),
        Workload("resnet18_b128", "resnet18", 128, 1, 2, 1, "ResNet-18 (CIFAR stem), batch 128"),
        Workload(
            "lstm_b32",
            "lstm",
            32,
            2,
            10,
            2,
            "LSTM LM: vocab 1000, embed 128, hidden 256, seq 35, batch 32",
        ),
        Workload(
            "data",
            "data",
            256,
            1,
            2,
            1,
            "DataLoader (mxjax.data) images/s, MNIST subset x5, batch 256",
        ),
    ]
}


def make_data(w: Workload, seed: int = 0):
    """Random ``(x, y)`` of the workload's shapes (x float32 or int32 tokens, y int32)."""
    rng = np.random.default_rng(seed)
    b = w.batch
    if w.model == "mlp":
        return rng.normal(size=(b, 784)).astype(np.float32), rng.integers(0, 10, b).astype(np.int32)
    if w.model == "cnn":
        x = rng.normal(size=(b, 1, 28, 28)).astype(np.float32)
        return x, rng.integers(0, 10, b).astype(np.int32)
    if w.model == "resnet18":
        x = rng.normal(size=(b, 3, 32, 32)).astype(np.float32)
        return x, rng.integers(0, 10, b).astype(np.int32)
    if w.model == "lstm":
        toks = rng.integers(0, LSTM["vocab"], (b, LSTM["seq"] + 1)).astype(np.int32)
        return toks[:, :-1], toks[:, 1:]  # (batch, seq) inputs, next-token targets
    raise ValueError(f"make_data: no data for model {w.model!r}")
