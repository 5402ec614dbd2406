"""fit/evaluate and mx.metric report the same number for the same predictions (one function each)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import losses, metric, train


def _identity_engine(metrics, loss=None):
    """An engine whose 'network' returns its input: evaluate(x=predictions, y=labels)."""
    eng = train.Engine(lambda p, s, x, key=None, train=False: (x, s), lambda key, x: ({}, {}))
    loss = loss if loss is not None else (lambda out, y: jnp.zeros(out.shape[0]))
    return eng.compile("sgd", loss, metrics=metrics)


RNG = np.random.default_rng(0)
N, C, BS = 24, 6, 8
SCORES = RNG.random((N, C)).astype(np.float32)
PROBS = SCORES / SCORES.sum(axis=1, keepdims=True)
CLASSES = RNG.integers(0, C, N).astype(np.float32)
REG_PRED = RNG.standard_normal((N, 3)).astype(np.float32)
REG_LABEL = RNG.standard_normal((N, 3)).astype(np.float32)

# fit name -> (mx.metric spec, predictions, labels)
SHARED = {
    "accuracy": (("acc", {}), SCORES, CLASSES),
    "top_k_accuracy": (("top_k_accuracy", {"top_k": 5}), SCORES, CLASSES),
    "mse": (("mse", {}), REG_PRED, REG_LABEL),
    "mae": (("mae", {}), REG_PRED, REG_LABEL),
    "cross-entropy": (("ce", {}), PROBS, CLASSES),
}


@pytest.mark.parametrize("name", sorted(SHARED))
def test_fit_evaluate_and_mx_metric_agree(name):
    (mx_name, kwargs), pred, label = SHARED[name]
    logs = _identity_engine([name]).evaluate(pred, label, batch_size=BS)
    m = metric.create(mx_name, **kwargs)
    for s in range(0, N, BS):  # the same batches
        m.update([label[s : s + BS]], [pred[s : s + BS]])
    assert logs[name] == pytest.approx(m.get()[1], rel=1e-5, abs=1e-6)
    # an mx.metric object passed to fit uses the same function under its own name
    obj = metric.create(mx_name, **kwargs)
    logs = _identity_engine([obj]).evaluate(pred, label, batch_size=BS)
    assert logs[obj.name] == pytest.approx(m.get()[1], rel=1e-5, abs=1e-6)


def test_every_step_metric_name_is_covered():
    canonical = {"acc": "accuracy", "ce": "cross-entropy"}
    assert {canonical.get(k, k) for k in train.STEP_METRICS} == set(SHARED)


@pytest.mark.parametrize(
    ("loss", "threshold"),
    [(None, 0.5), (losses.SigmoidBinaryCrossEntropyLoss(), 0.0),
     (losses.SigmoidBinaryCrossEntropyLoss(from_sigmoid=True), 0.5)],
)  # fmt: skip
def test_binary_accuracy_rule_is_fixed_by_the_loss(loss, threshold):
    label = np.array([1.0, 1.0], np.float32)
    eng = _identity_engine(["accuracy"], loss)
    # regression: 0.3 with label 1 used to score 0 next to 0.8 and 1 next to -1.0
    a = eng.evaluate(np.array([[0.3], [0.8]], np.float32), label)["accuracy"]
    b = eng.evaluate(np.array([[0.3], [-1.0]], np.float32), label)["accuracy"]
    first = float(0.3 > threshold)
    assert a == pytest.approx((first + float(0.8 > threshold)) / 2)
    assert b == pytest.approx((first + float(-1.0 > threshold)) / 2)
    # mx.metric.Accuracy with the same threshold gives the same numbers
    m = metric.Accuracy(threshold=threshold)
    m.update([label], [np.array([[0.3], [0.8]])])
    assert m.get()[1] == pytest.approx(a)
