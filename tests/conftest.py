"""Strict test configuration shared by the whole suite.

Parallel runs: ``pyproject.toml`` passes ``-n auto`` (pytest-xdist). The whole
suite (no arguments, or only folders) runs on one worker per core, at most
``_MAX_WORKERS``; a run naming test files or test ids (``pytest -x
tests/facade/test_block.py``) stays in one process, where starting workers
would cost more than it saves. ``PYTEST_XDIST_AUTO_NUM_WORKERS=N`` or ``-n N``
chooses; ``-n 0`` turns it off. Every test must therefore be safe to run in
any process, in any order: temporary paths from ``tmp_path``, ports from
``mxjax.launch.free_port``, environment changes through ``monkeypatch``. A
module-scoped fixture runs once in each worker that runs one of its tests.
"""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import pytest  # noqa: E402

# Layers must never rely on implicit rank promotion (STYLE.md).
jax.config.update("jax_numpy_rank_promotion", "raise")


_MAX_WORKERS = 8  # each worker holds its own JAX runtime and compiled programs


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core for whole-suite runs, none for targeted runs."""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if env:
        return int(env)
    if any(os.path.isfile(a.split("::")[0]) or "::" in a for a in config.args):
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    workers = min(cores, _MAX_WORKERS)
    return workers if workers > 1 else 0


@pytest.fixture
def key():
    return jax.random.key(0)


class CompileCounter:
    """Counts XLA backend compilations (all jitted programs) inside ``with counter:`` blocks.

    ``count`` is the number of programs a block needed: JAX records its compile event
    around the persistent-cache lookup, so a program the cache supplied (for example
    one another xdist worker compiled first) is counted too. ``loaded`` is how many
    of them came from the persistent compilation cache.
    """

    EVENT = "/jax/core/compile/backend_compile_duration"
    CACHE_HIT = "/jax/compilation_cache/cache_hits"

    def __init__(self):
        self.count = 0
        self.loaded = 0
        self.names: list[str] = []  # e.g. 'jit(fn)'; JAX >= 0.7 names each program
        self._active = False

    def _listener(self, name, secs, **kwargs):
        if self._active and name == self.EVENT:
            self.count += 1
            self.names.append(str(kwargs.get("fun_name", "?")))

    def _hit_listener(self, name, **kwargs):
        if self._active and name == self.CACHE_HIT:
            self.loaded += 1

    def __enter__(self):
        self.count = 0
        self.loaded = 0
        self.names = []
        self._active = True
        return self

    def __exit__(self, *exc):
        self._active = False


_COUNTER = CompileCounter()
jax.monitoring.register_event_duration_secs_listener(_COUNTER._listener)
jax.monitoring.register_event_listener(_COUNTER._hit_listener)


@pytest.fixture
def compile_counter():
    """``with compile_counter as c: ...; assert c.count == 0`` guards against recompilation."""
    return _COUNTER
