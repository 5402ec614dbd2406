"""Deferred recording: a recorded training step runs as one compiled program.

Under ``autograd.record()``, a call that has a stable compiled kernel (a
hybridized block, a Gluon layer or loss, an ``nd`` operator) does not run at
once. It appends a node to a *graph* and returns :class:`LazyNDArray` outputs
that know their shape, dtype and context but hold no value yet.

``loss.backward()`` on lazy heads records what to differentiate and makes the
variables' gradients lazy too. The next thing that needs a value decides how
the graph runs:

* ``Trainer.step()`` runs forward, backward and the optimizer update as one
  ``jax.jit`` program (:func:`try_step`): the whole Gluon step is a single
  dispatch, like a hand-written ``jax.jit`` train step;
* reading an output or a gradient runs forward and backward as one program;
  in the multi-context loop the Trainer runs the graphs of all contexts as
  one program over their devices (:func:`run_replicas`);
* reading an output *before* ``backward()`` (or a ``retain_graph`` /
  ``create_graph`` backward, or an operation that cannot be deferred) replays
  the graph onto the ordinary tape, node by node, exactly as if it had run
  eagerly.

The values are the ones eager execution would give: every input value is
captured when its node is created, random keys are inputs, and the programs
are cached per graph structure (a steady training loop compiles once).
Whether a call is deferred is decided by the dispatcher (``mxjax._src.dispatch``):
deferral is the recorded path, the tape its fallback.
"""

from __future__ import annotations

from mxjax._src.deferred._state import (
    enabled as enabled,
    set_enabled as set_enabled,
    stats as stats,
)
from mxjax._src.deferred.backward import try_backward as try_backward, try_step as try_step
from mxjax._src.deferred.lazy import LazyNDArray as LazyNDArray
from mxjax._src.deferred.record import (
    Collective as Collective,
    defer as defer,
    defer_apply as defer_apply,
)
from mxjax._src.deferred.replicas import run_replicas as run_replicas

__all__ = [
    "Collective",
    "LazyNDArray",
    "defer",
    "defer_apply",
    "enabled",
    "run_replicas",
    "set_enabled",
    "stats",
    "try_backward",
    "try_step",
]
