"""A persistent compilation cache, on by default, through JAX's own cache.

``import mxjax`` points JAX's persistent compilation cache
(``jax_compilation_cache_dir``) at a per-user folder and lowers JAX's
thresholds so that the many small programs of a CPU run are cached too. A
second run of the same script then loads its compiled programs from disk
instead of compiling them again.

* Folder: ``$MXJAX_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mxjax/jax``,
  else ``~/.cache/mxjax/jax``.
* ``MXJAX_CACHE_DIR=off`` (or ``0``, ``false``, ``none``) turns it off; an
  empty folder means a cold start.
* A JAX setting the user made (``JAX_COMPILATION_CACHE_DIR``,
  ``jax.config.update("jax_compilation_cache_dir", ...)``, the thresholds)
  is never overridden.

This module does not import JAX at ``import mxjax`` time: before JAX is
imported the settings go through JAX's own environment variables; after,
through ``jax.config``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["clear", "default_directory", "directory", "disable", "enable"]

_OFF = ("off", "0", "false", "none", "no")
# Set in the environment next to JAX_COMPILATION_CACHE_DIR when mxjax chose that
# folder, so a child process can tell mxjax's choice from the user's.
_MARK = "MXJAX_CHOSEN_JAX_CACHE_DIR"
_MIN_COMPILE_SECS = "0"  # JAX's default (1 s) would skip nearly every CPU program


def default_directory() -> str:
    """The per-user cache folder used when ``MXJAX_CACHE_DIR`` is not set.

    Examples:
        >>> import os, mxjax as mx
        >>> os.path.basename(mx.persistent_cache.default_directory())
        'jax'
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mxjax", "jax")


def _requested() -> str | None:
    """The folder ``MXJAX_CACHE_DIR`` asks for (default if unset), or None for off."""
    value = os.environ.get("MXJAX_CACHE_DIR")
    if value is None or value == "":
        return default_directory()
    if value.strip().lower() in _OFF:
        return None
    return os.path.abspath(os.path.expanduser(value))


def _user_chose_dir() -> bool:
    env = os.environ.get("JAX_COMPILATION_CACHE_DIR")
    if "jax" in sys.modules:
        import jax

        current = jax.config.jax_compilation_cache_dir
        if current and current not in (os.environ.get(_MARK), env):
            return True  # set with jax.config.update
    return bool(env) and env != os.environ.get(_MARK)


def _user_chose_threshold() -> bool:
    if "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS" in os.environ:
        return os.environ.get("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS") != _MIN_COMPILE_SECS
    if "jax" in sys.modules:
        import jax

        return jax.config.jax_persistent_cache_min_compile_time_secs != 1.0
    return False


def _apply(path: str, *, force: bool) -> None:
    if not force and _user_chose_dir():
        return
    threshold = not _user_chose_threshold()
    if "jax" not in sys.modules:
        # JAX reads these when it is imported: no JAX import (and its cost) here.
        os.environ["JAX_COMPILATION_CACHE_DIR"] = path
        os.environ[_MARK] = path
        if threshold:
            os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = _MIN_COMPILE_SECS
        return
    import jax
    from jax.experimental.compilation_cache import compilation_cache as cc

    os.environ[_MARK] = path
    jax.config.update("jax_compilation_cache_dir", path)
    if threshold:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", float(_MIN_COMPILE_SECS))
    if hasattr(jax.config, "jax_enable_compilation_cache"):
        jax.config.update("jax_enable_compilation_cache", True)
    # JAX decides once per process whether it uses the cache (at its first compilation);
    # let it decide again with the new folder.
    cc.reset_cache()


def _configure_at_import() -> None:
    """Called by ``import mxjax``: turns the cache on unless it is off or the user chose."""
    path = _requested()
    if path is None:
        if os.environ.get("JAX_COMPILATION_CACHE_DIR") == os.environ.get(_MARK, "\0"):
            # A parent mxjax process chose the folder; this process asked for no cache.
            os.environ.pop("JAX_COMPILATION_CACHE_DIR", None)
            if "jax" in sys.modules:
                disable()
        return
    try:
        _apply(path, force=False)
    except Exception:  # never fail `import mxjax` because of a cache setting
        pass


def enable(path: str | None = None) -> str:
    """Turns the persistent compilation cache on, in ``path`` or the default folder.

    ``import mxjax`` already does this unless ``MXJAX_CACHE_DIR=off``; call it
    to choose another folder at run time (it overrides JAX's setting).

    Args:
        path: the folder; ``MXJAX_CACHE_DIR`` or :func:`default_directory` if None.

    Returns:
        The folder in use.

    Examples:
        >>> import tempfile, mxjax as mx
        >>> before = mx.persistent_cache.directory()
        >>> d = mx.persistent_cache.enable(tempfile.mkdtemp())
        >>> mx.persistent_cache.directory() == d
        True
        >>> _ = mx.persistent_cache.enable(before) if before else mx.persistent_cache.disable()
    """
    if path is None:
        path = _requested() or default_directory()
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    import jax  # noqa: F401  (apply through jax.config)

    _apply(path, force=True)
    return path


def disable() -> None:
    """Turns the persistent compilation cache off for this process.

    Examples:
        >>> import mxjax as mx
        >>> before = mx.persistent_cache.directory()
        >>> mx.persistent_cache.disable()
        >>> mx.persistent_cache.directory() is None
        True
        >>> _ = mx.persistent_cache.enable(before) if before else None
    """
    import jax
    from jax.experimental.compilation_cache import compilation_cache as cc

    jax.config.update("jax_compilation_cache_dir", None)
    os.environ.pop(_MARK, None)
    cc.reset_cache()


def directory() -> str | None:
    """The folder JAX's persistent compilation cache uses now, or None when it is off.

    Examples:
        >>> import mxjax as mx
        >>> d = mx.persistent_cache.directory()
        >>> d is None or isinstance(d, str)
        True
    """
    import jax

    if hasattr(jax.config, "jax_enable_compilation_cache"):
        if not jax.config.jax_enable_compilation_cache:
            return None
    return jax.config.jax_compilation_cache_dir or None


def clear(path: str | None = None) -> int:
    """Deletes the compiled programs stored in the cache folder; returns how many files.

    Only JAX's cache entries (``*-cache`` and ``*-atime`` files) are removed,
    so pointing the cache at a folder holding other files is safe. From a
    shell, ``rm -rf ~/.cache/mxjax/jax`` does the same for the default folder.

    Args:
        path: the folder; the one in use (or the default) if None.

    Examples:
        >>> import tempfile, mxjax as mx
        >>> mx.persistent_cache.clear(tempfile.mkdtemp())
        0
    """
    if path is None:
        path = directory() or _requested() or default_directory()
    if not os.path.isdir(path):
        return 0
    removed = 0
    for name in os.listdir(path):
        if name.endswith(("-cache", "-atime")):
            try:
                os.remove(os.path.join(path, name))
                removed += 1
            except FileNotFoundError:
                pass
    return removed
