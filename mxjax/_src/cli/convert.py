"""``mxjax convert``: MXNet model files to mxjax and back, with an output-match check."""

from __future__ import annotations

import argparse

import numpy as np

__all__ = ["add_parser", "cmd_convert"]


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(d) for d in text.replace("x", ",").split(",") if d.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a shape like 1,3,224,224; got {text!r}"
        ) from None
    if not shape or min(shape) <= 0:
        raise argparse.ArgumentTypeError(f"expected positive dimensions; got {text!r}")
    return shape


def add_parser(sub) -> None:
    """Adds the ``convert`` subcommand to the ``mxjax`` parser's subparsers.

    Examples:
        >>> from mxjax.cli import build_parser
        >>> a = build_parser().parse_args(["convert", "from-mxnet", "--symbol", "m-symbol.json",
        ...                                "--params", "m-0000.params", "--input-shape", "1,3,8,8"])
        >>> a.direction, a.input_shape
        ('from-mxnet', [(1, 3, 8, 8)])
    """
    c = sub.add_parser(
        "convert",
        help="convert MXNet -symbol.json/.params files to mxjax and mxjax models to MXNet",
        description=(
            "from-mxnet: load MXNet's files as a gluon.SymbolBlock, check its outputs and write "
            "OUT.params (Gluon) + OUT-symbol.json. to-mxnet: write MXNet's OUT-symbol.json + "
            "OUT-EPOCH.params for a model trained with `mxjax train`, then load them back and "
            "compare outputs. Exits with status 1 when the outputs differ."
        ),
    )
    c.add_argument("direction", choices=["from-mxnet", "to-mxnet"])
    c.add_argument("--symbol", help="from-mxnet: the -symbol.json file")
    c.add_argument("--params", required=True, help="the .params file to convert")
    c.add_argument(
        "--input-shape",
        type=_shape,
        action="append",
        default=None,
        help="input shape, e.g. 1,3,224,224 (repeat for several inputs)",
    )
    c.add_argument(
        "--input-name",
        action="append",
        default=None,
        help="from-mxnet: input name(s) (default: data)",
    )
    c.add_argument(
        "--input",
        action="append",
        default=None,
        help="from-mxnet: .npy input(s) instead of random ones",
    )
    c.add_argument(
        "--expected",
        action="append",
        default=None,
        help="from-mxnet: .npy output(s) of the model in MXNet, compared with mxjax's",
    )
    c.add_argument(
        "--model",
        default="lenet",
        choices=["lenet", "mlp"],
        help="to-mxnet: the network of the `mxjax train` checkpoint",
    )
    c.add_argument("--epoch", type=int, default=0, help="to-mxnet: epoch number of the file name")
    c.add_argument("--out", default=None, help="output prefix")
    c.add_argument("--atol", type=float, default=1e-4, help="tolerance of the output check")
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(fn=cmd_convert)


def cmd_convert(args) -> int:
    """Runs ``mxjax convert``; returns 0 when the outputs match, 1 otherwise."""
    rng = np.random.RandomState(args.seed)
    if args.direction == "from-mxnet":
        from mxjax._src.symbol.convert import mxnet_to_mxjax

        if not args.symbol:
            raise ValueError("from-mxnet needs --symbol FILE-symbol.json")
        names = args.input_name or ["data"]
        if args.input:
            inputs = [np.load(f, allow_pickle=False).astype(np.float32) for f in args.input]
        elif args.input_shape:
            inputs = [rng.rand(*s).astype(np.float32) for s in args.input_shape]
        else:
            raise ValueError("give --input-shape (or --input .npy files)")
        if len(inputs) != len(names):
            raise ValueError(f"{len(inputs)} inputs for input names {names}")
        expected = (
            [np.load(f, allow_pickle=False) for f in args.expected] if args.expected else None
        )
        blk, diff = mxnet_to_mxjax(args.symbol, args.params, names, inputs, args.out, expected)
        n = len(blk.collect_params())
        what = "MXNet's expected outputs" if expected else "the operator-by-operator run"
        print(f"Loaded {args.symbol} ({n} parameters) as a SymbolBlock.")
        if args.out:
            print(f"Wrote {args.out}.params and {args.out}-symbol.json")
    else:
        from mxjax._src.io.params import load_params
        from mxjax._src.layers.base import unflatten_names
        from mxjax._src.symbol.convert import functional_to_mxnet
        from mxjax._src.train.zoo import get_core_model

        if not args.out:
            raise ValueError("to-mxnet needs --out PREFIX")
        layer = get_core_model(args.model)
        shape = (args.input_shape or [(1, 1, 28, 28) if args.model == "lenet" else (1, 784)])[0]
        example = rng.rand(*shape).astype(np.float32)
        import jax

        p_shapes, s_shapes = jax.eval_shape(lambda k: layer.init(k, example), jax.random.key(0))
        loaded = load_params(args.params)
        state_names = set(_flat(s_shapes))
        params = unflatten_names({k: v for k, v in loaded.items() if k not in state_names})
        state = unflatten_names({k: v for k, v in loaded.items() if k in state_names})
        sym_file, params_file, diff = functional_to_mxnet(
            layer, params, state, example, args.out, args.epoch
        )
        what = "the mxjax model"
        print(f"Wrote {sym_file} and {params_file} (MXNet 1.x format)")
    ok = diff <= args.atol
    print(
        f"Output check against {what}: max |difference| = {diff:.3g} "
        f"({'OK' if ok else 'MISMATCH'}, atol {args.atol:g})"
    )
    return 0 if ok else 1


def _flat(tree):
    from mxjax._src.layers.base import flatten_names

    return flatten_names(tree)
