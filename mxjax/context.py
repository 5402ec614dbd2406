"""Device contexts: ``mx.cpu()``, ``mx.gpu(i)``, ``mx.context.num_gpus()``.

Examples:
    >>> import mxjax as mx
    >>> mx.context.current_context()
    cpu(0)
"""

from mxjax._src.context import (
    Context as Context,
    cpu as cpu,
    cpu_pinned as cpu_pinned,
    cpu_shared as cpu_shared,
    current_context as current_context,
    gpu as gpu,
    num_gpus as num_gpus,
)

__all__ = ["Context", "cpu", "cpu_pinned", "cpu_shared", "current_context", "gpu", "num_gpus"]
