"""The one atomic-write helper: write a temporary file beside the target, then rename it.

A reader never sees a half-written file: it sees the old file or the new
one. Temporary names start with ``.tmp-<pid>-`` so a later run can remove
what a killed writer left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

__all__ = ["atomic_path", "atomic_write"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[str]:
    """Yields a temporary path beside ``path``; on success renames it onto ``path``.

    For writers that want a file name (``np.savez``, ``savefig``). On an
    exception the temporary file is removed and ``path`` is left untouched.
    ``suffix`` keeps an extension a writer may insist on (``'.png'``).

    Examples:
        >>> import os, pathlib, tempfile
        >>> from mxjax._src.io.atomic import atomic_path
        >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
        >>> with atomic_path(target) as tmp:
        ...     _ = pathlib.Path(tmp).write_text("done")
        >>> pathlib.Path(target).read_text()
        'done'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", suffix=suffix, dir=directory)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # durable before it becomes visible
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write(path: str | os.PathLike, payload: bytes | str) -> None:
    """Writes ``payload`` (bytes, or text as UTF-8) to ``path`` atomically.

    Examples:
        >>> import os, pathlib, tempfile
        >>> from mxjax._src.io.atomic import atomic_write
        >>> target = os.path.join(tempfile.mkdtemp(), "a.json")
        >>> atomic_write(target, '{"ok": true}')
        >>> pathlib.Path(target).read_text()
        '{"ok": true}'
    """
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
