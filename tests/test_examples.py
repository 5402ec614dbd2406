"""Smoke tests: every example runs and learns (stated margins, small settings)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np

from tests.simulated_devices import simulated_devices_env

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_functional_mlp_beats_85_percent():
    acc = _load("functional_mlp").main(["--epochs", "2"])
    assert acc > 0.85


def test_gluon_mnist_lenet_learns():
    r = _load("gluon_mnist_lenet").main(["--epochs", "1", "--limit", "40"])
    assert r["last_loss"] < 0.5 * r["first_loss"]
    assert r["test_accuracy"] > 0.8


def test_fashion_cnn_falls_back_and_learns(tmp_path, capsys):
    r = _load("fashion_mnist_cnn").main(["--epochs", "1", "--limit", "25", "--root", str(tmp_path)])
    assert "embedded MNIST subset" in capsys.readouterr().out
    assert r["last_loss"] < 0.6 * r["first_loss"]


def test_keras_style_mlp_beats_85_percent():
    r = _load("keras_style_mlp").main(["--epochs", "3"])
    assert r["history"]["loss"][-1] < r["history"]["loss"][0]
    assert r["test_accuracy"] > 0.85


def test_linear_regression_recovers_the_weights():
    r = _load("linear_regression").main(["--epochs", "3"])
    np.testing.assert_allclose(r["w"], r["true_w"], atol=0.05)
    assert abs(r["b"] - r["true_b"]) < 0.05
    assert r["losses"][-1] < 1e-3


def test_logistic_regression_separates():
    r = _load("logistic_regression").main(["--epochs", "5"])
    assert r["accuracy"] > 0.95 and r["losses"][-1] < r["losses"][0]


def test_lstm_sequence_model_learns():
    r = _load("lstm_sequence").main(["--epochs", "8"])
    assert r["losses"][-1] < 0.3 * r["losses"][0]


def test_multi_device_example_on_four_simulated_devices():
    path = os.path.join(EXAMPLES, "multi_device.py")
    code = (
        "import json, runpy; m = runpy.run_path(" + repr(path) + ");"
        "r = m['main'](['--epochs', '2']);"
        "print(json.dumps({'devices': r['devices'], 'gluon_loss': r['gluon_loss'],"
        " 'acc': r['fit_history']['accuracy']}))"
    )
    env = simulated_devices_env(4)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["devices"] == 4
    assert r["gluon_loss"] < 0.6
    assert r["acc"][-1] > r["acc"][0] and r["acc"][-1] > 0.85
