"""``mxjax`` command line: train, evaluate, predict, info."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

__all__ = ["build_parser", "main"]

_MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
_MEAN, _STD = 0.1307, 0.3081
# Learning rates tuned for the CLI's networks with the cosine schedule (20 epochs).
_CLI_LR = {"adam": 2e-3, "sgd": 0.05, "nag": 0.05}


def load_dataset(name: str, root: str | None = None, download: bool = False, log=print):
    """Returns ``(x_train, y_train, x_test, y_test, description)`` with NCHW float32 images.

    ``mnist``/``fashion-mnist`` read the IDX files under ``root`` (default
    ``$MXJAX_HOME/datasets/<name>`` or ``~/.mxjax/datasets/<name>``: the folder
    ``gluon.data.vision.MNIST``/``FashionMNIST`` download to). When they are missing
    and ``download`` is False (or the download fails), ``mnist`` falls back to
    the embedded 5k subset and says so; ``mnist-5k`` asks for it explicitly.

    Examples:
        >>> from mxjax.cli import load_dataset
        >>> xtr, ytr, xte, yte, desc = load_dataset("mnist-5k")
        >>> xtr.shape, desc
        ((4000, 1, 28, 28), 'embedded MNIST subset (4,000 train / 1,000 test)')
    """
    from mxjax._src.data.download import dataset_dir
    from mxjax._src.data.embedded import embedded_mnist
    from mxjax._src.data.idx import read_idx

    if name == "mnist-5k":
        xtr, ytr = embedded_mnist(True)
        xte, yte = embedded_mnist(False)
        desc = "embedded MNIST subset (4,000 train / 1,000 test)"
    elif name in ("mnist", "fashion-mnist"):
        folder = root or dataset_dir(name)
        paths = [os.path.join(folder, f) for f in _MNIST_FILES]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing and download:
            try:
                from mxjax.data import vision

                cls = vision.MNIST if name == "mnist" else vision.FashionMNIST
                cls(root=folder, train=True)
                cls(root=folder, train=False)
                missing = [p for p in paths if not os.path.exists(p)]
            except Exception as e:  # noqa: BLE001 - reported, then the fallback below applies
                log(f"Download of {name} failed: {e}")
        if missing:
            if name != "mnist":
                raise FileNotFoundError(
                    f"{name}: files missing: {', '.join(os.path.basename(p) for p in missing)}; put them in {folder} "
                    "or pass --download when online"
                )
            log(
                f"MNIST files not found in {folder} (and not downloaded): using the embedded MNIST subset "
                "(4,000 train / 1,000 test images) shipped with mxjax."
            )
            return load_dataset("mnist-5k", log=log)
        xtr, ytr, xte, yte = (read_idx(p) for p in paths)
        xtr, xte = xtr[..., None], xte[..., None]
        ytr, yte = ytr.astype(np.int32), yte.astype(np.int32)
        desc = f"{name} from {folder} ({len(xtr)} train / {len(xte)} test)"
    else:
        raise ValueError(f"unknown dataset {name!r}; expected mnist, mnist-5k or fashion-mnist")

    def prep(x):
        return ((x.astype(np.float32) / 255.0 - _MEAN) / _STD).transpose(0, 3, 1, 2)

    return prep(xtr), ytr, prep(xte), yte, desc


def _write_json_atomic(path: str, obj) -> None:
    from mxjax._src.io.atomic import atomic_write

    atomic_write(path, json.dumps(obj, indent=2))


def _make_model(args):
    from mxjax._src.train.zoo import get_core_model
    from mxjax.train import Model

    layer = get_core_model(args.model)
    return Model(layer, seed=args.seed, initializer="xavier")


def _prepare_x(model_name: str, x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), -1) if model_name == "mlp" else x


def cmd_train(args) -> int:
    xtr, ytr, xte, yte, desc = load_dataset(args.dataset, args.data_root, args.download)
    print(f"Dataset: {desc}")
    xtr, xte = _prepare_x(args.model, xtr), _prepare_x(args.model, xte)
    model = _make_model(args)
    from mxjax import lr_scheduler, optim

    lr = (
        args.lr
        if args.lr is not None
        else _CLI_LR.get(args.optimizer.lower(), optim.default_learning_rate(args.optimizer))
    )
    if args.schedule == "cosine":
        steps = args.epochs * -(-len(xtr) // args.batch_size)
        sched = lr_scheduler.CosineScheduler(max_update=steps, base_lr=lr, final_lr=lr * 0.01)
        tx = optim.create(args.optimizer, learning_rate=lr, lr_scheduler=sched)
    else:
        tx = optim.create(args.optimizer, learning_rate=lr)
    model.compile(
        optimizer=tx, loss="softmax_cross_entropy", metrics=["accuracy"], learning_rate=lr
    )
    os.makedirs(args.out, exist_ok=True)
    from mxjax._src.io.checkpoint import remove_stale_temporaries

    remove_stale_temporaries(args.out)  # left in OUT by an earlier run that was killed
    from mxjax.train import PeriodicCheckpoint

    callbacks = []
    if args.checkpoint_every:
        ckpt_dir = os.path.join(args.out, "checkpoints")
        callbacks.append(PeriodicCheckpoint(ckpt_dir, every=args.checkpoint_every))
    resume = None
    if args.resume:
        resume = args.resume
        nested = os.path.join(resume, "checkpoints")
        if os.path.isdir(nested):
            resume = nested
        print(f"Resuming from {resume}")
    t0 = time.perf_counter()
    history = model.fit(
        xtr,
        ytr,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=(xte, yte),
        verbose=args.verbose,
        devices=args.devices,
        callbacks=callbacks,
        resume=resume,
    )
    train_time = time.perf_counter() - t0
    result = model.evaluate(xte, yte, batch_size=256)
    params_path = os.path.join(args.out, f"{args.model}.params")
    model.save_parameters(params_path)
    metrics = {
        "model": args.model,
        "dataset": desc,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": args.optimizer,
        "learning_rate": lr,
        "schedule": args.schedule,
        "devices": args.devices or 1,
        "train_seconds": round(train_time, 2),
        "seconds_per_epoch": round(train_time / max(len(history.epoch), 1), 3),
        "test_loss": result["loss"],
        "test_accuracy": result["accuracy"],
        "history": history.history,
    }
    _write_json_atomic(os.path.join(args.out, "metrics.json"), metrics)
    written = [params_path, os.path.join(args.out, "metrics.json")]
    if not args.no_plot:
        try:
            written.append(
                history.plot(
                    os.path.join(args.out, "curves.png"), title=f"{args.model} on {args.dataset}"
                )
            )
        except ImportError as e:
            print(f"Skipping the curves plot: {e}")
    print(
        f"Final test accuracy: {result['accuracy']:.4f}  (test loss {result['loss']:.4f}, {train_time:.1f}s training)"
    )
    print("Wrote " + ", ".join(written))
    return 0


def _load_model_for_inference(args, example):
    model = _make_model(args)
    model.compile(optimizer="sgd", loss="softmax_cross_entropy", metrics=["accuracy"])
    model.predict(example[:1])  # creates parameters with the right shapes
    model.load_parameters(args.params)
    return model


def cmd_evaluate(args) -> int:
    _, _, xte, yte, desc = load_dataset(args.dataset, args.data_root, False)
    xte = _prepare_x(args.model, xte)
    model = _load_model_for_inference(args, xte)
    result = model.evaluate(xte, yte, batch_size=256)
    print(
        f"{args.model} on {desc}: test accuracy {result['accuracy']:.4f}, loss {result['loss']:.4f}"
    )
    return 0


def cmd_predict(args) -> int:
    if args.input:
        x = np.load(args.input, allow_pickle=False).astype(np.float32)
        if x.ndim == 3:
            x = x[:, None]
        x = (x / 255.0 - _MEAN) / _STD if x.max() > 1.5 else x
    else:
        _, _, x, _, _ = load_dataset(args.dataset, args.data_root, False)
        x = x[: args.count]
    x = _prepare_x(args.model, x)
    model = _load_model_for_inference(args, x)
    pred = model.predict(x, batch_size=256).argmax(axis=-1)
    if args.output:
        np.save(args.output, pred)
        print(f"Wrote {len(pred)} predictions to {args.output}")
    else:
        print(" ".join(str(int(p)) for p in pred))
    return 0


def cmd_info(args) -> int:
    import jax
    import optax

    import mxjax

    print(f"mxjax {mxjax.__version__}")
    print(
        f"jax {jax.__version__}, jaxlib {jax.lib.__version__ if hasattr(jax.lib, '__version__') else '?'}, optax {optax.__version__}, numpy {np.__version__}"
    )
    print(f"python {platform.python_version()} on {platform.platform()}")
    print(f"default backend: {jax.default_backend()}")
    for d in jax.devices():
        print(f"  device {d.id}: {d.platform} {getattr(d, 'device_kind', '')}")
    print(f"process {jax.process_index()} of {jax.process_count()}")
    return 0


class _Parser(argparse.ArgumentParser):
    """Bad command-line input: one line on stderr, exit status 2 (no usage block)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}; received {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}; received {value}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number; received {text!r}") from None
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive finite number; received {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``mxjax`` command.

    Examples:
        >>> from mxjax.cli import build_parser
        >>> build_parser().parse_args(["train"]).model
        'lenet'
    """
    p = _Parser(prog="mxjax", description="mxjax: train and use networks on JAX, Gluon style.")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp):
        sp.add_argument("--model", default="lenet", choices=["lenet", "mlp"])
        sp.add_argument(
            "--dataset", default="mnist", choices=["mnist", "mnist-5k", "fashion-mnist"]
        )
        sp.add_argument("--data-root", default=None, help="folder with the dataset files")
        sp.add_argument("--seed", type=_int_at_least(0), default=0)

    t = sub.add_parser("train", help="train a model and write params, curves and metrics")
    common(t)
    t.add_argument("--epochs", type=_int_at_least(1), default=20)
    t.add_argument("--batch-size", type=_int_at_least(1), default=64)
    t.add_argument("--optimizer", default="adam")
    t.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help="learning rate (default: 0.002 for adam, 0.05 for sgd/nag)",
    )
    t.add_argument(
        "--schedule",
        default="cosine",
        choices=["cosine", "constant"],
        help="learning-rate schedule (cosine decays to 1%% of --lr)",
    )
    t.add_argument(
        "--devices", default=None, help="data-parallel devices: an int, a list like 0,1, or 'all'"
    )
    t.add_argument("--out", default="runs/latest", help="output directory")
    t.add_argument(
        "--checkpoint-every",
        type=_int_at_least(0),
        default=1,
        metavar="N",
        help="commit a run checkpoint to OUT/checkpoints every N epochs (0: never)",
    )
    t.add_argument(
        "--resume",
        default=None,
        metavar="DIR",
        help="continue an interrupted run from its output folder (or checkpoint folder) DIR",
    )
    t.add_argument(
        "--download", action="store_true", help="download missing dataset files (needs network)"
    )
    t.add_argument("--no-plot", action="store_true")
    t.add_argument("--verbose", type=_int_at_least(0), default=1)
    t.set_defaults(fn=cmd_train)

    e = sub.add_parser("evaluate", help="evaluate a .params checkpoint on the test set")
    common(e)
    e.add_argument("--params", required=True)
    e.set_defaults(fn=cmd_evaluate)

    pr = sub.add_parser("predict", help="predict classes with a .params checkpoint")
    common(pr)
    pr.add_argument("--params", required=True)
    pr.add_argument("--input", default=None, help=".npy file of images (N,28,28) or (N,1,28,28)")
    pr.add_argument(
        "--count",
        type=_int_at_least(1),
        default=10,
        help="without --input: the first N test images",
    )
    pr.add_argument("--output", default=None, help="write predictions to this .npy file")
    pr.set_defaults(fn=cmd_predict)

    i = sub.add_parser("info", help="versions, devices and backends")
    i.set_defaults(fn=cmd_info)

    from mxjax._src.cli.convert import add_parser as add_convert

    add_convert(sub)
    return p


def main(argv=None) -> int:
    """Entry point of the ``mxjax`` command.

    Examples:
        >>> from mxjax.cli import main
        >>> main(["info"])  # doctest: +ELLIPSIS
        mxjax ...
        0
    """
    from mxjax._src.errors import MXJaxError

    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except (OSError, ValueError, MXJaxError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"mxjax {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mxjax {args.command}: interrupted", file=sys.stderr)
        return 130
