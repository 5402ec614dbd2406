"""mx.image and the Gluon (NDArray) flavour of the vision transforms.

Goldens: tests/golden/data/resize_cubic.npz (make_golden_cubic.py, real MXNet 1.9.1 / OpenCV);
rotations and crops against NumPy written here.
"""

import io
import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import nd
from mxjax.gluon.data.vision import transforms as GT

HERE = os.path.join(os.path.dirname(__file__), "..", "golden", "data")
IMG = np.load(os.path.join(HERE, "transforms_golden.npz"))["img"]  # (9, 12, 3) uint8
CUBIC = np.load(os.path.join(HERE, "resize_cubic.npz"))


@pytest.mark.parametrize("name,dtype", [("u8", "uint8"), ("f32", "float32")])
def test_bicubic_imresize_matches_mxnet(name, dtype):
    a = nd.array(IMG, dtype=dtype)
    atol = 1.0 if dtype == "uint8" else 1e-2  # OpenCV's fixed-point arithmetic on uint8
    for key, (w, h) in (("down", (7, 5)), ("up", (17, 13))):
        out = mx.image.imresize(a, w, h, 2)
        assert isinstance(out, nd.NDArray) and out.dtype == np.dtype(dtype)
        np.testing.assert_allclose(
            out.asnumpy().astype(np.float64), CUBIC[f"cubic_{name}_{key}"], atol=atol
        )
    same = GT.Resize((17, 13), interpolation=2)(a)
    np.testing.assert_array_equal(same.asnumpy(), mx.image.imresize(a, 17, 13, 2).asnumpy())


def test_image_helpers_match_mxnet():
    a = nd.array(IMG, dtype="uint8")
    np.testing.assert_allclose(
        mx.image.resize_short(a, 4).asnumpy(), CUBIC["resize_short_4"], atol=1
    )
    np.testing.assert_allclose(
        mx.image.fixed_crop(a, 1, 2, 5, 4, size=(3, 3)).asnumpy(), CUBIC["fixed_crop"], atol=1
    )
    out = mx.image.color_normalize(
        a.astype("float32"), nd.array([10.0, 20.0, 30.0]), nd.array([2.0, 3.0, 4.0])
    )
    np.testing.assert_allclose(out.asnumpy(), CUBIC["color_normalize"], rtol=1e-6)
    assert mx.image.scale_down((640, 480), (720, 120)) == (640, 106)


def test_imdecode_png_round_trip():
    from PIL import Image

    f = io.BytesIO()
    Image.fromarray(IMG).save(f, "PNG")
    rgb = mx.image.imdecode(f.getvalue())
    np.testing.assert_array_equal(rgb.asnumpy(), IMG)
    bgr = mx.image.imdecode(f.getvalue(), to_rgb=False)
    np.testing.assert_array_equal(bgr.asnumpy(), IMG[:, :, ::-1])
    gray = mx.image.imdecode(f.getvalue(), flag=0)
    assert gray.shape == (9, 12, 1) and gray.dtype == np.uint8
    with pytest.raises(ValueError, match="decode"):
        mx.image.imdecode(b"not an image")


def test_gluon_transforms_return_ndarrays_and_raise_mxnet_errors():
    x = nd.array(IMG, dtype="uint8")
    t = GT.ToTensor()(x)
    assert isinstance(t, nd.NDArray) and t.dtype == np.float32
    np.testing.assert_allclose(t.asnumpy(), IMG.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    assert isinstance(GT.ToTensor()(IMG), np.ndarray)  # NumPy in, NumPy out
    norm = GT.Normalize((0, 1, 2), (3, 2, 1))
    with pytest.raises(mx.MXJaxError):
        norm(nd.ones((5, 4, 3, 3)))  # 4 channels for 3 means
    with pytest.raises(ValueError):
        GT.ToTensor()(nd.ones((1, 2, 3, 4, 3)))
    bad = GT.Resize(-150, keep_ratio=True)  # checked when applied, as MXNet
    with pytest.raises(mx.MXJaxError, match="positive"):
        bad(x)


def test_crop_resize():
    x = nd.arange(60).reshape((5, 4, 3))
    out = GT.CropResize(0, 0, 3, 2)(x).asnumpy()
    np.testing.assert_array_equal(out, np.arange(60).reshape(5, 4, 3)[0:2, 0:3])
    batch = np.arange(180).reshape(2, 6, 5, 3)
    out = GT.CropResize(1, 2, 3, 4)(nd.array(batch)).asnumpy()
    np.testing.assert_array_equal(out, batch[:, 2:6, 1:4])
    resized = GT.CropResize(0, 0, 4, 3, (2, 2), 1)(IMG)
    np.testing.assert_array_equal(resized, GT.Resize(2)(IMG[:3, :4]))
    for bad in (
        GT.CropResize(0, 0, -1, 2),
        GT.CropResize(10, 0, 4, 4),
        GT.CropResize(0, 0, 2, 2, (-2, 2)),
    ):
        with pytest.raises(mx.MXJaxError):
            bad(IMG)


def test_rotate_right_angles_and_random_rotation():
    img = np.zeros((1, 3, 3), np.float32)
    img[0, 1, 2] = 1.0
    want = {90.0: (0, 1), 180.0: (1, 0), 270.0: (2, 1), 360.0: (1, 2)}
    for deg, (r, c) in want.items():
        out = GT.Rotate(deg)(nd.array(img)).asnumpy()
        expect = np.zeros_like(img)
        expect[0, r, c] = 1.0
        np.testing.assert_allclose(out, expect, atol=1e-6)
    # 45 degrees: the centre pixel of a constant image keeps its value; corners get zeros
    ones = np.ones((1, 7, 7), np.float32)
    out = GT.Rotate(45.0)(ones)
    assert out[0, 3, 3] == pytest.approx(1.0) and out[0, 0, 0] == 0.0
    assert GT.Rotate(45.0, zoom_in=True)(ones).min() == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(TypeError, match="floating"):
        GT.Rotate(10.0)(nd.ones((3, 4, 4), dtype="uint8"))
    with pytest.raises(ValueError, match="rotate_with_proba"):
        GT.RandomRotation((-10, 10), rotate_with_proba=1.5)
    data = np.random.RandomState(0).normal(size=(3, 6, 6)).astype(np.float32)
    np.testing.assert_array_equal(GT.RandomRotation((-100, 100), rotate_with_proba=0.0)(data), data)
    assert GT.RandomRotation((-10, 10))(nd.ones((2, 3, 6, 8))).shape == (2, 3, 6, 8)
