"""N simulated devices give the same training as one device on the same global batch."""

import json
import os
import subprocess
import sys

import pytest

from tests.simulated_devices import simulated_devices_env

HERE = os.path.dirname(__file__)


@pytest.fixture(scope="module")
def results():
    env = simulated_devices_env(4)
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "dp_worker.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_four_devices_are_used(results):
    assert results["devices"] == 4


@pytest.mark.parametrize("case", ["mlp", "batchnorm"])
def test_functional_step_equals_single_device_after_10_steps(results, case):
    param_ratio, state_ratio, loss_rel = results[case]
    assert param_ratio <= 1.0  # allclose(rtol=1e-5, atol=1e-6)
    assert state_ratio <= 1.0
    assert loss_rel < 1e-5


@pytest.mark.parametrize("case", ["fit_even", "fit_uneven"])
def test_fit_devices_equals_single_device(results, case):
    param_ratio, loss_diff = results[case]
    assert param_ratio <= 1.0  # allclose(rtol=1e-5, atol=1e-6)
    assert loss_diff < 1e-5
