"""Loaded first by pytest for the tests and the doctests (``--doctest-modules mxjax``).

mxjax turns JAX's persistent compilation cache on by default; under pytest it goes to a
folder of this session (removed at its end), shared with the subprocesses tests start,
never to the user's cache. ``MXJAX_TEST_CACHE_DIR`` keeps one folder between runs (CI);
``off`` turns it off.

The suite compiles thousands of small XLA programs whose run time is negligible, so
compilation is most of its CPU time. On CPU, XLA's older loop emitters and no LLVM
optimization passes compile these programs about twice as fast (``XLA_FLAGS``, set here
before JAX starts and inherited by the subprocesses tests start). They change how XLA
generates machine code, not what a program computes: every test still compares against
its NumPy or MXNet reference with the same tolerances. ``MXJAX_TEST_FAST_COMPILE=0``
compiles with XLA's defaults instead; flags already in ``XLA_FLAGS`` are kept.
"""

import atexit
import os
import shutil
import tempfile
from importlib import metadata

if os.environ.get("MXJAX_TEST_CACHE_DIR"):
    os.environ["MXJAX_CACHE_DIR"] = os.environ["MXJAX_TEST_CACHE_DIR"]
else:  # this process's own folder (each xdist worker makes one), removed when it exits
    os.environ["MXJAX_CACHE_DIR"] = tempfile.mkdtemp(prefix="mxjax-test-cache-")
    atexit.register(shutil.rmtree, os.environ["MXJAX_CACHE_DIR"], ignore_errors=True)

# Both flags exist in every supported jaxlib (0.6.2 to 0.10.x); XLA aborts on a flag it
# does not know, so a jaxlib outside that range compiles with its defaults.
FAST_COMPILE_FLAGS = ("--xla_cpu_use_fusion_emitters=false", "--xla_backend_optimization_level=0")


def _known_jaxlib() -> bool:
    try:
        major, minor, patch = (int(p) for p in metadata.version("jaxlib").split(".")[:3])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return (0, 6, 2) <= (major, minor, patch) < (0, 11, 0)


if os.environ.get("MXJAX_TEST_FAST_COMPILE", "1").lower() not in ("0", "off", "false", "no"):
    if _known_jaxlib():
        _flags = os.environ.get("XLA_FLAGS", "").split()
        for _flag in FAST_COMPILE_FLAGS:
            if not any(f.startswith(_flag.split("=")[0] + "=") for f in _flags):
                _flags.append(_flag)
        os.environ["XLA_FLAGS"] = " ".join(_flags)
