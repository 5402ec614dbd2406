"""Acceptance test: the same Gluon LeNet/MLP script under MXNet 1.9.1 and mxjax.

``tests/golden/gluon/lenet_script.py`` is run unchanged by
``make_golden.py`` with real MXNet 1.9.1 (starting from the committed
``.params`` files) and here with ``mxjax``; the first 20 per-batch losses must
agree within rtol 1e-3. (The LeNet+Adam golden is also committed; it is left
out here to keep the suite fast: MLP+Adam covers Adam.)
"""

import importlib.util
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax.data import embedded_mnist

HERE = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon")


def _script():
    spec = importlib.util.spec_from_file_location(
        "lenet_script", os.path.join(HERE, "lenet_script.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def mnist():
    x, y = embedded_mnist(train=True)
    images = x.transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    return images, y.astype(np.float32)


CASES = [
    ("lenet", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}, True),
    ("mlp", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}, False),
    ("mlp", "adam", {"learning_rate": 0.003}, True),
]


@pytest.mark.parametrize("kind,opt,oparams,hybridize", CASES)
def test_losses_match_mxnet(mnist, kind, opt, oparams, hybridize):
    gold = np.load(os.path.join(HERE, "lenet_losses.npz"))
    images, labels = mnist
    losses, acc = _script().train(
        mx,
        kind,
        os.path.join(HERE, f"{kind}_init.params"),
        images,
        labels,
        gold["batches"],
        opt,
        dict(oparams),
        hybridize,
    )
    np.testing.assert_allclose(losses, gold[f"{kind}_{opt}_losses"], rtol=1e-3)
    np.testing.assert_allclose(acc, gold[f"{kind}_{opt}_acc"], atol=2 / 640)
