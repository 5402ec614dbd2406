"""The persistent compilation cache (``mx.persistent_cache``): on by default, per user.

``import mxjax`` stores compiled XLA programs in ``~/.cache/mxjax/jax``
(``$XDG_CACHE_HOME/mxjax/jax``; ``MXJAX_CACHE_DIR`` chooses another folder,
``MXJAX_CACHE_DIR=off`` turns it off), so a second run of a script skips
compilation. See ``docs/persistent_cache.rst``.

Examples:
    >>> import mxjax as mx
    >>> callable(mx.persistent_cache.clear)
    True
"""

from mxjax._src.persistent_cache import (
    clear as clear,
    default_directory as default_directory,
    directory as directory,
    disable as disable,
    enable as enable,
)

__all__ = ["clear", "default_directory", "directory", "disable", "enable"]
