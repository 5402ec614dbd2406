"""Vision datasets against files written by independent writers in the test (no network)."""

import gzip
import hashlib
import io
import logging
import os
import struct
import sys
import tarfile
import urllib.error

import numpy as np
import pytest

from mxjax._src.data import download as dl
from mxjax.data import CorruptFileError, DatasetNotFoundError, embedded_mnist
from mxjax.data.vision import CIFAR10, CIFAR100, MNIST, FashionMNIST, ImageFolderDataset

MNIST_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")


def idx_bytes(arr, code=0x08):
    head = struct.pack(">BBBB", 0, 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(">u1").tobytes()


def write_mnist(root, n=5, labels_n=None, image_bytes=None):
    rs = np.random.RandomState(0)
    x = rs.randint(0, 256, (n, 28, 28)).astype(np.uint8)
    y = rs.randint(0, 10, labels_n or n).astype(np.uint8)
    os.makedirs(root, exist_ok=True)
    data = idx_bytes(x) if image_bytes is None else image_bytes
    with open(os.path.join(root, MNIST_NAMES[0]), "wb") as f:
        f.write(gzip.compress(data))
    with open(os.path.join(root, MNIST_NAMES[1]), "wb") as f:
        f.write(gzip.compress(idx_bytes(y)))
    return x, y


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    def no_network(url, timeout=None):
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(dl, "_urlopen", no_network)


def test_mnist_reads_idx_gz(tmp_path):
    x, y = write_mnist(str(tmp_path))
    ds = MNIST(root=str(tmp_path), train=True)
    img, label = ds[3]
    assert len(ds) == 5 and img.shape == (28, 28, 1) and img.dtype == np.uint8
    np.testing.assert_array_equal(img[..., 0], x[3])
    assert label.dtype == np.int32 and label == y[3]
    t = MNIST(root=str(tmp_path), transform=lambda d, lab: (d.astype(np.float32) / 255, lab))
    np.testing.assert_allclose(t[0][0][..., 0], x[0] / 255.0, rtol=1e-6)


def test_missing_files_offline_error_names_files_and_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MXJAX_HOME", str(tmp_path))
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(train=False)
    msg = str(info.value)
    assert os.path.join(str(tmp_path), "datasets", "mnist") in msg
    assert "t10k-images-idx3-ubyte.gz" in msg and "t10k-labels-idx1-ubyte.gz" in msg
    assert "embedded=True" in msg
    with pytest.raises(DatasetNotFoundError, match="fashion-mnist"):
        FashionMNIST(train=False)


def test_embedded_is_explicit_and_fallback_is_announced(tmp_path, caplog, capsys):
    x, y = embedded_mnist(train=False)
    ds = MNIST(train=False, embedded=True)
    np.testing.assert_array_equal(ds[7][0], x[7])
    with caplog.at_level(logging.WARNING, logger="mxjax.data"):
        fb = MNIST(root=str(tmp_path), train=False, embedded="fallback")
    assert len(fb) == 1000 and "embedded MNIST subset" in caplog.text
    assert "embedded MNIST subset" in capsys.readouterr().out
    with pytest.raises(ValueError, match="embedded must be"):
        MNIST(embedded="yes")


def test_download_checks_sha1_and_writes_atomically(tmp_path, monkeypatch):
    src = tmp_path / "src"
    write_mnist(str(src))
    blobs = {n: (src / n).read_bytes() for n in MNIST_NAMES}
    files = {"train": tuple((n, hashlib.sha1(blobs[n]).hexdigest()) for n in MNIST_NAMES)}
    monkeypatch.setattr(MNIST, "_files", files)
    urls = []

    def fake(url, timeout=None):
        urls.append((url, timeout))
        return io.BytesIO(blobs[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(dl, "_urlopen", fake)
    root = tmp_path / "root"
    assert len(MNIST(root=str(root))) == 5
    assert urls[0][0].endswith("gluon/dataset/mnist/train-images-idx3-ubyte.gz")
    assert urls[0][1] is not None and sorted(os.listdir(root)) == sorted(MNIST_NAMES)
    bad = {"train": ((MNIST_NAMES[0], "0" * 40), files["train"][1])}
    monkeypatch.setattr(MNIST, "_files", bad)
    root2 = tmp_path / "root2"
    with pytest.raises(CorruptFileError, match="SHA-1"):
        MNIST(root=str(root2))
    assert os.listdir(root2) == []  # nothing half-written left behind


@pytest.mark.parametrize(
    "kind,match",
    [
        ("truncated_gz", "corrupt or truncated gzip"),
        ("magic", "wrong IDX magic"),
        ("payload", "header declares shape"),
        ("count", "holds 5 images but .* holds 4 labels"),
    ],
)
def test_corrupt_mnist_files(tmp_path, kind, match):
    root = str(tmp_path)
    if kind == "count":
        write_mnist(root, labels_n=4)
    else:
        write_mnist(root)
        path = os.path.join(root, MNIST_NAMES[0])
        with open(path, "rb") as f:
            raw = f.read()
        if kind == "truncated_gz":
            raw = raw[: len(raw) // 2]
        else:
            data = gzip.decompress(raw)
            data = b"\x01\x02" + data[2:] if kind == "magic" else data[:-7]
            raw = gzip.compress(data)
        with open(path, "wb") as f:
            f.write(raw)
    with pytest.raises(CorruptFileError, match=match) as info:
        MNIST(root=root)
    assert "idx" in str(info.value)


def cifar_records(n, label_bytes, seed):
    rs = np.random.RandomState(seed)
    labels = rs.randint(0, 100, (n, label_bytes)).astype(np.uint8)
    pixels = rs.randint(0, 256, (n, 3072)).astype(np.uint8)
    return np.concatenate([labels, pixels], 1), labels, pixels.reshape(n, 3, 32, 32)


def make_tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_cifar10_extracts_and_reads(tmp_path):
    members, refs = {}, {}
    for i, name in enumerate([f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]):
        rec, lab, pix = cifar_records(2, 1, i)
        members[f"cifar-10-batches-bin/{name}"] = rec.tobytes()
        refs[name] = (lab, pix)
    make_tar(tmp_path / "cifar-10-binary.tar.gz", members)
    train = CIFAR10(root=str(tmp_path))
    assert len(train) == 10
    img, label = train[2]  # first record of data_batch_2
    lab, pix = refs["data_batch_2.bin"]
    np.testing.assert_array_equal(img, pix[0].transpose(1, 2, 0))
    assert img.shape == (32, 32, 3) and label == lab[0, 0] and label.dtype == np.int32
    test = CIFAR10(root=str(tmp_path), train=False)
    assert len(test) == 2 and test[1][1] == refs["test_batch.bin"][0][1, 0]
    assert os.path.exists(tmp_path / "test_batch.bin")  # extracted flat into root


def test_cifar100_fine_and_coarse(tmp_path):
    rec, lab, pix = cifar_records(3, 2, 0)
    (tmp_path / "train.bin").write_bytes(rec.tobytes())
    (tmp_path / "test.bin").write_bytes(rec[:1].tobytes())
    coarse = CIFAR100(root=str(tmp_path))
    fine = CIFAR100(root=str(tmp_path), fine_label=True)
    assert [int(coarse[i][1]) for i in range(3)] == lab[:, 0].tolist()
    assert [int(fine[i][1]) for i in range(3)] == lab[:, 1].tolist()
    np.testing.assert_array_equal(fine[1][0], pix[1].transpose(1, 2, 0))


def test_cifar_corrupt_inputs(tmp_path):
    rec, _, _ = cifar_records(2, 2, 0)
    (tmp_path / "train.bin").write_bytes(rec.tobytes()[:-5])
    (tmp_path / "test.bin").write_bytes(rec.tobytes())
    with pytest.raises(CorruptFileError, match=r"train\.bin.*3074-byte CIFAR records"):
        CIFAR100(root=str(tmp_path))
    # Missing member in the archive.
    root = tmp_path / "c10"
    root.mkdir()
    make_tar(root / "cifar-10-binary.tar.gz", {"data_batch_1.bin": rec[:, 1:].tobytes()})
    with pytest.raises(CorruptFileError, match="lacks the member.*data_batch_2.bin"):
        CIFAR10(root=str(root))


@pytest.mark.parametrize("evil", ["../data_batch_1.bin", "/tmp/data_batch_1.bin", "link"])
def test_tar_extraction_is_safe(tmp_path, evil):
    root = tmp_path / "root"
    root.mkdir()
    path = root / "cifar-10-binary.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        if evil == "link":
            info = tarfile.TarInfo("data_batch_1.bin")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
        else:
            info = tarfile.TarInfo(evil)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(CorruptFileError, match="unsafe member|link or special"):
        CIFAR10(root=str(root))
    assert not (tmp_path / "data_batch_1.bin").exists()


def test_image_folder(tmp_path):
    from PIL import Image

    rs = np.random.RandomState(0)
    imgs = {}
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for k in range(2):
            arr = rs.randint(0, 256, (4, 5, 3)).astype(np.uint8)
            Image.fromarray(arr).save(tmp_path / cls / f"{k}.png")
            imgs[(cls, k)] = arr
    (tmp_path / "dog" / "notes.txt").write_text("x")
    with pytest.warns(UserWarning, match="notes.txt"):
        ds = ImageFolderDataset(str(tmp_path))
    assert ds.synsets == ["cat", "dog"] and len(ds) == 4
    img, label = ds[2]
    np.testing.assert_array_equal(img, imgs[("dog", 0)])
    assert label == 1
    with pytest.warns(UserWarning):
        grey = ImageFolderDataset(str(tmp_path), flag=0)[0][0]
    ref = np.asarray(Image.fromarray(imgs[("cat", 0)]).convert("L"))
    np.testing.assert_array_equal(grey[..., 0], ref)
    assert grey.shape == (4, 5, 1)


def test_image_folder_without_pillow(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(b"not really")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"mxjax\[image\]"):
        ImageFolderDataset(str(tmp_path))[0]
