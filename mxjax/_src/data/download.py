"""Dataset files: the data directory, verified atomic downloads, safe tar extraction."""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
import urllib.request

from mxjax._src.data.idx import CorruptFileError
from mxjax._src.errors import MXJaxError
from mxjax._src.io.atomic import atomic_path

__all__ = [
    "DatasetNotFoundError",
    "check_sha1",
    "data_home",
    "dataset_dir",
    "download",
    "extract_members",
    "fetch_to",
    "repo_url",
]

_DEFAULT_REPO = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
_urlopen = urllib.request.urlopen  # patched by tests: they never touch the network


class DatasetNotFoundError(MXJaxError, FileNotFoundError):
    """Dataset files are missing and could not be downloaded.

    Examples:
        >>> from mxjax.data import DatasetNotFoundError
        >>> issubclass(DatasetNotFoundError, FileNotFoundError)
        True
    """


def data_home() -> str:
    """mxjax's data directory: ``$MXJAX_HOME`` or ``~/.mxjax``.

    Examples:
        >>> import os
        >>> from mxjax.data import data_home
        >>> os.path.basename(data_home()) if "MXJAX_HOME" not in os.environ else ".mxjax"
        '.mxjax'
    """
    return os.environ.get("MXJAX_HOME") or os.path.join(os.path.expanduser("~"), ".mxjax")


def dataset_dir(name: str) -> str:
    """Default root of dataset ``name``: ``<data_home()>/datasets/<name>``.

    Examples:
        >>> from mxjax.data import dataset_dir
        >>> dataset_dir("mnist").endswith(("datasets/mnist", "datasets\\\\mnist"))
        True
    """
    return os.path.join(data_home(), "datasets", name)


def repo_url(namespace: str, filename: str) -> str:
    """URL of a file on MXNet's Gluon dataset mirror (``$MXNET_GLUON_REPO`` overrides).

    Examples:
        >>> from mxjax._src.data.download import repo_url
        >>> repo_url("mnist", "x.gz").endswith("gluon/dataset/mnist/x.gz")
        True
    """
    base = os.environ.get("MXNET_GLUON_REPO", _DEFAULT_REPO)
    return f"{base.rstrip('/')}/gluon/dataset/{namespace}/{filename}"


def check_sha1(path: str, sha1: str) -> bool:
    """Whether the file's SHA-1 hex digest equals ``sha1``.

    Examples:
        >>> import hashlib, tempfile, os
        >>> from mxjax._src.data.download import check_sha1
        >>> with tempfile.NamedTemporaryFile(delete=False) as f:
        ...     _ = f.write(b"abc")
        >>> check_sha1(f.name, hashlib.sha1(b"abc").hexdigest()); os.remove(f.name)
        True
    """
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest() == sha1


def download(url: str, path: str, sha1: str | None = None, timeout: float = 10.0) -> str:
    """Downloads ``url`` to ``path`` atomically and checks its SHA-1.

    Args:
        url: the address.
        path: the destination file.
        sha1: expected SHA-1 hex digest, or None.
        timeout: network timeout in seconds.

    Returns:
        ``path``.

    Raises:
        OSError: on a network failure (``urllib.error.URLError``).
        CorruptFileError: on a SHA-1 mismatch. In both cases nothing is left at ``path``.

    Examples:
        >>> from mxjax._src.data.download import download
        >>> callable(download)
        True
    """
    return fetch_to(path, lambda: _urlopen(url, timeout=timeout), sha1, url)


def fetch_to(path: str, open_url, sha1: str | None = None, what: str = "download") -> str:
    """Streams ``open_url()`` into ``path`` atomically, checking the SHA-1 on the way.

    The one download step of mxjax (datasets, ``gluon.utils.download``, the
    model store): a temporary file beside ``path`` is renamed onto it only
    when the hash matches; otherwise nothing is left behind.

    Raises:
        CorruptFileError: the content hash does not match ``sha1``.

    Examples:
        >>> import hashlib, io, os, tempfile
        >>> from mxjax._src.data.download import fetch_to
        >>> p = os.path.join(tempfile.mkdtemp(), "f.bin")
        >>> _ = fetch_to(p, lambda: io.BytesIO(b"abc"), hashlib.sha1(b"abc").hexdigest())
        >>> os.path.getsize(p)
        3
    """
    with atomic_path(path, suffix=".part") as tmp:
        h = hashlib.sha1()
        with open(tmp, "wb") as out, open_url() as resp:
            for chunk in iter(lambda: resp.read(1 << 20), b""):
                h.update(chunk)
                out.write(chunk)
        if sha1 is not None and h.hexdigest() != sha1:
            raise CorruptFileError(
                f"{what}: the content hash does not match (SHA-1 {h.hexdigest()}, expected "
                f"{sha1}); not saved to {path}"
            )
    return path


def extract_members(archive: str, names: list[str], dest: str) -> None:
    """Extracts the regular files whose base names are ``names`` from a tar archive, safely.

    Members are written flat into ``dest`` (atomically). Absolute paths, ``..``
    components, links and special files are rejected, so an archive can
    never write outside ``dest``.

    Raises:
        CorruptFileError: if the archive is unreadable, holds an unsafe member, or
            lacks one of ``names``.

    Examples:
        >>> from mxjax._src.data.download import extract_members
        >>> callable(extract_members)
        True
    """
    wanted = set(names)
    found: set[str] = set()
    try:
        with tarfile.open(archive) as tar:
            for member in tar:
                parts = member.name.replace("\\", "/").split("/")
                if member.name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                    raise CorruptFileError(
                        f"{archive}: unsafe member path {member.name!r} (absolute or with '..'); "
                        "refusing to extract"
                    )
                base = parts[-1]
                if base not in wanted:
                    continue
                if not member.isfile():
                    raise CorruptFileError(
                        f"{archive}: member {member.name!r} is a link or special file, "
                        "expected a regular file; refusing to extract"
                    )
                src = tar.extractfile(member)
                fd, tmp = tempfile.mkstemp(dir=dest, suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out:
                        out.write(src.read())
                    os.replace(tmp, os.path.join(dest, base))
                finally:
                    if os.path.exists(tmp):
                        os.remove(tmp)
                found.add(base)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise CorruptFileError(f"{archive}: unreadable or truncated tar archive ({e})") from None
    missing = sorted(wanted - found)
    if missing:
        raise CorruptFileError(f"{archive}: archive lacks the member(s) {missing}")
