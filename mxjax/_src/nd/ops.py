"""The ``nd`` operator namespace (each op records a tape node when recording)."""

from __future__ import annotations

from mxjax._src.nd.ndarray import NDArray

__all__ = ["METHODS", "NDArray"]

# Names callable as NDArray methods (``x.relu()``) through ``NDArray.__getattr__``.
METHODS: set[str] = set()
