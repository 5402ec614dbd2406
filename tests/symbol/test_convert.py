"""``mxjax convert``: MXNet files to mxjax and back, with the output check."""

import os

import jax
import numpy as np

from mxjax import io as mio
from mxjax._src.layers.base import flatten_names
from mxjax._src.train.zoo import get_core_model
from mxjax.cli import main

G = os.path.join(os.path.dirname(__file__), "..", "golden", "symbol")


def test_from_mxnet_with_expected_outputs(tmp_path, capsys):
    io = np.load(os.path.join(G, "lenet_io.npz"))
    np.save(tmp_path / "x.npy", io["x"])
    np.save(tmp_path / "y.npy", io["y"])
    args = [
        "convert",
        "from-mxnet",
        "--symbol",
        os.path.join(G, "lenet-symbol.json"),
        "--params",
        os.path.join(G, "lenet-0000.params"),
        "--input",
        str(tmp_path / "x.npy"),
        "--expected",
        str(tmp_path / "y.npy"),
        "--out",
        str(tmp_path / "lenet"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "OK" in out and os.path.exists(tmp_path / "lenet.params")
    np.save(tmp_path / "y.npy", io["y"] + 1.0)  # a wrong reference is reported, exit status 1
    assert main(args) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_to_mxnet_from_a_functional_checkpoint(tmp_path, capsys):
    layer = get_core_model("lenet")
    params, state = layer.init(jax.random.key(0), np.zeros((1, 1, 28, 28), np.float32))
    flat = {**flatten_names(params), **flatten_names(state)}
    mio.save_params(str(tmp_path / "lenet.params"), {k: np.asarray(v) for k, v in flat.items()})
    prefix = str(tmp_path / "mx")
    assert (
        main(
            [
                "convert",
                "to-mxnet",
                "--model",
                "lenet",
                "--params",
                str(tmp_path / "lenet.params"),
                "--out",
                prefix,
                "--epoch",
                "3",
            ]
        )
        == 0
    )
    assert "OK" in capsys.readouterr().out
    assert os.path.exists(prefix + "-symbol.json") and os.path.exists(prefix + "-0003.params")
    saved = mio.load_params(prefix + "-0003.params")
    assert all(k.startswith(("arg:", "aux:")) for k in saved)
    assert main(["convert", "to-mxnet", "--params", str(tmp_path / "lenet.params")]) == 2
