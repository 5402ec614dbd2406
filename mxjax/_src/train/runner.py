"""Where the one train step runs: one device, or data-parallel over several (one choice).

A runner compiles the step (through :func:`mxjax.train.jit_step`, the one
``jax.jit`` wrapper) and places the train state, so ``Engine.fit`` and the
Estimator never branch on the device layout. Both runners accept the two
data feeds of the engine: batches passed in (``step(ts, sums, x, y)``) and
batches gathered on the device from arrays uploaded once
(``step(ts, sums, x_all, y_all, perm, offset)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from mxjax._src.train.step import jit_step

__all__ = ["DataParallel", "Runner", "SingleDevice", "resolve_runner"]


class Runner:
    """Compiles the train step for a device layout and places its state.

    Subclasses implement :meth:`place` and :meth:`step`. Compiled programs
    are cached per ``(step function, gather, with_outputs)``, so a second
    epoch or a second ``fit`` with the same runner reuses them.

    Examples:
        >>> from mxjax.train import SingleDevice
        >>> SingleDevice().sync_each_step
        False
    """

    #: Wait for each step to finish (multi-device XLA:CPU collectives need it).
    sync_each_step: bool = False

    def __init__(self):
        self._cache: dict = {}

    def place(self, tree, like=None):
        """Puts ``tree`` where the step expects its state (``like``: a tree on the target)."""
        raise NotImplementedError

    def step(self, step_fn: Callable, *, gather: bool, with_outputs: bool = False) -> Callable:
        """Returns ``run(ts, sums, *batch)`` for the un-jitted ``step_fn``."""
        raise NotImplementedError

    @property
    def programs(self) -> list:
        """Descriptions of the programs compiled so far (for tests and logs)."""
        return []


class SingleDevice(Runner):
    """Runs the step on one device (the parameters' device, or ``device``).

    Examples:
        >>> import jax
        >>> from mxjax.train import SingleDevice
        >>> SingleDevice(jax.devices()[0]).device.platform in ("cpu", "gpu", "tpu")
        True
    """

    def __init__(self, device: jax.Device | None = None):
        super().__init__()
        self.device = device

    def _target(self, like):
        if self.device is not None:
            return self.device
        leaves = jax.tree.leaves(like)
        if leaves and isinstance(leaves[0], jax.Array) and len(leaves[0].devices()) == 1:
            return next(iter(leaves[0].devices()))
        return jax.devices()[0]

    def place(self, tree, like=None):
        # Commit every buffer to one device, so the first step of each fit sees the
        # same placements as the later ones (an uncommitted input would recompile).
        return jax.device_put(tree, self._target(like))

    def step(self, step_fn, *, gather, with_outputs=False):
        key = (step_fn, gather, with_outputs)
        if key not in self._cache:
            self._cache[key] = jit_step(step_fn, gather=gather)
        return self._cache[key]


class DataParallel(Runner):
    """Runs the step data-parallel: state replicated, each batch split over ``devices``.

    The program is written for the global batch, so the numbers equal a
    single-device step on the same batch. A batch whose size is not divisible
    by the device count runs replicated (exact, not parallel).

    Examples:
        >>> from mxjax.train import DataParallel
        >>> DataParallel(1).mesh.devices.size
        1
    """

    def __init__(self, devices: Any = "all"):
        super().__init__()
        from mxjax._src.parallel.mesh import data_mesh

        self.mesh = data_mesh(devices)
        # XLA:CPU runs simulated devices on one thread pool: with many steps in
        # flight, a cross-device all-reduce can wait forever for a peer thread.
        self.sync_each_step = self.mesh.devices.flat[0].platform == "cpu"
        self._kinds: set = set()

    def place(self, tree, like=None):
        from mxjax._src.parallel.step import replicate

        return replicate(tree, self.mesh)

    def _program(self, step_fn, gather, with_outputs, even):
        key = (step_fn, gather, with_outputs, even)
        if key not in self._cache:
            from mxjax._src.parallel.mesh import batch_sharding, replicated

            rep = replicated(self.mesh)
            bat = batch_sharding(self.mesh) if even else rep
            self._cache[key] = jit_step(
                step_fn, gather=gather, replicated=rep, batch=bat, with_outputs=with_outputs
            )
            self._kinds.add(even)
        return self._cache[key]

    def step(self, step_fn, *, gather, with_outputs=False):
        from mxjax._src.parallel.step import replicate, shard_batch

        n = self.mesh.devices.size

        def run(ts, sums, *batch):
            if gather:
                even = batch[-2].shape[1] % n == 0
                return self._program(step_fn, True, with_outputs, even)(ts, sums, *batch)
            size = jax.tree.leaves(batch[0])[0].shape[0]
            even = size % n == 0
            put = shard_batch if even else replicate
            batch = tuple(put(jax.tree.map(np.asarray, b), self.mesh) for b in batch)
            return self._program(step_fn, False, with_outputs, even)(ts, sums, *batch)

        return run

    @property
    def programs(self) -> list:
        """``True`` for the sharded program, ``False`` for the replicated one (uneven batch)."""
        return sorted(self._kinds)


def resolve_runner(runner: Any = None, devices: Any = None) -> Runner:
    """Returns a :class:`Runner` from ``runner`` or a ``devices`` spec.

    ``devices`` (an int, device ids, contexts or ``'all'``) with more than
    one device gives :class:`DataParallel`; otherwise :class:`SingleDevice`.

    Raises:
        TypeError: ``runner`` is not a Runner.
        ValueError: both ``runner`` and ``devices`` are given.

    Examples:
        >>> from mxjax.train import resolve_runner
        >>> type(resolve_runner()).__name__
        'SingleDevice'
    """
    if runner is not None:
        if devices is not None:
            raise ValueError("pass either runner= or devices=, not both")
        if not isinstance(runner, Runner):
            raise TypeError(
                f"runner must be an mxjax.train.Runner (SingleDevice, DataParallel); "
                f"received {type(runner).__name__}"
            )
        return runner
    if devices is None:
        return SingleDevice()
    from mxjax._src.parallel.mesh import resolve_devices

    found = resolve_devices(devices)
    if len(found) == 1:
        return SingleDevice(found[0])
    return DataParallel(devices)
