"""One checkpoint of a whole training run, written atomically, read with its format checked.

A checkpoint is a directory holding two files::

    <name>/arrays.npz      every array of the run (NumPy's zip format, no pickle)
    <name>/manifest.json   format, version, the mxjax version, each array's shape,
                           dtype and kind, the arrays file's size and SHA-256,
                           and the run's JSON metadata (counters, epoch, RNG
                           states of NumPy generators, history ...)

The writer fills a temporary directory ``.tmp-<pid>-...`` next to the target,
syncs it to disk and commits it with one ``rename``: a reader sees either the
whole checkpoint or none of it, whatever moment the writer is killed at. A
temporary directory or file left by a killed writer (its process is gone) is
removed by :func:`remove_stale_temporaries`, which :class:`CheckpointManager`
calls when it starts. Reading never unpickles: arrays come from ``np.load(...,
allow_pickle=False)`` and everything else is JSON.

Arrays are addressed by their pytree path (``params/0/weight``,
``opt_state/0/mu/...``), so a checkpoint restores into any tree with the same
structure (``target``), and typed PRNG keys (``jax.random.key``) round-trip
through their raw key data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.errors import MXJaxError

__all__ = [
    "CheckpointError",
    "CheckpointManager",
    "load_checkpoint",
    "remove_stale_temporaries",
    "save_checkpoint",
]

FORMAT = "mxjax-checkpoint"
VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
_TMP = re.compile(r"^\.tmp-(\d+)-")


class CheckpointError(MXJaxError, ValueError):
    """A checkpoint is missing, incomplete, corrupt or does not fit the target tree.

    Examples:
        >>> from mxjax import io
        >>> try:
        ...     io.load_checkpoint("/nonexistent/ckpt")
        ... except io.CheckpointError as e:
        ...     print("manifest.json" in str(e))
        True
    """


def _version() -> str:
    from mxjax import __version__

    return __version__


def _key_name(entry: Any) -> str:
    for attr in ("key", "name", "idx"):
        if hasattr(entry, attr):
            return str(getattr(entry, attr))
    return str(entry)


def _path_name(path: tuple) -> str:
    return "/".join(_key_name(e) for e in path) or "."


def _is_key(x: Any) -> bool:
    dtype = getattr(x, "dtype", None)
    return dtype is not None and jnp.issubdtype(dtype, jax.dtypes.prng_key)


def _flatten(tree: Any) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    arrays: dict[str, np.ndarray] = {}
    kinds: dict[str, str] = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        name = _path_name(path)
        if name in arrays:
            raise ValueError(f"save_checkpoint: two leaves share the path name {name!r}")
        if _is_key(leaf):
            kinds[name] = f"key:{jax.random.key_impl(leaf)}"
            leaf = jax.random.key_data(leaf)
        else:
            kinds[name] = "array"
        arrays[name] = np.asarray(jax.device_get(leaf))
    return arrays, kinds


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def temporary_path(directory: str, name: str, suffix: str = "") -> str:
    """A fresh temporary name in ``directory`` that marks its writer (``.tmp-<pid>-``)."""
    fd, path = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-{name}-", suffix=suffix, dir=directory)
    os.close(fd)
    return path


def save_checkpoint(path, tree: Any, metadata: Mapping | None = None) -> str:
    """Writes ``tree`` (a pytree of arrays and PRNG keys) and JSON ``metadata`` atomically.

    Args:
        path: the checkpoint directory to create. It must not exist yet (use
            :class:`CheckpointManager` to keep a rolling set of checkpoints).
        tree: nested dicts/lists/tuples/NamedTuples of ``jax.Array``, NumPy
            arrays or scalars; typed PRNG keys are stored as their key data.
        metadata: JSON-serializable values stored in the manifest.

    Returns:
        ``path``.

    Raises:
        FileExistsError: ``path`` exists.
        TypeError: ``metadata`` is not JSON-serializable.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from mxjax import io
        >>> d = os.path.join(tempfile.mkdtemp(), "ckpt")
        >>> _ = io.save_checkpoint(d, {"w": np.ones(2, np.float32)}, {"epoch": 3})
        >>> sorted(os.listdir(d))
        ['arrays.npz', 'manifest.json']
        >>> tree, meta = io.load_checkpoint(d)
        >>> tree["w"], meta["epoch"]
        (array([1., 1.], dtype=float32), 3)
    """
    path = os.path.abspath(os.fspath(path))
    if os.path.exists(path):
        raise FileExistsError(f"save_checkpoint: {path} already exists")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    arrays, kinds = _flatten(tree)
    meta_json = json.dumps(dict(metadata or {}))  # fails before anything is written
    tmp = tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-{os.path.basename(path)}-", dir=parent)
    try:
        arrays_path = os.path.join(tmp, ARRAYS)
        with open(arrays_path, "wb") as f:
            np.savez(f, **{f"a{i}": a for i, a in enumerate(arrays.values())})
            f.flush()
            os.fsync(f.fileno())
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "mxjax_version": _version(),
            "created": time.time(),
            "arrays": [
                {"name": n, "shape": list(a.shape), "dtype": a.dtype.str, "kind": kinds[n]}
                for n, a in arrays.items()
            ],
            "arrays_file": {"size": os.path.getsize(arrays_path), "sha256": _sha256(arrays_path)},
            "metadata": json.loads(meta_json),
        }
        with open(os.path.join(tmp, MANIFEST), "w") as f:
            json.dump(manifest, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, path)  # the commit: one atomic rename of the whole directory
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _read_manifest(path: str) -> dict:
    mpath = os.path.join(path, MANIFEST)
    try:
        with open(mpath) as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(
            f"{mpath} not found: {path} is not a complete mxjax checkpoint"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{mpath} is corrupt: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"{mpath} is not an mxjax checkpoint manifest")
    if manifest.get("version") != VERSION:
        raise CheckpointError(
            f"{mpath}: checkpoint format version {manifest.get('version')!r} is not supported "
            f"(this mxjax reads version {VERSION})"
        )
    return manifest


def load_checkpoint(path, target: Any = None, *, strict: bool = True):
    """Reads a checkpoint written by :func:`save_checkpoint`, checking it first.

    Args:
        path: the checkpoint directory.
        target: optional pytree with the structure to restore into (its
            leaves' shapes and dtypes must match). Without it, the arrays come
            back as a flat dict ``path name -> np.ndarray`` (PRNG keys as typed
            keys).
        strict: with a ``target``, arrays in the checkpoint that the target
            lacks are an error.

    Returns:
        ``(tree, metadata)``.

    Raises:
        CheckpointError: the checkpoint is incomplete or corrupt (size or
            SHA-256 mismatch, bad manifest), or does not fit ``target``.

    Examples:
        >>> import os, tempfile, jax, numpy as np
        >>> from mxjax import io
        >>> d = os.path.join(tempfile.mkdtemp(), "ckpt")
        >>> state = {"w": np.zeros(3, np.float32), "key": jax.random.key(1)}
        >>> _ = io.save_checkpoint(d, state)
        >>> tree, _ = io.load_checkpoint(d, target=state)
        >>> bool((jax.random.key_data(tree["key"]) == jax.random.key_data(state["key"])).all())
        True
    """
    path = os.path.abspath(os.fspath(path))
    manifest = _read_manifest(path)
    apath = os.path.join(path, ARRAYS)
    expect = manifest.get("arrays_file", {})
    try:
        size = os.path.getsize(apath)
    except OSError:
        raise CheckpointError(f"{apath} is missing") from None
    if size != expect.get("size"):
        raise CheckpointError(
            f"{apath} has {size} bytes; the manifest says {expect.get('size')}: corrupt checkpoint"
        )
    if _sha256(apath) != expect.get("sha256"):
        raise CheckpointError(f"{apath} does not match its SHA-256 in the manifest: corrupt")
    entries = manifest["arrays"]
    try:
        with np.load(apath, allow_pickle=False) as z:
            raw = [z[f"a{i}"] for i in range(len(entries))]
    except (OSError, ValueError, KeyError) as e:
        raise CheckpointError(f"{apath} cannot be read: {e}") from None
    flat: dict[str, Any] = {}
    for e, a in zip(entries, raw):
        if list(a.shape) != e["shape"] or a.dtype.str != e["dtype"]:
            raise CheckpointError(
                f"{apath}: array {e['name']!r} has shape {a.shape} and dtype {a.dtype}; the "
                f"manifest says {tuple(e['shape'])} and {np.dtype(e['dtype'])}"
            )
        if e["kind"].startswith("key:"):
            impl = e["kind"][4:]
            a = jax.random.wrap_key_data(a, impl=impl if impl in _KEY_IMPLS else None)
        flat[e["name"]] = a
    metadata = manifest.get("metadata", {})
    if target is None:
        return flat, metadata
    return _restore_into(target, flat, path, strict), metadata


_KEY_IMPLS = ("threefry2x32", "rbg", "unsafe_rbg")


def _restore_into(target: Any, flat: dict, path: str, strict: bool) -> Any:
    leaves, treedef = jax.tree_util.tree_flatten_with_path(target)
    out = []
    used = set()
    for p, leaf in leaves:
        name = _path_name(p)
        if name not in flat:
            raise CheckpointError(
                f"{path}: the checkpoint has no array {name!r} (it holds "
                f"{sorted(flat)[:8]}{' ...' if len(flat) > 8 else ''})"
            )
        used.add(name)
        value = flat[name]
        if _is_key(leaf) != _is_key(value):
            raise CheckpointError(
                f"{path}: {name!r} is a PRNG key in only one of checkpoint/target"
            )
        want_shape = tuple(np.shape(leaf))
        if tuple(value.shape) != want_shape:
            raise CheckpointError(
                f"{path}: array {name!r} has shape {tuple(value.shape)} in the checkpoint, "
                f"expected {want_shape}"
            )
        if not _is_key(leaf):
            want = np.dtype(getattr(leaf, "dtype", np.asarray(leaf).dtype))
            if value.dtype != want:
                raise CheckpointError(
                    f"{path}: array {name!r} has dtype {value.dtype} in the checkpoint, "
                    f"expected {want}"
                )
            if isinstance(leaf, jax.Array):  # NumPy leaves stay NumPy (int64 under x32)
                value = jax.device_put(value)  # jnp.asarray compiles a program per shape
        out.append(value)
    if strict and len(used) != len(flat):
        extra = sorted(set(flat) - used)
        raise CheckpointError(f"{path}: the target tree has no place for arrays {extra[:8]}")
    return jax.tree_util.tree_unflatten(treedef, out)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(directory) -> list[str]:
    """Removes ``.tmp-<pid>-*`` files and directories whose writer process is gone.

    A writer killed mid-write (``kill -9``, power loss) leaves its temporary
    behind; the next run calls this on its checkpoint directory. Temporaries
    of live processes (another writer at work) are kept.

    Returns:
        The paths removed.

    Examples:
        >>> import os, tempfile
        >>> from mxjax import io
        >>> d = tempfile.mkdtemp()
        >>> os.mkdir(os.path.join(d, ".tmp-999999999-ckpt-x"))
        >>> [os.path.basename(p) for p in io.remove_stale_temporaries(d)]
        ['.tmp-999999999-ckpt-x']
    """
    directory = os.fspath(directory)
    removed = []
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return removed
    for name in names:
        m = _TMP.match(name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        full = os.path.join(directory, name)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
        else:
            try:
                os.unlink(full)
            except FileNotFoundError:
                pass
        removed.append(full)
    return removed


class CheckpointManager:
    """A directory of numbered checkpoints (``ckpt-<step>``), the newest ``max_to_keep`` kept.

    Starting a manager removes temporaries left by killed writers. ``save``
    commits a new checkpoint atomically before deleting old ones, so a kill
    at any moment leaves at least one complete checkpoint once one exists.

    Args:
        directory: where the checkpoints live (created if needed).
        max_to_keep: how many of the newest checkpoints to keep (None: all).

    Examples:
        >>> import tempfile, numpy as np
        >>> from mxjax import io
        >>> mgr = io.CheckpointManager(tempfile.mkdtemp(), max_to_keep=2)
        >>> for step in (1, 2, 3):
        ...     _ = mgr.save(step, {"w": np.full(2, step, np.float32)}, {"step": step})
        >>> mgr.all_steps(), mgr.latest_step()
        ([2, 3], 3)
        >>> tree, meta = mgr.restore()
        >>> tree["w"], meta["step"]
        (array([3., 3.], dtype=float32), 3)
    """

    PREFIX = "ckpt-"

    def __init__(self, directory, max_to_keep: int | None = 2):
        if max_to_keep is not None and (
            isinstance(max_to_keep, bool) or not isinstance(max_to_keep, int) or max_to_keep < 1
        ):
            raise ValueError(
                f"CheckpointManager: max_to_keep must be an integer >= 1 or None; "
                f"received {max_to_keep!r}"
            )
        self.directory = os.path.abspath(os.fspath(directory))
        self.max_to_keep = max_to_keep
        os.makedirs(self.directory, exist_ok=True)
        self.removed_temporaries = remove_stale_temporaries(self.directory)

    def path(self, step: int) -> str:
        """The directory of checkpoint ``step``."""
        return os.path.join(self.directory, f"{self.PREFIX}{int(step)}")

    def all_steps(self) -> list[int]:
        """Steps of the committed checkpoints, oldest first."""
        steps = []
        for name in os.listdir(self.directory):
            if name.startswith(self.PREFIX) and name[len(self.PREFIX) :].isdigit():
                if os.path.exists(os.path.join(self.directory, name, MANIFEST)):
                    steps.append(int(name[len(self.PREFIX) :]))
        return sorted(steps)

    def latest_step(self) -> int | None:
        """The newest committed step, or None."""
        steps = self.all_steps()
        return steps[-1] if steps else None

    def save(self, step: int, tree: Any, metadata: Mapping | None = None) -> str:
        """Commits checkpoint ``step`` (replacing an existing one), then prunes old ones."""
        path = self.path(step)
        if os.path.exists(path):  # a rerun of the same step: set the old one aside first
            aside = temporary_path(self.directory, f"old-{step}")
            os.unlink(aside)
            os.rename(path, aside)
            save_checkpoint(path, tree, metadata)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            save_checkpoint(path, tree, metadata)
        if self.max_to_keep is not None:
            for old in self.all_steps()[: -self.max_to_keep]:
                shutil.rmtree(self.path(old), ignore_errors=True)
        return path

    def restore(self, target: Any = None, step: int | None = None, *, strict: bool = True):
        """Loads checkpoint ``step`` (default: the newest) as ``(tree, metadata)``.

        Raises:
            CheckpointError: there is no checkpoint, or it is corrupt.
        """
        if step is None:
            step = self.latest_step()
            if step is None:
                raise CheckpointError(f"no checkpoint in {self.directory}")
        return load_checkpoint(self.path(step), target, strict=strict)
