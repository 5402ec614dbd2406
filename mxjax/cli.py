"""The ``mxjax`` command: ``mxjax train``, ``evaluate``, ``predict``, ``info`` and ``convert``.

Examples:
    >>> from mxjax.cli import build_parser
    >>> build_parser().parse_args(["train", "--epochs", "1"]).epochs
    1
"""

import sys

from mxjax._src.cli.main import (
    build_parser as build_parser,
    load_dataset as load_dataset,
    main as main,
)

__all__ = ["build_parser", "load_dataset", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
