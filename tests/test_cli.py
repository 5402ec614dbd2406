"""The mxjax command: train/evaluate/predict/info on the embedded MNIST subset."""

import json
import os

import numpy as np
import pytest

from mxjax.cli import load_dataset, main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        [
            "train",
            "--model",
            "mlp",
            "--dataset",
            "mnist-5k",
            "--epochs",
            "2",
            "--batch-size",
            "128",
            "--out",
            str(out),
            "--verbose",
            "0",
        ]
    )
    assert code == 0
    return out


def test_train_writes_params_curves_and_metrics(trained, capsys):
    files = sorted(os.listdir(trained))
    assert files == ["checkpoints", "curves.png", "metrics.json", "mlp.params"]
    assert sorted(os.listdir(trained / "checkpoints")) == ["ckpt-1", "ckpt-2"]
    with open(trained / "metrics.json") as f:
        metrics = json.load(f)
    assert metrics["test_accuracy"] > 0.85  # 2 epochs of an MLP on 4,000 images
    assert len(metrics["history"]["loss"]) == 2
    with open(trained / "curves.png", "rb") as f:
        assert f.read(4) == b"\x89PNG"


def test_evaluate_and_predict_from_checkpoint(trained, capsys, tmp_path):
    with open(trained / "metrics.json") as f:
        acc = json.load(f)["test_accuracy"]
    assert (
        main(
            [
                "evaluate",
                "--model",
                "mlp",
                "--dataset",
                "mnist-5k",
                "--params",
                str(trained / "mlp.params"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"test accuracy {acc:.4f}" in out
    pred_file = tmp_path / "pred.npy"
    code = main(
        [
            "predict",
            "--model",
            "mlp",
            "--dataset",
            "mnist-5k",
            "--params",
            str(trained / "mlp.params"),
            "--count",
            "20",
            "--output",
            str(pred_file),
        ]
    )
    assert code == 0
    pred = np.load(pred_file)
    _, _, _, yte, _ = load_dataset("mnist-5k")
    assert pred.shape == (20,) and np.mean(pred == yte[:20]) > 0.7


def test_mnist_without_files_announces_the_embedded_subset(tmp_path, capsys):
    messages = []
    xtr, ytr, xte, yte, desc = load_dataset("mnist", root=str(tmp_path), log=messages.append)
    assert xtr.shape == (4000, 1, 28, 28) and xtr.dtype == np.float32
    assert "embedded" in desc and any("using the embedded MNIST subset" in m for m in messages)


def test_full_mnist_files_are_used_when_present(tmp_path):
    from mxjax.data import embedded_mnist_root

    root = embedded_mnist_root()
    for f in os.listdir(root):
        if f.endswith(".gz"):
            os.symlink(os.path.join(root, f), tmp_path / f)
    xtr, _, _, _, desc = load_dataset("mnist", root=str(tmp_path))
    assert str(tmp_path) in desc and xtr.shape[0] == 4000


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "mxjax" in out and "device 0" in out


def test_errors_are_reported_not_raised(tmp_path, capsys):
    code = main(
        [
            "evaluate",
            "--model",
            "mlp",
            "--dataset",
            "fashion-mnist",
            "--data-root",
            str(tmp_path),
            "--params",
            "x.params",
        ]
    )
    assert code == 2
    assert "files missing" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--batch-size", "0"], "--batch-size: expected an integer >= 1; received 0"),
        (["train", "--batch-size", "-2"], "--batch-size: expected an integer >= 1; received -2"),
        (["train", "--batch-size", "3.5"], "expected an integer >= 1; received '3.5'"),
        (["train", "--epochs", "0"], "--epochs: expected an integer >= 1; received 0"),
        (["train", "--lr", "abc"], "--lr: expected a positive number; received 'abc'"),
        (["train", "--lr", "-0.1"], "--lr: expected a positive finite number"),
        (["train", "--lr", "nan"], "--lr: expected a positive finite number"),
        (["predict", "--params", "p", "--count", "0"], "--count: expected an integer >= 1"),
        (["train", "--schedule", "linear"], "invalid choice: 'linear'"),
    ],
)
def test_bad_arguments_one_line_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_input_files_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.params"
    bad.write_bytes(b"\x12\x01" + b"\0" * 10)
    code = main(["evaluate", "--model", "mlp", "--dataset", "mnist-5k", "--params", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.params" in err and "truncated" in err and err.count("\n") == 1
