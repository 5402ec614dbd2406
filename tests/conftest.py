"""Strict test configuration shared by the whole suite."""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import pytest  # noqa: E402

# Layers must never rely on implicit rank promotion (STYLE.md).
jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def key():
    return jax.random.key(0)


class CompileCounter:
    """Counts XLA backend compilations (all jitted programs) inside ``with counter:`` blocks."""

    EVENT = "/jax/core/compile/backend_compile_duration"

    def __init__(self):
        self.count = 0
        self.names: list[str] = []  # e.g. 'jit(fn)'; JAX >= 0.7 names each program
        self._active = False

    def _listener(self, name, secs, **kwargs):
        if self._active and name == self.EVENT:
            self.count += 1
            self.names.append(str(kwargs.get("fun_name", "?")))

    def __enter__(self):
        self.count = 0
        self.names = []
        self._active = True
        return self

    def __exit__(self, *exc):
        self._active = False


_COUNTER = CompileCounter()
jax.monitoring.register_event_duration_secs_listener(_COUNTER._listener)


@pytest.fixture
def compile_counter():
    """``with compile_counter as c: ...; assert c.count == 0`` guards against recompilation."""
    return _COUNTER
