"""gluon.model_zoo.vision against MXNet 1.9.1 goldens (tests/golden/zoo/make_golden.py).

Names and shapes of every network are checked with a shape-only forward
(``jax.eval_shape``: deferred parameter shapes are inferred without running
the convolutions); two networks are run for real with seeded weights and
compared with MXNet's outputs; an MXNet-written ``.params`` file is loaded.
"""

import gzip
import hashlib
import json
import os
import re
import zipfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import mxjax as mx
from mxjax import io as mio
from mxjax.gluon import model_zoo
from mxjax.gluon.model_zoo import model_store, vision

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "zoo")
with gzip.open(os.path.join(GOLDEN, "names.json.gz"), "rt") as _f:
    NAMES = json.load(_f)
ARRAYS = dict(np.load(os.path.join(GOLDEN, "outputs.npz")))


def _shape_only_forward(net, shape):
    """Runs ``net`` on an abstract input: fills deferred shapes, computes nothing."""
    from mxjax._src.nd import random as nd_random
    from mxjax._src.nd.ndarray import NDArray

    def f(x):
        return jnp.asarray(net(NDArray(x)))

    saved = nd_random._key  # deferred init draws keys from the global generator
    try:
        return jax.eval_shape(f, jax.ShapeDtypeStruct(tuple(shape), jnp.float32)).shape
    finally:
        nd_random._key = saved


def _build(entry):
    return vision.get_model(entry["model"], classes=10, **entry["kwargs"])


_HEAVY = {"densenet121", "resnet50_v1", "resnet50_v2", "mobilenetv2_1.0"}


def _strip(names, prefix):
    assert all(n.startswith(prefix) for n in names)
    return [n[len(prefix) :] for n in names]


@pytest.mark.parametrize(
    "key", [pytest.param(k, marks=pytest.mark.slow) if k in _HEAVY else k for k in sorted(NAMES)]
)
def test_names_and_shapes_match_mxnet(key):
    entry = NAMES[key]
    net = _build(entry)
    net.initialize()
    out_shape = _shape_only_forward(net, entry["input_shape"])
    assert list(out_shape) == entry["output_shape"]
    structural = sorted([k, list(p.shape)] for k, p in net._collect_params_with_prefix().items())
    assert structural == entry["structural"]
    # the block counter differs between processes: compare the alias, then the rest
    alias = re.sub(r"\d+_$", "", entry["prefix"])
    assert re.fullmatch(rf"{alias}\d+_", net.prefix), (net.prefix, entry["prefix"])
    names = list(net.collect_params().keys())
    assert _strip(names, net.prefix) == _strip(entry["prefixed"], entry["prefix"])


def _seeded_weights(shapes):
    """The generator's recipe: one RandomState over sorted structural names."""
    rng = np.random.RandomState(0)
    out = {}
    for name in sorted(shapes):
        shape = tuple(shapes[name])
        if name.endswith(("running_var", "gamma")):
            v = rng.uniform(0.5, 1.5, shape)
        elif name.endswith(("running_mean", "beta", "bias")):
            v = rng.uniform(-0.1, 0.1, shape)
        else:
            v = rng.standard_normal(shape) * np.sqrt(2.0 / int(np.prod(shape[1:])))
        out[name] = v.astype(np.float32)
    return out


@pytest.mark.parametrize(
    "key",
    [
        "resnet18_v1_thumbnail",
        "mobilenet1.0",
        pytest.param("mobilenetv2_1.0", marks=pytest.mark.slow),
        "squeezenet1.1",
    ],
)
def test_outputs_match_mxnet_with_loaded_weights(key, tmp_path):
    entry = NAMES[key]
    net = _build(entry)
    weights = _seeded_weights({k: s for k, s in entry["structural"]})
    path = str(tmp_path / "w.params")
    mio.save_params(path, weights)
    net.load_parameters(path)
    net.hybridize()
    x = np.random.RandomState(1).uniform(-1, 1, entry["input_shape"]).astype(np.float32)
    y = net(mx.nd.array(x)).asnumpy()
    np.testing.assert_allclose(y, ARRAYS[f"{key}/y"], rtol=1e-4, atol=1e-5)


def test_training_mode_matches_mxnet(tmp_path):
    """Batch statistics, running-stat update and gradients of a ResNet-18 (thumbnail)."""
    entry = NAMES["resnet18_v1_thumbnail"]
    net = _build(entry)
    path = str(tmp_path / "w.params")
    mio.save_params(path, _seeded_weights({k: s for k, s in entry["structural"]}))
    net.load_parameters(path)
    net.hybridize()
    x = np.random.RandomState(3).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32)
    with mx.autograd.record():
        y = net(mx.nd.array(x))
    y.backward()
    params = net._collect_params_with_prefix()
    np.testing.assert_allclose(y.asnumpy(), ARRAYS["train/y"], rtol=1e-4, atol=1e-5)
    # The first conv's gradient passes back through 17 BatchNorms at batch size 2,
    # which amplifies float32 rounding differently per XLA version: compare it as a
    # whole (relative L2 error) rather than element by element.
    grad = params["features.0.weight"].grad().asnumpy()
    ref = ARRAYS["train/grad_conv0"]
    assert np.linalg.norm(grad - ref) / np.linalg.norm(ref) < 2e-2
    np.testing.assert_allclose(
        params["features.1.0.body.1.running_mean"].data().asnumpy(),
        ARRAYS["train/running_mean"],
        rtol=1e-4,
        atol=1e-6,
    )


def test_mxnet_written_params_file_loads():
    net = vision.get_model("mlp", classes=10, hidden=(128, 64))
    net.load_parameters(os.path.join(GOLDEN, "mlp.params"))
    y = net(mx.nd.array(ARRAYS["mlp_file/x"])).asnumpy()
    np.testing.assert_allclose(y, ARRAYS["mlp_file/y"], rtol=1e-4, atol=1e-6)


def test_thumbnail_stem_is_one_3x3_conv():
    net = vision.resnet18_v1(classes=10, thumbnail=True)
    assert type(net.features[0]).__name__ == "Conv2D"
    assert type(net.features[1]).__name__ == "HybridSequential"


def test_get_model_errors_and_aliases():
    with pytest.raises(ValueError, match="get_model: name must be one of"):
        vision.get_model("resnet19_v1")
    with pytest.raises(ValueError, match="classes must be a positive int; received 0"):
        vision.get_model("alexnet", classes=0)
    with pytest.raises(ValueError, match="version must be one of"):
        vision.SqueezeNet("2.0")
    with pytest.raises(ValueError, match="no pretrained weights"):
        vision.lenet(pretrained=True)
    assert type(model_zoo.get_model("MobileNet1.0")).__name__ == "MobileNet"
    assert vision.squeezenet1_1().name.startswith("squeezenet")
    assert type(vision.mobilenet_v2_1_0()).__name__ == "MobileNetV2"
    assert type(vision.densenet121()).__name__ == "DenseNet"


def test_mlp_gradients():
    net = vision.MLP(classes=2, hidden=(3,))
    net.initialize()
    net(mx.nd.ones((1, 4)))
    params = net._collect_params_with_prefix()
    w1, b1 = params["features.0.weight"].data().asnumpy(), params["features.0.bias"].data()
    w2, b2 = params["output.weight"].data().asnumpy(), params["output.bias"].data()
    x = np.random.RandomState(0).uniform(-1, 1, (2, 4)).astype(np.float32)
    ref = np.maximum(x @ w1.T + b1.asnumpy(), 0) @ w2.T + b2.asnumpy()
    np.testing.assert_allclose(net(mx.nd.array(x)).asnumpy(), ref, rtol=1e-5, atol=1e-6)


def test_residual_block_gradients():
    """check_grads through a small ResNet (inference mode) and a HybridConcurrent."""
    from jax.test_util import check_grads

    from mxjax._src.nd.ndarray import NDArray

    net = vision.ResNetV1(vision.BasicBlockV1, [1], [2, 3], classes=2, thumbnail=True)
    net.initialize()
    x = np.random.RandomState(0).uniform(-1, 1, (1, 3, 4, 4)).astype(np.float32)
    net(mx.nd.array(x))

    def f(v):
        return jnp.asarray(net(NDArray(v)))

    check_grads(f, (jnp.asarray(x),), order=1, modes=["rev"], atol=2e-2, rtol=2e-2, eps=1e-3)
    cat = vision.HybridConcurrent(axis=1)
    cat.add(vision.Identity(), vision.Identity())
    np.testing.assert_array_equal(cat(mx.nd.array(x)).asnumpy(), np.concatenate([x, x], axis=1))
    check_grads(lambda v: jnp.asarray(cat(NDArray(v))), (jnp.asarray(x),), order=1)


# ----------------------------------------------------------------- pretrained
def _fake_weights(tmp_path, name):
    """A tiny .params file and the sha1 table entry pointing at it."""
    net = vision.get_model("mlp", classes=2, hidden=(3,))
    net.initialize()
    net(mx.nd.ones((1, 4)))
    src = str(tmp_path / "src.params")
    net.save_parameters(src)
    with open(src, "rb") as f:
        data = f.read()
    return net, data, hashlib.sha1(data).hexdigest()


@pytest.fixture
def fake_store(tmp_path, monkeypatch):
    from mxjax._src.zoo import model_store as store

    net, data, sha1 = _fake_weights(tmp_path, "mlp")
    monkeypatch.setitem(store._MODEL_SHA1, "resnet18_v1", sha1)
    calls = []

    def fake_download(url, path=None, overwrite=False, sha1_hash=None, **kw):
        calls.append(url)
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(f"resnet18_v1-{sha1[:8]}.params", data)
        return path

    def offline(url, path=None, **kw):
        calls.append(url)
        raise OSError("network is unreachable")

    monkeypatch.setattr(store._gutils, "download", offline)
    return store, sha1, data, calls, fake_download, monkeypatch


def test_pretrained_offline_error_names_file_and_folder(fake_store, tmp_path, monkeypatch):
    store, sha1, _, calls, _, _ = fake_store
    root = str(tmp_path / "models")
    with pytest.raises(OSError, match=f"resnet18_v1-{sha1[:8]}.params") as err:
        vision.get_model("resnet18_v1", pretrained=True, root=root)
    assert root in str(err.value)
    assert calls and calls[0].endswith(f"gluon/models/resnet18_v1-{sha1[:8]}.zip")
    monkeypatch.setenv("MXJAX_HOME", str(tmp_path / "home"))
    with pytest.raises(OSError, match=str(tmp_path / "home" / "models")):
        store.get_model_file("resnet18_v1")


def test_pretrained_download_is_verified_and_atomic(fake_store, tmp_path):
    store, sha1, data, calls, fake_download, monkeypatch = fake_store
    monkeypatch.setattr(store._gutils, "download", fake_download)
    root = str(tmp_path / "models")
    path = store.get_model_file("resnet18_v1", root=root)
    assert path == os.path.join(root, f"resnet18_v1-{sha1[:8]}.params")
    with open(path, "rb") as f:
        assert f.read() == data
    assert sorted(os.listdir(root)) == [os.path.basename(path)]  # no temp files left
    n = len(calls)
    assert store.get_model_file("resnet18_v1", root=root) == path  # cached: no download
    assert len(calls) == n
    with open(path, "ab") as f:  # corrupt file: fetched again
        f.write(b"x")
    store.get_model_file("resnet18_v1", root=root)
    assert len(calls) == n + 1
    model_store.purge(root)
    assert os.listdir(root) == []


def test_pretrained_bad_hash_raises(fake_store, tmp_path):
    store, sha1, data, calls, fake_download, monkeypatch = fake_store
    monkeypatch.setitem(store._MODEL_SHA1, "resnet18_v1", "0" * 40)

    def bad_download(url, path=None, **kw):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("resnet18_v1-00000000.params", data)
        return path

    monkeypatch.setattr(store._gutils, "download", bad_download)
    root = str(tmp_path / "m")
    with pytest.raises(OSError, match="sha1 does not match"):
        store.get_model_file("resnet18_v1", root=root)
    assert os.listdir(root) == []


def test_pretrained_loads_into_network(fake_store, tmp_path):
    store, sha1, data, calls, fake_download, monkeypatch = fake_store
    from mxjax._src.zoo import registry

    monkeypatch.setitem(store._MODEL_SHA1, "mlp", sha1)

    def mlp_pretrained(pretrained=False, ctx=None, root=None, **kw):
        net = vision.MLP(**kw)
        if pretrained:
            store.load_pretrained(net, "mlp", root, ctx)
        return net

    monkeypatch.setitem(registry._MODELS, "mlp", mlp_pretrained)
    root = tmp_path / "r"
    root.mkdir()
    (root / f"mlp-{sha1[:8]}.params").write_bytes(data)
    net = vision.get_model("mlp", classes=2, hidden=(3,), pretrained=True, root=str(root))
    assert net(mx.nd.ones((1, 4))).shape == (1, 2)
    assert calls == []


def test_short_hash_matches_mxnet_table():
    assert model_store.short_hash("resnet18_v1") == "a0666292"
    assert model_store.short_hash("mobilenetv2_1.0") == "36da4ff1"
    with pytest.raises(ValueError, match="no pretrained weights are published for 'x'"):
        model_store.short_hash("x")
