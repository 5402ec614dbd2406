"""MXNet contexts (``mx.cpu()``, ``mx.gpu(i)``) mapped onto JAX devices."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import jax

__all__ = ["Context", "cpu", "cpu_pinned", "cpu_shared", "current_context", "gpu", "num_gpus"]

_DEVTYPES = ("cpu", "gpu", "cpu_pinned", "cpu_shared")
_local = threading.local()


def _platform_devices(platform: str) -> list:
    try:
        return list(jax.devices(platform))
    except RuntimeError:
        return []


def _gpu_devices() -> list:
    devs = _platform_devices("gpu")
    return devs if devs else _platform_devices("cuda") or _platform_devices("rocm")


class _DefaultCtx:
    """``Context.default_ctx``: MXNet's deprecated class-level spelling of ``current_context()``."""

    def __get__(self, obj: Any, cls: Any = None) -> Context:
        warnings.warn(
            "Context.default_ctx has been deprecated. Please use Context.current_context() instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return current_context()


class Context:
    """A device context, MXNet style: ``Context('cpu', 0)``, ``Context('gpu', 1)``.

    A context names a JAX device: ``gpu(i)`` is the ``i``-th GPU and ``cpu(i)``
    is ``jax.devices('cpu')[i % n]`` for the ``n`` CPU devices: as in MXNet, any
    CPU id is valid (they share the host's memory), so ``cpu(1)`` on a host with
    one CPU device is that device, still reported as ``cpu(1)`` by arrays placed
    on it. ``cpu_pinned(i)`` and ``cpu_shared(i)`` are CPU memory too. Used as a
    ``with`` block it becomes the default context for new arrays.

    Args:
        device_type: ``'cpu'``, ``'gpu'`` (also ``'cpu_pinned'``/``'cpu_shared'``,
            treated as CPU), or another :class:`Context` to copy.
        device_id: the device index.

    Raises:
        ValueError: for an unknown device type or a negative id.

    Examples:
        >>> import mxjax as mx
        >>> mx.cpu()
        cpu(0)
        >>> with mx.Context('cpu', 0):
        ...     mx.current_context()
        cpu(0)
    """

    __slots__ = ("device_type", "device_id", "_old")
    default_ctx = _DefaultCtx()

    def __init__(self, device_type: str | Context, device_id: int = 0):
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        if device_type not in _DEVTYPES:
            raise ValueError(
                f"Context: device_type must be one of {_DEVTYPES}, got {device_type!r}"
            )
        if not isinstance(device_id, int) or device_id < 0:
            raise ValueError(f"Context: device_id must be an int >= 0, got {device_id!r}")
        self.device_type = device_type
        self.device_id = device_id
        self._old = None

    @property
    def device_typeid(self) -> int:
        """MXNet's numeric device type (1 cpu, 2 gpu, 3 cpu_pinned, 5 cpu_shared)."""
        return {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}[self.device_type]

    @property
    def jax_device(self):
        """The ``jax.Device`` this context names.

        Raises:
            ValueError: when no such device exists; the message lists the devices.
        """
        if self.device_type == "gpu":
            devs = _gpu_devices()
            if self.device_id >= len(devs):
                raise ValueError(
                    f"Context gpu({self.device_id}) is not available: this machine has "
                    f"{len(devs)} GPU(s); available devices: {jax.devices()}. "
                    "Use mx.cpu() or check mx.context.num_gpus()."
                )
            return devs[self.device_id]
        devs = _platform_devices("cpu")
        return devs[self.device_id % len(devs)]

    def empty_cache(self) -> None:
        """No-op (XLA manages device memory)."""

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Context)
            and self.device_type == other.device_type
            and self.device_id == other.device_id
        )

    def __hash__(self) -> int:
        return hash((self.device_type, self.device_id))

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self) -> Context:
        self.jax_device  # noqa: B018  (validates that the device exists)
        stack = _stack()
        stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack().pop()


def _stack() -> list:
    s = getattr(_local, "stack", None)
    if s is None:
        s = _local.stack = []
    return s


def cpu(device_id: int = 0) -> Context:
    """Returns the CPU context ``cpu(device_id)``.

    Examples:
        >>> import mxjax as mx
        >>> mx.cpu(0).device_type
        'cpu'
    """
    return Context("cpu", device_id)


def gpu(device_id: int = 0) -> Context:
    """Returns the GPU context ``gpu(device_id)`` (checked when data is placed on it).

    Examples:
        >>> import mxjax as mx
        >>> mx.gpu(1)
        gpu(1)
    """
    return Context("gpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Returns ``cpu_pinned(device_id)``; data lands on the CPU device.

    Examples:
        >>> import mxjax as mx
        >>> mx.context.cpu_pinned()
        cpu_pinned(0)
    """
    return Context("cpu_pinned", device_id)


def cpu_shared(device_id: int = 0) -> Context:
    """Returns ``cpu_shared(device_id)`` (MXNet's shared-memory CPU context); data lands on the CPU.

    Examples:
        >>> import mxjax as mx
        >>> mx.context.cpu_shared()
        cpu_shared(0)
    """
    return Context("cpu_shared", device_id)


def num_gpus() -> int:
    """Number of GPUs JAX can see.

    Examples:
        >>> import mxjax as mx
        >>> mx.context.num_gpus() >= 0
        True
    """
    return len(_gpu_devices())


def current_context() -> Context:
    """The default context: the innermost ``with ctx:`` block, else ``cpu(0)``.

    Examples:
        >>> import mxjax as mx
        >>> mx.current_context()
        cpu(0)
    """
    s = _stack()
    return s[-1] if s else Context("cpu", 0)


def context_of_device(device) -> Context:
    """The :class:`Context` naming a ``jax.Device``."""
    plat = device.platform
    if plat == "cpu":
        devs = _platform_devices("cpu")
        return Context("cpu", devs.index(device) if device in devs else 0)
    devs = _gpu_devices()
    return Context("gpu", devs.index(device) if device in devs else 0)
