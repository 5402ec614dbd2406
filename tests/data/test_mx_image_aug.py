"""``mx.image`` augmenters and geometry against MXNet 1.9.1 (tests/golden/image_aug)."""

import os

import numpy as np
import pytest

import mxjax as mx
from mxjax.data import sample_rng

G = np.load(os.path.join(os.path.dirname(__file__), "..", "golden", "image_aug", "golden.npz"))
IMG = G["img"]
ND = mx.nd.array(IMG, dtype="uint8")
NDF = mx.nd.array(IMG.astype(np.float32))
IM = mx.image


def _close(got, key, atol):
    assert isinstance(got, mx.nd.NDArray)
    want = G[key]
    assert got.shape == want.shape, (key, got.shape, want.shape)
    np.testing.assert_allclose(got.asnumpy().astype(np.float64), want, atol=atol, err_msg=key)


def test_deterministic_augmenters_match_mxnet():
    _close(IM.ForceResizeAug((5, 4), interp=1)(ND), "force_resize", 1)
    _close(IM.CenterCropAug((4, 4), interp=1)(ND), "center_crop", 1)
    _close(IM.ResizeAug(3, interp=1)(ND), "resize_short", 1)
    full = IM.RandomSizedCropAug((4, 3), (1.0, 1.0), (8 / 6, 8 / 6), interp=1)
    _close(full(ND), "size_crop", 1)
    norm = IM.ColorNormalizeAug(mx.nd.array([120, 110, 100]), mx.nd.array([50, 60, 70]))
    _close(norm(NDF), "normalize", 1e-5)
    _close(IM.HueJitterAug(0.0)(NDF), "hue0", 1e-3)
    _close(IM.ContrastJitterAug(0.0)(NDF), "contrast0", 1e-3)
    _close(IM.SaturationJitterAug(0.0)(NDF), "saturation0", 1e-3)
    _close(IM.RandomGrayAug(1.0)(NDF), "gray", 1e-3)
    _close(IM.HorizontalFlipAug(1.0)(NDF), "flip", 0)
    light = IM.LightingAug(0.0, np.array([55.46, 4.794, 1.148]), np.eye(3))
    _close(light(NDF), "lighting0", 0)


@pytest.mark.parametrize("border", range(5))
def test_copy_make_border_matches_mxnet(border):
    _close(IM.copyMakeBorder(NDF, 2, 1, 3, 2, type=border), f"border{border}", 0)


def test_border_values_and_rotation_match_mxnet():
    _close(IM.copyMakeBorder(NDF, 1, 1, 1, 1, type=0, values=(1.0, 2.0, 3.0)), "border_values", 0)
    chw = mx.nd.array(IMG.astype(np.float32).transpose(2, 0, 1) / 255)
    _close(IM.imrotate(chw, 30), "rot30", 1e-4)
    _close(IM.imrotate(chw, 30, zoom_in=True), "rot30_in", 1e-4)
    batch = mx.nd.stack(chw, chw)
    _close(IM.imrotate(batch, mx.nd.array([15, -40]), zoom_out=True), "rot_batch", 1e-4)
    with pytest.raises(TypeError, match="float32"):
        IM.imrotate(ND, 10)
    with pytest.raises(ValueError, match="both"):
        IM.imrotate(chw, 10, zoom_in=True, zoom_out=True)


def test_create_augmenter_lists_what_mxnet_lists():
    augs = IM.CreateAugmenter(
        (3, 4, 4), resize=5, rand_crop=True, rand_resize=True, rand_mirror=True, mean=True,
        std=True, brightness=0.1, contrast=0.2, saturation=0.3, hue=0.1, pca_noise=0.1,
        rand_gray=0.2,
    )  # fmt: skip
    got = [str(a.dumps()) for a in augs]
    want = [str(s) for s in G["augs"]]
    # mean/std are float32 in MXNet (printed with float32 noise): compare the names and keys.
    assert [g.split(",")[0] for g in got] == [w.split(",")[0] for w in want]
    assert got[:6] == want[:6]
    with sample_rng(np.random.default_rng(0)):
        out = IM.SequentialAug(augs)(ND)
    assert out.shape == (4, 4, 3) and out.dtype == np.float32
    with sample_rng(np.random.default_rng(0)):
        again = IM.SequentialAug(augs)(IMG)  # NumPy in, NumPy out, same draws
    assert isinstance(again, np.ndarray)
    np.testing.assert_allclose(again, out.asnumpy(), rtol=1e-6)


def test_user_augmenter_overriding_call_works_in_lists():
    class AddOne(IM.Augmenter):
        def __call__(self, src):
            assert isinstance(src, mx.nd.NDArray)
            return src + 1

    out = IM.SequentialAug([IM.CastAug(), AddOne()])(ND)
    np.testing.assert_array_equal(out.asnumpy(), IMG.astype(np.float32) + 1)


def test_numpy_in_numpy_out_and_img_alias():
    assert mx.img is mx.image
    out, box = IM.center_crop(IMG, (4, 4))
    assert isinstance(out, np.ndarray) and box == (2, 1, 4, 4)
    np.testing.assert_array_equal(out, IM.center_crop(ND, (4, 4))[0].asnumpy())
    assert isinstance(IM.resize_short(IMG, 3), np.ndarray)
    assert isinstance(IM.copyMakeBorder(IMG, 1, 1, 1, 1), np.ndarray)
    assert isinstance(IM.random_size_crop(ND, (3, 3), 0.5, (0.8, 1.2))[0], mx.nd.NDArray)
