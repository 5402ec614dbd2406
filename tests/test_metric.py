"""mxjax.metric against MXNet 1.9.1 golden values and NumPy references written here."""

from __future__ import annotations

import json
import math
import pathlib

import jax.numpy as jnp
import numpy as np
import pytest

from mxjax import metric

GOLDEN = np.load(pathlib.Path(__file__).parent / "golden" / "metric" / "metric.npz")
CASES = sorted({k.split(":")[0] for k in GOLDEN.files})
# MXNet 1.9.1's micro PearsonCorrelation.get_global() always returns 0 (it never
# accumulates global sums); mxjax returns the same value as get().
SKIP_GLOBAL = {"pearsonr_micro"}


class FakeNDArray:
    """Stands in for the facade's NDArray: only ``.asnumpy()``."""

    def __init__(self, value):
        self._value = np.asarray(value)

    def asnumpy(self):
        return self._value.copy()


CONVERTERS = {"numpy": np.asarray, "jax": jnp.asarray, "asnumpy": FakeNDArray}


def _steps(case):
    for s in range(int(GOLDEN[f"{case}:nsteps"])):
        labels, preds, j = [], [], 0
        while f"{case}:{s}:pred{j}" in GOLDEN.files:
            if f"{case}:{s}:label{j}" in GOLDEN.files:
                labels.append(GOLDEN[f"{case}:{s}:label{j}"])
            preds.append(GOLDEN[f"{case}:{s}:pred{j}"])
            j += 1
        yield (labels, preds) if preds else None


# Every case with NumPy inputs; jax arrays and NDArray-likes on a few cases.
PAIRS = [(c, "numpy") for c in CASES] + [
    (c, k) for c in ("acc", "f1_micro", "perplexity", "loss") for k in ("jax", "asnumpy")
]


@pytest.mark.parametrize(("case", "kind"), PAIRS)
def test_matches_mxnet(case, kind):
    conv = CONVERTERS[kind]
    name, kwargs = json.loads(str(GOLDEN[f"{case}:spec"]))
    m = metric.create(name, **kwargs)
    gets, globs, nums = [], [], []
    for step in _steps(case):
        if step is None:
            m.reset_local()
        else:
            labels, preds = step
            m.update([conv(x) for x in labels], [conv(x) for x in preds])
        value, gvalue = m.get()[1], m.get_global()[1]
        gets.append(value if isinstance(value, list) else [value])
        globs.append(gvalue if isinstance(gvalue, list) else [gvalue])
        nums.append(0.0 if isinstance(value, list) else float(m.num_inst))
    np.testing.assert_allclose(gets, GOLDEN[f"{case}:get"], rtol=1e-5, atol=1e-7)
    if case not in SKIP_GLOBAL:
        np.testing.assert_allclose(globs, GOLDEN[f"{case}:get_global"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(nums, GOLDEN[f"{case}:num_inst"])
    names = m.get()[0]
    assert (names if isinstance(names, list) else [names]) == json.loads(
        str(GOLDEN[f"{case}:names"])
    )


# ----------------------------------------------------------------- NumPy references


def test_accuracy_and_single_arrays():
    rng = np.random.RandomState(0)
    pred = rng.rand(10, 4)
    label = rng.randint(0, 4, 10)
    m = metric.Accuracy()
    m.update(label, pred)  # single arrays, not lists
    assert m.get() == ("accuracy", np.mean(pred.argmax(1) == label))
    assert m.num_inst == 10 and m.sum_metric == float((pred.argmax(1) == label).sum())
    assert m.get_name_value() == [("accuracy", np.mean(pred.argmax(1) == label))]
    m.reset()
    assert m.num_inst == 0 and math.isnan(m.get()[1])


def test_top_k_accuracy_reference():
    rng = np.random.RandomState(1)
    pred = rng.rand(20, 6)
    label = rng.randint(0, 6, 20)
    m = metric.create("top_k_acc", top_k=3)
    m.update([label], [pred])
    top3 = np.argsort(-pred, axis=1)[:, :3]
    assert m.get() == ("top_k_accuracy_3", np.mean((top3 == label[:, None]).any(1)))
    big = metric.TopKAccuracy(top_k=9)  # more than the 6 classes: everything is correct
    big.update([label], [pred])
    assert big.get()[1] == 1.0


def test_f1_mcc_reference():
    label = np.array([1, 1, 0, 0, 1, 0, 1, 1])
    pred_label = np.array([1, 0, 0, 1, 1, 0, 1, 0])
    pred = np.eye(2)[pred_label]
    tp = np.sum((pred_label == 1) & (label == 1))
    fp = np.sum((pred_label == 1) & (label == 0))
    fn = np.sum((pred_label == 0) & (label == 1))
    tn = np.sum((pred_label == 0) & (label == 0))
    p, r = tp / (tp + fp), tp / (tp + fn)
    f1 = metric.F1()
    f1.update([label], [pred])
    np.testing.assert_allclose(f1.get()[1], 2 * p * r / (p + r))
    mcc = metric.MCC(average="micro")
    mcc.update([label], [pred])
    want = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    np.testing.assert_allclose(mcc.get()[1], want)


def test_regression_and_ce_reference():
    rng = np.random.RandomState(2)
    y, p = rng.randn(7, 2), rng.randn(7, 2)
    for name, want in [
        ("mae", np.abs(y - p).mean()),
        ("mse", ((y - p) ** 2).mean()),
        ("rmse", np.sqrt(((y - p) ** 2).mean())),
    ]:
        m = metric.create(name)
        m.update([y], [p])
        np.testing.assert_allclose(m.get()[1], want)
    probs = rng.rand(7, 3)
    probs /= probs.sum(1, keepdims=True)
    lab = rng.randint(0, 3, 7)
    ce = metric.create("ce")
    ce.update([lab], [probs])
    np.testing.assert_allclose(ce.get()[1], -np.log(probs[np.arange(7), lab] + 1e-12).mean())
    ppl = metric.Perplexity(ignore_label=1)
    ppl.update([lab], [probs])
    keep = lab != 1
    want = np.exp(-np.log(probs[np.arange(7), lab][keep]).sum() / keep.sum())
    np.testing.assert_allclose(ppl.get()[1], want)


def test_custom_metric_and_np_decorator():
    @metric.np
    def frac_equal(label, pred):
        return float((label == pred.argmax(1)).mean())

    frac_equal.update([np.array([0, 1])], [np.array([[1.0, 0.0], [1.0, 0.0]])])
    assert frac_equal.get() == ("frac_equal", 0.5)
    m = metric.create(lambda label, pred: (float(np.sum(label)), label.size))
    assert m.name.startswith("custom(")
    m.update([np.array([1.0, 2.0])], [np.zeros(2)])
    m.update([np.array([3.0])], [np.zeros(1)])
    assert m.get()[1] == 2.0 and m.num_inst == 3
    with pytest.raises(TypeError, match="cannot be serialized"):
        m.get_config()


def test_composite_and_update_dict():
    comp = metric.create(["acc", metric.MSE()])
    assert comp.get_metric(1).name == "mse"
    with pytest.raises(ValueError, match="out of range"):
        comp.get_metric(5)
    acc = metric.Accuracy(output_names=["out"], label_names=["lab"])
    acc.update_dict({"lab": np.array([1]), "other": np.array([0])}, {"out": np.array([[0.0, 1.0]])})
    assert acc.get()[1] == 1.0
    cfg = acc.get_config()
    assert cfg["metric"] == "Accuracy" and cfg["axis"] == 1
    assert metric.create(cfg).get_config() == cfg
    assert str(metric.create("mse")) == "EvalMetric: {'mse': nan}"


def test_create_forms_and_errors():
    assert type(metric.create('["top_k_accuracy", {"top_k": 2}]')) is metric.TopKAccuracy
    assert type(metric.create("NLL_LOSS")) is metric.NegativeLogLikelihood
    m = metric.MAE()
    assert metric.create(m) is m
    with pytest.raises(ValueError, match="unknown metric 'nope'.*'acc'"):
        metric.create("nope")
    with pytest.raises(TypeError, match="metric.create"):
        metric.create(3)
    with pytest.raises(ValueError, match="TopKAccuracy: top_k must be > 1"):
        metric.TopKAccuracy(top_k=1)
    with pytest.raises(ValueError, match="F1: average must be"):
        metric.F1(average="weighted")


def test_bad_inputs():
    with pytest.raises(ValueError, match="does not match shape of predictions"):
        metric.Accuracy().update([np.zeros(2), np.zeros(2)], [np.zeros((2, 2))])
    with pytest.raises(ValueError, match="F1 currently only supports binary"):
        metric.F1().update([np.array([0, 1, 2])], [np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"CrossEntropy.update: labels must lie in \[0, 2\)"):
        metric.CrossEntropy().update([np.array([0, 2])], [np.full((2, 2), 0.5)])
    with pytest.raises(ValueError, match="Perplexity.update: label shape"):
        metric.Perplexity(None).update([np.array([0, 1, 2])], [np.full((2, 2), 0.5)])
