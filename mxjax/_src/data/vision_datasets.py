"""Vision datasets with Gluon's signatures and file formats: MNIST, CIFAR, image folders."""

from __future__ import annotations

import logging
import os
import urllib.error
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from mxjax._src.data import download as _dl
from mxjax._src.data.dataset import Dataset, RecordFileDataset
from mxjax._src.data.embedded import embedded_mnist
from mxjax._src.data.idx import CorruptFileError, read_idx
from mxjax._src.data.mx_image import decode
from mxjax._src.io.recordio import unpack

__all__ = [
    "CIFAR10",
    "CIFAR100",
    "FashionMNIST",
    "ImageFolderDataset",
    "ImageRecordDataset",
    "MNIST",
]

_log = logging.getLogger("mxjax.data")


class _DownloadedDataset(Dataset):
    """Arrays ``_data`` (N, H, W, C) uint8 and ``_label`` (N,) int32, with a transform."""

    _data: np.ndarray
    _label: np.ndarray

    def __init__(self, root: str | None, transform: Callable | None, name: str):
        self._root = os.path.expanduser(root) if root is not None else _dl.dataset_dir(name)
        self._transform = transform

    def __getitem__(self, idx: int) -> Any:
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self) -> int:
        return len(self._label)

    def __getattr__(self, name: str) -> Any:
        # The DataLoader gathers whole batches when there is no per-sample transform.
        if name == "_get_batch" and self.__dict__.get("_transform", 0) is None:
            return lambda indices: [self._data[indices], self._label[indices]]
        raise AttributeError(name)

    def _fetch(self, files: list[tuple[str, str]], namespace: str, hint: str = "") -> None:
        """Downloads the missing ``(name, sha1)`` files into the root, or explains what to do."""
        missing = [(n, s) for n, s in files if not os.path.exists(os.path.join(self._root, n))]
        errors = []
        if missing and os.environ.get("MXJAX_OFFLINE", "") not in ("", "0"):
            errors.append("MXJAX_OFFLINE is set, no download attempted")
            missing_to_fetch: list[tuple[str, str]] = []
        else:
            missing_to_fetch = missing
        for name, sha1 in missing_to_fetch:
            url = _dl.repo_url(namespace, name)
            try:
                _log.info("downloading %s to %s", url, self._root)
                _dl.download(url, os.path.join(self._root, name), sha1)
            except (urllib.error.URLError, OSError, TimeoutError) as e:
                errors.append(f"{url}: {e}")
                break  # offline: do not wait for a timeout per file
        if errors:
            names = ", ".join(n for n, _ in missing)
            raise _dl.DatasetNotFoundError(
                f"{type(self).__name__}: missing file(s) {names} in {self._root} and the download "
                f"failed ({'; '.join(errors)}). Put the file(s) in that directory (or pass "
                f"root=..., or set MXJAX_HOME).{hint}"
            )


class MNIST(_DownloadedDataset):
    """MNIST handwritten digits (Gluon's ``gluon.data.vision.MNIST``).

    Samples are ``(image, label)``: an HWC ``uint8`` array of shape
    ``(28, 28, 1)`` and an ``int32`` label, passed through ``transform(image,
    label)`` if given. Files are the IDX gz files ``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz`` and
    ``t10k-labels-idx1-ubyte.gz`` in ``root`` (default
    ``$MXJAX_HOME/datasets/mnist``, ``~/.mxjax`` without ``MXJAX_HOME``);
    missing ones are downloaded from MXNet's mirror and SHA-1 checked.

    The embedded subset (4,000 train / 1,000 test images shipped in the
    package) is used when asked for: ``embedded=True`` always uses it;
    ``embedded='fallback'`` uses it when the full files are missing and cannot
    be downloaded, and logs a warning saying so. The default (False) raises
    :class:`DatasetNotFoundError` in that case.

    Args:
        root: directory of the IDX files.
        train: training (True) or test set.
        transform: ``fn(image, label) -> sample``.
        embedded: False, True or ``'fallback'``.

    Raises:
        DatasetNotFoundError: files missing and not downloadable.
        CorruptFileError: a file is truncated or inconsistent.

    Examples:
        >>> from mxjax.data.vision import MNIST
        >>> ds = MNIST(train=False, embedded=True)
        >>> x, y = ds[0]
        >>> len(ds), x.shape, x.dtype, y.dtype
        (1000, (28, 28, 1), dtype('uint8'), dtype('int32'))
    """

    _name = "mnist"
    _has_embedded = True
    _files = {
        "train": (
            ("train-images-idx3-ubyte.gz", "6c95f4b05d2bf285e1bfb0e7960c31bd3b3f8a7d"),
            ("train-labels-idx1-ubyte.gz", "2a80914081dc54586dbdf242f9805a6b8d2a15fc"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz", "c3a25af1f52dad7f726cce8cacb138654b760d48"),
            ("t10k-labels-idx1-ubyte.gz", "763e7fa3757d93b0cdec073cef058b2004252c17"),
        ),
    }

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        transform: Callable | None = None,
        embedded: bool | str = False,
    ):
        if embedded not in (True, False, "fallback"):
            raise ValueError(
                f"{type(self).__name__}: embedded must be True, False or 'fallback', "
                f"received {embedded!r}"
            )
        super().__init__(root, transform, self._name)
        self._train = train
        if embedded is True:
            if not self._has_embedded:
                raise ValueError(f"{type(self).__name__}: only MNIST has an embedded subset")
            self._data, self._label = embedded_mnist(train)
            return
        files = list(self._files["train" if train else "test"])
        hint = " Or use MNIST(embedded=True) for the subset." if self._has_embedded else ""
        try:
            self._fetch(files, self._name, hint)
        except _dl.DatasetNotFoundError as e:
            if embedded != "fallback" or not self._has_embedded:
                raise
            _log.warning("%s Falling back to the embedded MNIST subset (embedded='fallback').", e)
            print(f"mxjax: {type(self).__name__} files not found; using the embedded MNIST subset")
            self._data, self._label = embedded_mnist(train)
            return
        images_path, labels_path = (os.path.join(self._root, n) for n, _ in files)
        self._data, self._label = _read_mnist(images_path, labels_path)


def _read_mnist(images_path: str, labels_path: str) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise CorruptFileError(
            f"{images_path}: expected uint8 images of shape (N, H, W), found {images.dtype} "
            f"array of shape {images.shape}"
        )
    if labels.ndim != 1:
        raise CorruptFileError(
            f"{labels_path}: expected labels of shape (N,), found shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise CorruptFileError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} "
            "labels; the files do not belong together"
        )
    return images[..., None], labels.astype(np.int32)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Gluon's ``gluon.data.vision.FashionMNIST``), MNIST's file format.

    Default root ``$MXJAX_HOME/datasets/fashion-mnist``; see :class:`MNIST`
    (there is no embedded subset).

    Examples:
        >>> from mxjax.data.vision import FashionMNIST
        >>> FashionMNIST._name
        'fashion-mnist'
    """

    _name = "fashion-mnist"
    _has_embedded = False
    _files = {
        "train": (
            ("train-images-idx3-ubyte.gz", "0cf37b0d40ed5169c6b3aba31069a9770ac9043d"),
            ("train-labels-idx1-ubyte.gz", "236021d52f1e40852b06a4c3008d8de8aef1e40b"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz", "626ed6a7c06dd17c0eec72fa3be1740f146a2863"),
            ("t10k-labels-idx1-ubyte.gz", "17f9ab60e7257a1620f4ad76bbbaf857c3920701"),
        ),
    }


class CIFAR10(_DownloadedDataset):
    """CIFAR-10 (Gluon's ``gluon.data.vision.CIFAR10``): samples (32, 32, 3) uint8, int32 label.

    Reads the binary batches ``data_batch_1.bin`` ... ``data_batch_5.bin`` and
    ``test_batch.bin`` (records of 1 label byte + 3072 CHW pixel bytes) from
    ``root`` (default ``$MXJAX_HOME/datasets/cifar10``). When they are missing,
    they are extracted (safely, flat into ``root``) from
    ``cifar-10-binary.tar.gz`` in ``root``, which is downloaded first if absent.

    Args:
        root: directory of the files.
        train: training (True) or test set.
        transform: ``fn(image, label) -> sample``.

    Raises:
        DatasetNotFoundError: files missing and not downloadable.
        CorruptFileError: bad record size, truncated or unsafe archive, missing member.

    Examples:
        >>> from mxjax.data.vision import CIFAR10
        >>> CIFAR10._archive[0]
        'cifar-10-binary.tar.gz'
    """

    _name = "cifar10"
    _archive = ("cifar-10-binary.tar.gz", "fab780a1e191a7eda0f345501ccd62d20f7ed891")
    _train_files = [f"data_batch_{i}.bin" for i in range(1, 6)]
    _test_files = ["test_batch.bin"]
    _label_bytes = 1

    def __init__(
        self, root: str | None = None, train: bool = True, transform: Callable | None = None
    ):
        super().__init__(root, transform, self._name)
        self._train = train
        self._load()

    def _label_column(self) -> int:
        return 0

    def _load(self) -> None:
        names = self._train_files + self._test_files
        if any(not os.path.exists(os.path.join(self._root, n)) for n in names):
            self._fetch([self._archive], self._name)
            _dl.extract_members(os.path.join(self._root, self._archive[0]), names, self._root)
        data, label = zip(
            *(
                self._read_batch(os.path.join(self._root, n))
                for n in (self._train_files if self._train else self._test_files)
            )
        )
        self._data = np.concatenate(data)
        self._label = np.concatenate(label)

    def _read_batch(self, path: str) -> tuple[np.ndarray, np.ndarray]:
        record = 3072 + self._label_bytes
        with open(path, "rb") as f:
            raw = np.frombuffer(f.read(), np.uint8)
        if raw.size == 0 or raw.size % record:
            raise CorruptFileError(
                f"{path}: {raw.size} bytes is not a whole number of {record}-byte CIFAR records "
                f"({self._label_bytes} label byte(s) + 3072 pixel bytes); the file is truncated "
                "or not a CIFAR binary batch"
            )
        raw = raw.reshape(-1, record)
        images = raw[:, self._label_bytes :].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(images), raw[:, self._label_column()].astype(np.int32)


class CIFAR100(CIFAR10):
    """CIFAR-100 (Gluon's ``gluon.data.vision.CIFAR100``): coarse (20) or fine (100) labels.

    Reads ``train.bin`` / ``test.bin`` (records: coarse label, fine label,
    3072 pixels) from ``root`` (default ``$MXJAX_HOME/datasets/cifar100``),
    extracted from ``cifar-100-binary.tar.gz`` when missing.

    Args:
        root: directory of the files.
        fine_label: use the 100 fine labels instead of the 20 coarse ones.
        train: training (True) or test set.
        transform: ``fn(image, label) -> sample``.

    Examples:
        >>> from mxjax.data.vision import CIFAR100
        >>> CIFAR100._train_files
        ['train.bin']
    """

    _name = "cifar100"
    _archive = ("cifar-100-binary.tar.gz", "a0bb982c76b83111308126cc779a992fa506b90b")
    _train_files = ["train.bin"]
    _test_files = ["test.bin"]
    _label_bytes = 2

    def __init__(
        self,
        root: str | None = None,
        fine_label: bool = False,
        train: bool = True,
        transform: Callable | None = None,
    ):
        self._fine_label = bool(fine_label)
        super().__init__(root, train, transform)

    def _label_column(self) -> int:
        return int(self._fine_label)


class ImageFolderDataset(Dataset):
    """Images in one sub-folder per class (Gluon's ``ImageFolderDataset``).

    ``root/car/0001.jpg`` gets the label of ``'car'``: classes are the sorted
    sub-folder names (``synsets``). Images (``.jpg``, ``.jpeg``, ``.png``) are
    decoded with Pillow (the ``image`` extra: ``pip install mxjax[image]``)
    into HWC ``uint8`` arrays: RGB (H, W, 3) with ``flag=1``, grey (H, W, 1)
    with ``flag=0``. Other files are ignored with a warning, as in Gluon.

    Args:
        root: the folder.
        flag: 1 for RGB, 0 for greyscale.
        transform: ``fn(image, label) -> sample``.

    Attributes:
        synsets: the class names; ``items``: list of ``(path, label)``.

    Examples:
        >>> import os, tempfile
        >>> from mxjax.data.vision import ImageFolderDataset
        >>> root = tempfile.mkdtemp(); os.mkdir(os.path.join(root, "cat"))
        >>> ImageFolderDataset(root).synsets
        ['cat']
    """

    _exts = (".jpg", ".jpeg", ".png")

    def __init__(self, root: str, flag: int = 1, transform: Callable | None = None):
        if flag not in (0, 1):
            raise ValueError(f"ImageFolderDataset: flag must be 0 or 1, received {flag!r}")
        self._root = os.path.expanduser(root)
        if not os.path.isdir(self._root):
            raise FileNotFoundError(f"ImageFolderDataset: root {self._root!r} is not a directory")
        self._flag = flag
        self._transform = transform
        self.synsets: list[str] = []
        self.items: list[tuple[str, int]] = []
        for folder in sorted(os.listdir(self._root)):
            path = os.path.join(self._root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"Ignoring {path}, which is not a directory.", stacklevel=2)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                if os.path.splitext(filename)[1].lower() not in self._exts:
                    warnings.warn(
                        f"Ignoring {filename}: only {', '.join(self._exts)} files are read.",
                        stacklevel=2,
                    )
                    continue
                self.items.append((filename, label))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, idx: int) -> Any:
        path, label = self.items[idx]
        img = imread(path, self._flag)
        if self._transform is not None:
            return self._transform(img, label)
        return img, label


class ImageRecordDataset(RecordFileDataset):
    """Images and labels of an image RecordIO file (Gluon's ``ImageRecordDataset``).

    Each record holds an ``IRHeader`` and an encoded image (as written by
    ``mx.recordio.pack_img`` or MXNet's ``im2rec``); sample ``i`` is
    ``(image, label)`` with the image an HWC ``uint8`` NumPy array (RGB (H, W, 3)
    for ``flag=1``, grey (H, W, 1) for ``flag=0``) and the label the header's
    (a float, or an array for multi-label records).

    Args:
        filename: path of the ``.rec`` file (its ``.idx`` index next to it).
        flag: 1 for RGB, 0 for greyscale.
        transform: ``fn(image, label) -> sample``.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> import mxjax as mx
        >>> from mxjax.gluon.data.vision import ImageRecordDataset
        >>> d = tempfile.mkdtemp()
        >>> w = mx.recordio.MXIndexedRecordIO(os.path.join(d, "i.idx"), os.path.join(d, "i.rec"), "w")
        >>> img = np.zeros((4, 5, 3), np.uint8)
        >>> w.write_idx(0, mx.recordio.pack_img(mx.recordio.IRHeader(0, 3.0, 0, 0), img, img_fmt=".png"))
        >>> w.close()
        >>> x, y = ImageRecordDataset(os.path.join(d, "i.rec"))[0]
        >>> x.shape, x.dtype, y
        ((4, 5, 3), dtype('uint8'), 3.0)
    """

    def __init__(self, filename: str, flag: int = 1, transform: Callable | None = None):
        if flag not in (0, 1):
            raise ValueError(f"ImageRecordDataset: flag must be 0 or 1, received {flag!r}")
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx: int) -> Any:
        header, payload = unpack(super().__getitem__(idx))
        img = decode(payload, self._flag)
        if self._transform is not None:
            return self._transform(img, header.label)
        return img, header.label


def imread(path: str, flag: int = 1) -> np.ndarray:
    """Decodes a jpg/png file into an HWC uint8 array (RGB for ``flag=1``, grey (H, W, 1) for 0).

    Raises:
        ImportError: if Pillow is not installed (``pip install mxjax[image]``).
        CorruptFileError: if the file cannot be decoded.

    Examples:
        >>> from mxjax._src.data.vision_datasets import imread
        >>> callable(imread)
        True
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        return decode(data, flag)
    except ValueError as e:
        raise CorruptFileError(f"{path}: {e}") from None
