"""Local multi-process launcher: ``python -m mxjax.launch --nproc N [--devices-per-proc K] script.py``.

Examples:
    >>> from mxjax.launch import free_port
    >>> free_port() > 0
    True
"""

import sys

from mxjax._src.parallel.launch import free_port as free_port, launch as launch, main as main

__all__ = ["free_port", "launch", "main"]

if __name__ == "__main__":
    sys.exit(main())
