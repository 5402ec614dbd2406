"""Deferral's internal switch, counters and graph states.

The switch is a debugging and testing aid, not part of the user contract: the
dispatcher's rule (deferral is the recorded path, the tape its fallback)
gives the same numbers either way. ``set_enabled(False)`` (or the internal
environment variable ``MXJAX_DEFER=0``, read once at import) sends every
recorded call to the tape.
"""

from __future__ import annotations

import os

__all__ = ["enabled", "set_enabled", "stats"]

PENDING, BACKWARD, DONE, STEPPED = 0, 1, 2, 3
MAX_NODES = 256  # a larger graph is replayed onto the tape instead of growing further
_FLAGS = {"enabled": os.environ.get("MXJAX_DEFER", "1") not in ("0", "false", "False")}
_STATS = {"deferred": 0, "programs": 0, "steps": 0, "taped": 0}


def enabled() -> bool:
    """Whether recorded calls may be deferred (internal; see the module docstring).

    Examples:
        >>> from mxjax._src import deferred
        >>> isinstance(deferred.enabled(), bool)
        True
    """
    return _FLAGS["enabled"]


def set_enabled(on: bool) -> bool:
    """Turns deferral on or off (internal: tests compare both paths); returns the previous setting.

    Examples:
        >>> from mxjax._src import deferred
        >>> old = deferred.set_enabled(False)
        >>> deferred.set_enabled(old)
        False
    """
    old = _FLAGS["enabled"]
    _FLAGS["enabled"] = bool(on)
    return old


def stats() -> dict:
    """Counters: deferred nodes, fused programs run, fused optimizer steps, graphs taped.

    Examples:
        >>> from mxjax._src import deferred
        >>> sorted(deferred.stats())
        ['deferred', 'programs', 'steps', 'taped']
    """
    return dict(_STATS)
