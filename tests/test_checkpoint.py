"""mxjax.io checkpoints: round trips of whole run states, strict checks, corruption, temporaries."""

import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mxjax import io


def _run_state():
    params = {"0": {"weight": jnp.arange(6.0).reshape(2, 3), "bias": jnp.zeros(2)}}
    opt_state = optax.adam(0.1).init(params)
    return {
        "params": params,
        "opt_state": opt_state,
        "key": jax.random.key(7),
        "step": jnp.asarray(5, jnp.int32),
        "ints": np.arange(3, dtype=np.int64),
    }


def test_round_trip_of_a_run_state_into_its_structure(tmp_path):
    state = _run_state()
    meta = {"epoch": 2, "rng": np.random.default_rng(3).bit_generator.state}
    io.save_checkpoint(tmp_path / "c", state, meta)
    tree, got_meta = io.load_checkpoint(tmp_path / "c", target=state)
    assert jax.tree.structure(tree) == jax.tree.structure(state)
    for a, b in zip(jax.tree.leaves(tree), jax.tree.leaves(state)):
        if jnp.issubdtype(b.dtype, jax.dtypes.prng_key):
            np.testing.assert_array_equal(jax.random.key_data(a), jax.random.key_data(b))
        else:
            assert np.asarray(a).dtype == np.asarray(b).dtype
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert got_meta == json.loads(json.dumps(meta))  # 128-bit PCG64 state survives JSON
    gen = np.random.default_rng()
    gen.bit_generator.state = got_meta["rng"]
    np.testing.assert_array_equal(gen.permutation(10), np.random.default_rng(3).permutation(10))
    flat, _ = io.load_checkpoint(tmp_path / "c")
    assert "params/0/weight" in flat and "opt_state/0/mu/0/bias" in flat


def test_manifest_names_version_shapes_and_hash(tmp_path):
    import mxjax

    io.save_checkpoint(tmp_path / "c", {"w": np.ones((2, 2), np.float32)}, {"step": 1})
    with open(tmp_path / "c" / "manifest.json") as f:
        manifest = json.load(f)
    assert manifest["format"] == "mxjax-checkpoint" and manifest["version"] == 1
    assert manifest["mxjax_version"] == mxjax.__version__
    assert manifest["arrays"] == [{"name": "w", "shape": [2, 2], "dtype": "<f4", "kind": "array"}]
    assert len(manifest["arrays_file"]["sha256"]) == 64


def test_target_mismatches_are_named(tmp_path):
    io.save_checkpoint(tmp_path / "c", {"w": np.ones(2, np.float32), "b": np.ones(1, np.float32)})
    with pytest.raises(io.CheckpointError, match=r"'w' has shape \(2,\).*expected \(3,\)"):
        io.load_checkpoint(
            tmp_path / "c", target={"w": np.ones(3, np.float32), "b": np.ones(1, np.float32)}
        )
    with pytest.raises(io.CheckpointError, match="'w' has dtype float32.*expected int32"):
        io.load_checkpoint(
            tmp_path / "c",
            target={"w": np.ones(2, np.int32), "b": np.ones(1, np.float32)},
        )
    with pytest.raises(io.CheckpointError, match="no array 'x'"):
        io.load_checkpoint(tmp_path / "c", target={"x": np.ones(2, np.float32)})
    with pytest.raises(io.CheckpointError, match=r"no place for arrays \['b'\]"):
        io.load_checkpoint(tmp_path / "c", target={"w": np.ones(2, np.float32)})
    tree, _ = io.load_checkpoint(tmp_path / "c", target={"w": np.ones(2, np.float32)}, strict=False)
    np.testing.assert_array_equal(tree["w"], np.ones(2))


def test_existing_path_and_unserializable_metadata_write_nothing(tmp_path):
    io.save_checkpoint(tmp_path / "c", {"w": np.ones(1)})
    with pytest.raises(FileExistsError):
        io.save_checkpoint(tmp_path / "c", {"w": np.ones(1)})
    with pytest.raises(TypeError):
        io.save_checkpoint(tmp_path / "d", {"w": np.ones(1)}, {"bad": object()})
    assert sorted(os.listdir(tmp_path)) == ["c"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "no_manifest", "bad_json", "version"])
def test_corrupt_checkpoints_raise_checkpoint_error(tmp_path, damage):
    path = tmp_path / "c"
    io.save_checkpoint(path, {"w": np.arange(100, dtype=np.float32)})
    arrays, manifest = path / "arrays.npz", path / "manifest.json"
    if damage == "flip":
        raw = bytearray(arrays.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        arrays.write_bytes(bytes(raw))
        match = "SHA-256"
    elif damage == "truncate":
        arrays.write_bytes(arrays.read_bytes()[:-10])
        match = "bytes; the manifest says"
    elif damage == "no_manifest":
        manifest.unlink()
        match = "not a complete mxjax checkpoint"
    elif damage == "bad_json":
        manifest.write_text(manifest.read_text()[:20])
        match = "corrupt"
    else:
        m = json.loads(manifest.read_text())
        m["version"] = 99
        manifest.write_text(json.dumps(m))
        match = "version 99 is not supported"
    with pytest.raises(io.CheckpointError, match=match):
        io.load_checkpoint(path)


def test_manager_keeps_newest_replaces_same_step_and_cleans_dead_temporaries(tmp_path):
    stale_dir = tmp_path / ".tmp-999999999-ckpt-4-abc"
    stale_dir.mkdir()
    (stale_dir / "arrays.npz").write_bytes(b"partial")
    stale_file = tmp_path / ".tmp-999999999-x.params"
    stale_file.write_bytes(b"partial")
    live = tmp_path / f".tmp-{os.getpid()}-in-progress"
    live.mkdir()
    mgr = io.CheckpointManager(tmp_path, max_to_keep=2)
    assert sorted(os.path.basename(p) for p in mgr.removed_temporaries) == [
        stale_dir.name,
        stale_file.name,
    ]
    assert live.exists()  # a live writer's temporary is left alone
    live.rmdir()
    with pytest.raises(io.CheckpointError, match="no checkpoint in"):
        mgr.restore()
    for step in (1, 2, 3):
        mgr.save(step, {"w": np.full(2, step, np.float32)}, {"step": step})
    mgr.save(3, {"w": np.full(2, 30, np.float32)}, {"step": 30})
    assert mgr.all_steps() == [2, 3]
    assert sorted(os.listdir(tmp_path)) == ["ckpt-2", "ckpt-3"]
    tree, meta = mgr.restore()
    assert meta == {"step": 30} and tree["w"].tolist() == [30.0, 30.0]
    assert mgr.restore(step=2)[1] == {"step": 2}
    with pytest.raises(ValueError, match="max_to_keep must be an integer >= 1"):
        io.CheckpointManager(tmp_path, max_to_keep=0)


def test_atomic_params_writes_name_their_writer(tmp_path, monkeypatch):
    seen = []
    real = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    io.save_params(tmp_path / "w.params", {"w": np.ones(1, np.float32)})
    assert seen[0].startswith(f".tmp-{os.getpid()}-")
