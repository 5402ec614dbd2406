"""Whole-model files (Model.save / train.load_model) and summary() without an input."""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

from mxjax import layers as L, train


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 5)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int32)


def _model():
    net = L.Sequential([L.Dense(8, activation="relu"), L.BatchNorm(), L.Dense(2)])
    m = train.Model(net, initializer="xavier")
    return m.compile("adam", "softmax_cross_entropy", metrics=["accuracy"], learning_rate=0.01)


def test_save_load_round_trip_continues_training_exactly(tmp_path):
    x, y = _data()
    a = _model()
    a.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    path = a.save(tmp_path / "m.npz")
    b = train.load_model(path)
    assert b.layer == a.layer and b._compile_config == a._compile_config
    for u, v in zip(jax.tree.leaves((a.params, a.state, a.opt_state)),
                    jax.tree.leaves((b.params, b.state, b.opt_state))):  # fmt: skip
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))
    # the optimizer state came back: one more epoch on both gives the same weights
    a.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    b.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for u, v in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params)):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=1e-6, atol=1e-7)
    # a plain npz without pickles: the layer tree is JSON
    with np.load(path, allow_pickle=False) as f:
        config = json.loads(f["config"].tobytes().decode())
    assert config["layer"]["class"] == "Sequential"
    assert not list(tmp_path.glob(".tmp-*"))  # the temporary file was renamed


def test_load_model_rejects_foreign_files_and_unknown_classes(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="not an mxjax model file"):
        train.load_model(tmp_path / "other.npz")
    bad = {"format": "mxjax.train.Model/1", "layer": {"class": "os.system", "fields": {}}}
    np.savez(tmp_path / "bad.npz", config=np.frombuffer(json.dumps(bad).encode(), np.uint8))
    with pytest.raises(ValueError, match="unknown layer class"):
        train.load_model(tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="no parameters"):
        _model().save(tmp_path / "empty.npz")


def test_model_summary_counts_parameters_without_running():
    m = _model()
    lines = []
    total = m.summary(input_shape=(5,), print_fn=lines.append)
    assert total == (5 * 8 + 8) + 2 * 8 + (8 * 2 + 2)  # Dense, BatchNorm gamma/beta, Dense
    assert any("(1, 8)" in s and "48" in s for s in lines)
    with pytest.raises(ValueError, match="never built"):
        _model().summary()
    x, y = _data()
    m.fit(x, y, epochs=1, verbose=0)
    assert m.summary(print_fn=lambda s: None) == total  # after fit: known shapes


def test_gluon_summary_without_input(capsys):
    from mxjax.gluon import nn

    net = nn.Sequential()
    net.add(nn.Dense(32, activation="relu", input_shape=(784,)), nn.Dense(10, activation="softmax"))
    net.summary()
    out = capsys.readouterr().out
    assert f"Total params: {784 * 32 + 32 + 32 * 10 + 10}" in out
    with pytest.raises(TypeError, match="needs an example input"):
        nn.Dense(3).summary()
