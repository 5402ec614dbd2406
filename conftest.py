"""Loaded first by pytest for the tests and the doctests (``--doctest-modules mxjax``).

mxjax turns JAX's persistent compilation cache on by default; under pytest it goes to a
folder of this session, shared with the subprocesses tests start, never to the user's
cache. ``MXJAX_TEST_CACHE_DIR`` keeps one folder between runs (CI); ``off`` turns it off.
"""

import os
import tempfile

os.environ["MXJAX_CACHE_DIR"] = os.environ.get("MXJAX_TEST_CACHE_DIR") or tempfile.mkdtemp(
    prefix="mxjax-test-cache-"
)
