"""MXNet's binary `.params` format: MXNet-written goldens, MXNet reading our files, strictness."""

import os
import struct
import subprocess

import numpy as np
import pytest

from mxjax import io, nd

GOLD = os.path.join(os.path.dirname(__file__), "golden", "io")
MXNET_PY = "/tmp/mxnet/bin/python"


def _gold(name):
    return os.path.join(GOLD, name)


@pytest.mark.parametrize("stem", ["nd_dict", "gluon_net"])
def test_reads_mxnet_written_dict_files(stem):
    got = io.load_params(_gold(f"{stem}.params"))
    want = np.load(_gold(f"{stem}_values.npz"))
    assert list(got) == list(want.files)
    for k in want.files:
        assert got[k].dtype == want[k].dtype, k
        np.testing.assert_array_equal(got[k], want[k])


def test_reads_mxnet_written_list_file():
    got = io.load_params(_gold("nd_list.params"))
    want = np.load(_gold("nd_list_values.npz"))
    assert isinstance(got, list) and len(got) == 2
    for g, k in zip(got, ["arr_0", "arr_1"]):
        assert g.dtype == want[k].dtype
        np.testing.assert_array_equal(g, want[k])


@pytest.mark.parametrize("stem", ["nd_dict", "nd_list", "gluon_net"])
def test_rewrite_is_byte_identical_to_mxnet(stem):
    with open(_gold(f"{stem}.params"), "rb") as f:
        raw = f.read()
    assert io.dumps(io.loads(raw)) == raw


def test_nd_load_of_gluon_file():
    d = nd.load(_gold("gluon_net.params"))
    assert isinstance(d["0.weight"], nd.NDArray) and d["0.weight"].shape == (4, 3)


ALL_DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int32", "int64", "bool"]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_roundtrip_dtypes(tmp_path, dtype):
    a = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    p = tmp_path / "x.params"
    io.save_params(p, {"a": a, "s": np.array(5, dtype)})
    back = io.load_params(p)
    assert back["a"].dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back["a"], a)
    assert back["s"].shape == (1,)  # MXNet has no 0-d arrays in this format


def test_files_load_in_real_mxnet(tmp_path):
    if not os.path.exists(MXNET_PY):
        pytest.skip("real MXNet 1.9.1 is not installed at /tmp/mxnet")
    rs = np.random.RandomState(0)
    data = {
        "w32": rs.randn(3, 4).astype("float32"),
        "w64": rs.randn(2).astype("float64"),
        "h": rs.randn(5).astype("float16"),
        "u8": np.arange(4, dtype="uint8"),
        "i8": np.array([-3, 4], "int8"),
        "i32": np.array([[1, -2]], "int32"),
        "i64": np.array([2**40], "int64"),
    }
    p = str(tmp_path / "ours.params")
    io.save_params(p, data)
    np.savez(str(tmp_path / "want.npz"), **data)
    script = (
        "import sys, numpy as np, mxnet as mx\n"
        "d = mx.nd.load(sys.argv[1]); w = np.load(sys.argv[2])\n"
        "assert sorted(d) == sorted(w.files), (sorted(d), w.files)\n"
        "for k in w.files:\n"
        "    assert d[k].dtype == w[k].dtype, (k, d[k].dtype)\n"
        "    assert np.array_equal(d[k].asnumpy(), w[k]), k\n"
        "l = mx.nd.load(sys.argv[3]); assert len(l) == 2 and l[1].shape == (2, 2)\n"
        "print('OK')\n"
    )
    lp = str(tmp_path / "list.params")
    io.save_params(lp, [np.ones(3, np.float32), np.zeros((2, 2), np.int32)])
    r = subprocess.run(
        [MXNET_PY, "-c", script, p, str(tmp_path / "want.npz"), lp],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "OK" in r.stdout, r.stderr[-2000:]


def _valid():
    with open(_gold("nd_list.params"), "rb") as f:
        return f.read()


def test_bad_magic_names_file(tmp_path):
    p = tmp_path / "bad.params"
    p.write_bytes(b"\x00" * 64)
    with pytest.raises(io.ParamsFormatError, match=r"bad\.params.*bad magic"):
        io.load_params(p)


@pytest.mark.parametrize("cut", [4, 20, 40, 100, -1])
def test_truncated(tmp_path, cut):
    p = tmp_path / "t.params"
    p.write_bytes(_valid()[:cut])
    with pytest.raises(io.ParamsFormatError, match="truncated"):
        io.load_params(p)


def test_sparse_storage_rejected():
    raw = bytearray(_valid())
    struct.pack_into("<i", raw, 28, 1)  # storage type of the first array
    with pytest.raises(io.ParamsFormatError, match="storage type 1 .row_sparse."):
        io.loads(bytes(raw), "x.params")


def test_bad_type_flag_and_trailing_bytes():
    raw = bytearray(_valid())
    struct.pack_into("<i", raw, 52, 99)  # type flag of the first array
    with pytest.raises(io.ParamsFormatError, match="type flag 99"):
        io.loads(bytes(raw))
    with pytest.raises(io.ParamsFormatError, match="trailing"):
        io.loads(_valid() + b"\x00")


def test_name_count_mismatch():
    raw = io.dumps({"a": np.ones(1, np.float32), "b": np.ones(1, np.float32)})
    head = raw[: raw.rindex(struct.pack("<Q", 1) + b"a")]
    head = head[:-8] + struct.pack("<Q", 1)
    with pytest.raises(io.ParamsFormatError, match="2 arrays but 1 names"):
        io.loads(head + struct.pack("<Q", 1) + b"a")


def test_unsupported_input_types():
    with pytest.raises(TypeError, match="dict of arrays or a list"):
        io.dumps(np.ones(3))
    with pytest.raises(TypeError, match="complex64"):
        io.dumps([np.ones(2, np.complex64)])


def test_atomic_write_leaves_no_temp_files(tmp_path):
    p = tmp_path / "w.params"
    io.save_params(p, [np.ones(2, np.float32)])
    io.save_params(p, [np.zeros(3, np.float32)])
    assert os.listdir(tmp_path) == ["w.params"]
    np.testing.assert_array_equal(io.load_params(p)[0], np.zeros(3))
    with pytest.raises(TypeError):
        io.save_params(p, [object()])
    assert os.listdir(tmp_path) == ["w.params"]
    np.testing.assert_array_equal(io.load_params(p)[0], np.zeros(3))


def test_crafted_huge_shape_names_file_and_offset():
    # one V2 array of shape (2**32, 2**32): the element count overflows int64 products
    raw = struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<IiI", 0xF993FAC9, 0, 2)
    raw += struct.pack("<2q", 2**32, 2**32) + struct.pack("<iii", 1, 0, 0) + b"\0" * 16
    raw += struct.pack("<Q", 0)
    with pytest.raises(io.ParamsFormatError, match=r"crafted\.params.*4294967296.*byte offset 64"):
        io.loads(raw, "crafted.params")


def test_every_truncation_and_header_corruption_is_a_format_error():
    """Cutting the file anywhere, or overwriting any header word, never escapes as
    another exception (numpy/struct/Memory errors) and always names the file."""
    good = io.dumps({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(2, np.int8)})
    for cut in range(len(good)):
        with pytest.raises(io.ParamsFormatError, match=r"f\.params.*byte offset"):
            io.loads(good[:cut], "f.params")
    header_words = [o for o in range(0, 100, 4)]
    for off in header_words:
        for word in (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 40, 3):
            raw = bytearray(good)
            struct.pack_into("<I", raw, off, word)
            try:
                io.loads(bytes(raw), "f.params")
            except io.ParamsFormatError as e:
                assert "f.params" in str(e) and "byte offset" in str(e)


def test_load_parameters_dtype_mismatch_is_strict(tmp_path):
    from mxjax import gluon

    net = gluon.nn.Dense(2, in_units=3)
    net.initialize()
    p = str(tmp_path / "int.params")
    io.save_params(p, {"weight": np.ones((2, 3), np.int32), "bias": np.zeros(2, np.int32)})
    with pytest.raises(ValueError, match=r"expected float32 vs saved int32.*cast_dtype=True"):
        net.load_parameters(p)
    net.load_parameters(p, cast_dtype=True)
    assert net.weight.data().dtype == np.float32
    np.testing.assert_array_equal(net.weight.data().asnumpy(), np.ones((2, 3)))
