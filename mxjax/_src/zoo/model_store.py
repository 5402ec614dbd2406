"""Pretrained MXNet model-zoo weights: file names, SHA-1 checks and download.

Files are named as MXNet names them, ``{root}/{name}-{sha1[:8]}.params``, and
are read only after their SHA-1 matches MXNet 1.9.1's ``model_store`` table.
A missing file is fetched from MXNet's repository (``$MXNET_GLUON_REPO`` or
Apache's bucket) as a ``.zip``; the ``.params`` member is extracted to a
temporary file, checked and renamed into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile

from mxjax._src.gluon import utils as _gutils

__all__ = ["get_model_file", "model_root", "purge", "short_hash"]

# (sha1, name) from MXNet 1.9.1's python/mxnet/gluon/model_zoo/model_store.py.
_MODEL_SHA1 = {
    name: checksum
    for checksum, name in [
        ("44335d1f0046b328243b32a26a4fbd62d9057b45", "alexnet"),
        ("f27dbf2dbd5ce9a80b102d89c7483342cd33cb31", "densenet121"),
        ("b6c8a95717e3e761bd88d145f4d0a214aaa515dc", "densenet161"),
        ("2603f878403c6aa5a71a124c4a3307143d6820e9", "densenet169"),
        ("1cdbc116bc3a1b65832b18cf53e1cb8e7da017eb", "densenet201"),
        ("ed47ec45a937b656fcc94dabde85495bbef5ba1f", "inceptionv3"),
        ("9f83e440996887baf91a6aff1cccc1c903a64274", "mobilenet0.25"),
        ("8e9d539cc66aa5efa71c4b6af983b936ab8701c3", "mobilenet0.5"),
        ("529b2c7f4934e6cb851155b22c96c9ab0a7c4dc2", "mobilenet0.75"),
        ("6b8c5106c730e8750bcd82ceb75220a3351157cd", "mobilenet1.0"),
        ("36da4ff1867abccd32b29592d79fc753bca5a215", "mobilenetv2_1.0"),
        ("e2be7b72a79fe4a750d1dd415afedf01c3ea818d", "mobilenetv2_0.75"),
        ("aabd26cd335379fcb72ae6c8fac45a70eab11785", "mobilenetv2_0.5"),
        ("ae8f9392789b04822cbb1d98c27283fc5f8aa0a7", "mobilenetv2_0.25"),
        ("a0666292f0a30ff61f857b0b66efc0228eb6a54b", "resnet18_v1"),
        ("48216ba99a8b1005d75c0f3a0c422301a0473233", "resnet34_v1"),
        ("0aee57f96768c0a2d5b23a6ec91eb08dfb0a45ce", "resnet50_v1"),
        ("d988c13d6159779e907140a638c56f229634cb02", "resnet101_v1"),
        ("671c637a14387ab9e2654eafd0d493d86b1c8579", "resnet152_v1"),
        ("a81db45fd7b7a2d12ab97cd88ef0a5ac48b8f657", "resnet18_v2"),
        ("9d6b80bbc35169de6b6edecffdd6047c56fdd322", "resnet34_v2"),
        ("ecdde35339c1aadbec4f547857078e734a76fb49", "resnet50_v2"),
        ("18e93e4f48947e002547f50eabbcc9c83e516aa6", "resnet101_v2"),
        ("f2695542de38cf7e71ed58f02893d82bb409415e", "resnet152_v2"),
        ("264ba4970a0cc87a4f15c96e25246a1307caf523", "squeezenet1.0"),
        ("33ba0f93753c83d86e1eb397f38a667eaf2e9376", "squeezenet1.1"),
        ("dd221b160977f36a53f464cb54648d227c707a05", "vgg11"),
        ("ee79a8098a91fbe05b7a973fed2017a6117723a8", "vgg11_bn"),
        ("6bc5de58a05a5e2e7f493e2d75a580d83efde38c", "vgg13"),
        ("7d97a06c3c7a1aecc88b6e7385c2b373a249e95e", "vgg13_bn"),
        ("e660d4569ccb679ec68f1fd3cce07a387252a90a", "vgg16"),
        ("7f01cf050d357127a73826045c245041b0df7363", "vgg16_bn"),
        ("ad2f660d101905472b83590b59708b71ea22b2e5", "vgg19"),
        ("f360b758e856f1074a85abd5fd873ed1d98297c3", "vgg19_bn"),
    ]
}
_APACHE_REPO_URL = "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/"
_URL_FORMAT = "{repo_url}gluon/models/{file_name}.zip"


def model_root() -> str:
    """The default folder of pretrained weights: ``$MXJAX_HOME/models`` or ``~/.mxjax/models``.

    Examples:
        >>> import os
        >>> from mxjax.gluon.model_zoo import model_store
        >>> os.path.basename(model_store.model_root())
        'models'
    """
    from mxjax._src.data.download import data_home

    return os.path.join(data_home(), "models")


def short_hash(name: str) -> str:
    """The first 8 hex digits of the SHA-1 of MXNet's pretrained ``name``.

    Raises:
        ValueError: when MXNet publishes no pretrained weights for ``name``.

    Examples:
        >>> from mxjax.gluon.model_zoo import model_store
        >>> model_store.short_hash("resnet18_v1")
        'a0666292'
    """
    if name not in _MODEL_SHA1:
        raise ValueError(
            f"model_zoo: no pretrained weights are published for {name!r}; "
            f"expected one of {sorted(_MODEL_SHA1)}"
        )
    return _MODEL_SHA1[name][:8]


def get_model_file(name: str, root: str | None = None) -> str:
    """Returns the path of MXNet's pretrained ``name`` weights, downloading them if needed.

    Looks for ``{root}/{name}-{short_hash}.params`` and checks its SHA-1; a
    missing or corrupt file is downloaded (with ``mxjax.gluon.utils.download``)
    from ``$MXNET_GLUON_REPO`` or Apache's MXNet bucket, extracted and renamed
    into place atomically.

    Args:
        name: MXNet's pretrained model name (``'resnet18_v1'``, ``'mobilenet1.0'``).
        root: the weights folder (default :func:`model_root`).

    Returns:
        The path of the verified ``.params`` file.

    Raises:
        ValueError: for an unknown ``name``.
        OSError: when the file is missing and cannot be downloaded, or the
            downloaded file's SHA-1 does not match; the message names the file
            and the folder to put it in.

    Examples:
        >>> from mxjax.gluon.model_zoo import model_store
        >>> model_store.get_model_file("nosuchnet")
        Traceback (most recent call last):
        ...
        ValueError: model_zoo: no pretrained weights are published for 'nosuchnet'; ...
    """
    file_name = f"{name}-{short_hash(name)}"
    root = os.path.expanduser(model_root() if root is None else root)
    file_path = os.path.join(root, file_name + ".params")
    sha1 = _MODEL_SHA1[name]
    if os.path.exists(file_path) and _gutils.check_sha1(file_path, sha1):
        return file_path
    repo_url = os.environ.get("MXNET_GLUON_REPO", _APACHE_REPO_URL)
    if not repo_url.endswith("/"):
        repo_url += "/"
    url = _URL_FORMAT.format(repo_url=repo_url, file_name=file_name)
    hint = (
        f"model_zoo: pretrained weights {file_name}.params (sha1 {sha1}) are not in {root} "
        f"and could not be downloaded from {url}"
    )
    try:
        os.makedirs(root, exist_ok=True)
        tmp_dir = tempfile.mkdtemp(dir=root, prefix=".zoo-")
    except OSError as err:
        raise OSError(f"{hint}: {err}. Put the file in {root} or pass root=...") from err
    try:
        zip_path = os.path.join(tmp_dir, file_name + ".zip")
        try:
            _gutils.download(url, path=zip_path, overwrite=True)
        except Exception as err:  # network errors of every kind
            raise OSError(f"{hint}: {err}. Put the file in {root} or pass root=...") from err
        member = file_name + ".params"
        extracted = os.path.join(tmp_dir, member)
        with zipfile.ZipFile(zip_path) as zf:
            if member not in zf.namelist():
                raise OSError(f"{hint}: the archive has no member {member!r}")
            with zf.open(member) as src, open(extracted, "wb") as dst:
                shutil.copyfileobj(src, dst)
        if not _gutils.check_sha1(extracted, sha1):
            raise OSError(f"{hint}: the downloaded file's sha1 does not match {sha1}")
        os.replace(extracted, file_path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return file_path


def purge(root: str | None = None) -> None:
    """Removes every ``.params`` file from the weights folder.

    Examples:
        >>> import tempfile
        >>> from mxjax.gluon.model_zoo import model_store
        >>> model_store.purge(tempfile.mkdtemp())
    """
    root = os.path.expanduser(model_root() if root is None else root)
    for f in os.listdir(root):
        if f.endswith(".params"):
            os.remove(os.path.join(root, f))


def load_pretrained(net, name: str, root: str | None, ctx) -> None:
    """Loads MXNet's pretrained ``name`` weights into ``net``."""
    net.load_parameters(get_model_file(name, root=root), ctx=ctx)
