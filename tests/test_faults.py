"""Fault injection: real kills in subprocesses, corrupt files, bad arguments and labels.

Every case here is a way a training run dies or is fed garbage in practice
(a scheduler's SIGKILL, a full disk, a crafted file); each must either leave
a usable state behind or fail at once with a message that names the problem.
"""

import json
import logging
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from mxjax import io

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _env(**extra):
    """The subprocess environment: no MXJAX_ settings of the caller (a test that runs
    mxjax passes its own ``MXJAX_CACHE_DIR``: the runs of one case share compiled programs
    without writing to the user's cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MXJAX_")}
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("JAX_PLATFORMS", "cpu")
    env.update(extra)
    return env


def _kill_after_line(cmd, marker, delay, timeout=120, env=None):
    """Starts ``cmd``, waits for ``marker`` on its stdout, sleeps ``delay``, then SIGKILLs it."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _env()
    )
    deadline = time.monotonic() + timeout
    lines = []
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if marker in line:
                time.sleep(delay)
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        out, err = proc.communicate(timeout=60)
    lines.append(out)
    if not any(marker in ln for ln in lines):
        raise AssertionError(f"{marker!r} never appeared; stderr:\n{err[-3000:]}")
    return "".join(lines)


_WRITER = """
import sys, numpy as np
from mxjax._src.io.checkpoint import CheckpointManager
mgr = CheckpointManager(sys.argv[1], max_to_keep=2)
step = (mgr.latest_step() or 0) + 1
while True:
    tree = {"w": np.full(400_000, step, np.float32), "b": {"c": np.full(3, step, np.int64)}}
    mgr.save(step, tree, {"step": step})
    print("saved", step, flush=True)
    step += 1
"""


def test_kill_during_checkpoint_writes_leaves_only_complete_checkpoints(tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    ckpt = tmp_path / "ckpt"
    rng = random.Random(0)
    last = 0
    for _ in range(4):
        _kill_after_line([sys.executable, str(script), str(ckpt)], "saved", rng.uniform(0, 0.15))
        mgr = io.CheckpointManager(ckpt, max_to_keep=2)
        steps = mgr.all_steps()
        assert steps and steps[-1] > last
        last = steps[-1]
        for step in steps:  # every committed checkpoint is whole and consistent
            tree, meta = mgr.restore(step=step)
            assert meta == {"step": step}
            assert (tree["w"] == step).all() and tree["w"].shape == (400_000,)
            assert (tree["b/c"] == step).all()
        assert all(name.startswith("ckpt-") for name in os.listdir(ckpt)), os.listdir(ckpt)


def test_corrupt_params_files_fail_with_the_file_and_offset(tmp_path):
    good = io.dumps({"w": np.ones((3, 4), np.float32), "b": np.zeros(4, np.float32)})
    rng = np.random.default_rng(0)
    for trial in range(40):
        raw = bytearray(good)
        for pos in rng.integers(0, len(raw), size=3):
            raw[pos] = rng.integers(0, 256)
        path = tmp_path / f"f{trial}.params"
        path.write_bytes(bytes(raw[: rng.integers(len(raw) // 2, len(raw) + 1)]))
        try:
            io.load_params(path)
        except io.ParamsFormatError as e:
            assert path.name in str(e) and "byte offset" in str(e)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch-size", "0"], "--batch-size: expected an integer >= 1; received 0"),
        (["--epochs", "-1"], "--epochs: expected an integer >= 1; received -1"),
        (["--lr", "abc"], "--lr: expected a positive number; received 'abc'"),
    ],
)
def test_cli_bad_arguments_exit_2_without_traceback(tmp_path, args, message):
    proc = subprocess.run(
        [sys.executable, "-m", "mxjax", "train", *args, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and not (tmp_path / "o").exists()


def _same_npz(a, b):
    with np.load(a) as fa, np.load(b) as fb:
        assert sorted(fa.files) == sorted(fb.files)
        for k in fa.files:
            np.testing.assert_array_equal(fa[k], fb[k], err_msg=k)


@pytest.mark.parametrize("hybridize", [False, True])
def test_gluon_loop_killed_and_resumed_is_bit_identical(tmp_path, hybridize):
    """Shuffling DataLoader, Dropout, momentum and a FactorScheduler: kill -9 at a random
    moment after the first checkpoint, resume, and get the same weights and losses."""
    script = os.path.join(ROOT, "tests", "faults", "gluon_run.py")
    flag = ["--hybridize"] if hybridize else []
    ref, out, ckpt = tmp_path / "ref.npz", tmp_path / "out.npz", tmp_path / "ckpt"
    env = _env(MXJAX_CACHE_DIR=str(tmp_path / "jax-cache"))
    subprocess.run(
        [sys.executable, script, str(ref), "-", "4", *flag], check=True, env=env, timeout=300
    )
    rng = random.Random(1 + hybridize)
    cmd = [sys.executable, script, str(out), str(ckpt), "4", *flag]
    _kill_after_line(cmd, "epoch 1", rng.uniform(0, 0.5), env=env)
    assert not out.exists()  # killed before the end
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _same_npz(ref, out)


@pytest.mark.parametrize("bad", [10, -1])
def test_eager_gluon_softmax_ce_names_the_bad_label(bad):
    import mxjax as mx
    from mxjax import autograd, gluon

    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    label = mx.nd.array([1, 2, bad, 3])
    with pytest.raises(ValueError, match=rf"label {float(bad)!r} of sample 2 .*\[0, 10\)"):
        loss(mx.nd.ones((4, 10)), label)
    net = gluon.nn.Dense(10, in_units=3)
    net.initialize()
    net.hybridize()
    with autograd.record(), pytest.raises(ValueError, match=r"of sample 2 is outside"):
        loss(net(mx.nd.ones((4, 3))), label)
    ok = loss(mx.nd.zeros((2, 10)), mx.nd.array([0, 9])).asnumpy()
    np.testing.assert_allclose(ok, np.full(2, np.log(10)), rtol=1e-6)


def test_jitted_gluon_loss_keeps_the_documented_nan():
    import jax
    import jax.numpy as jnp

    import mxjax as mx
    from mxjax import gluon

    loss = gluon.loss.SoftmaxCrossEntropyLoss()

    @jax.jit
    def f(pred, label):
        return loss(mx.nd.NDArray(pred), mx.nd.NDArray(label)).jax

    out = np.asarray(f(jnp.zeros((2, 3)), jnp.asarray([0, 5])))
    assert np.isfinite(out[0]) and np.isnan(out[1])


@pytest.mark.parametrize("source", ["arrays", "loader"])
def test_fit_killed_and_resumed_with_backup_and_restore_is_bit_identical(tmp_path, source):
    """Shuffled data (arrays or a DataLoader), Dropout, momentum and an mx.optimizer LR
    schedule: kill -9 at a random moment, rerun, same weights and same history."""
    script = os.path.join(ROOT, "tests", "faults", "fit_run.py")
    flag = ["--loader"] if source == "loader" else []
    ref, out, backup = tmp_path / "ref.npz", tmp_path / "out.npz", tmp_path / "backup"
    env = _env(MXJAX_CACHE_DIR=str(tmp_path / "jax-cache"))
    subprocess.run(
        [sys.executable, script, str(ref), "-", "4", *flag], check=True, env=env, timeout=300
    )
    rng = random.Random(7 if source == "arrays" else 8)
    cmd = [sys.executable, script, str(out), str(backup), "4", *flag]
    _kill_after_line(cmd, f"epoch {rng.choice([1, 2])}", rng.uniform(0, 0.3), env=env)
    assert not out.exists()  # killed before the end
    assert io.CheckpointManager(backup).latest_step() is not None
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    _same_npz(ref, out)
    assert not backup.exists()  # deleted once training finished (Keras' default)


@pytest.mark.parametrize(
    "kwargs, err, msg",
    [
        ({"batch_size": 0}, ValueError, "fit: batch_size must be an integer >= 1; received 0"),
        ({"batch_size": -2}, ValueError, "batch_size must be an integer >= 1; received -2"),
        ({"batch_size": 3.5}, TypeError, "batch_size must be an integer >= 1; received float 3.5"),
        ({"epochs": 0}, ValueError, "fit: epochs must be an integer >= 1; received 0"),
        ({"epochs": "2"}, TypeError, "epochs must be an integer >= 1; received str '2'"),
        ({"initial_epoch": -1}, ValueError, "initial_epoch must be an integer >= 0"),
        ({"steps_per_epoch": 0}, ValueError, "steps_per_epoch must be an integer >= 1"),
    ],
)
def test_fit_rejects_bad_counts(kwargs, err, msg):
    from mxjax import layers as L, train

    model = train.Model(L.Dense(2))
    model.compile("sgd", "softmax_cross_entropy")
    args = {"batch_size": 4, "epochs": 1, "verbose": 0, **kwargs}
    with pytest.raises(err, match=msg):
        model.fit(np.ones((8, 3), np.float32), np.zeros(8, np.int32), **args)


def test_compile_and_set_learning_rate_reject_bad_rates():
    from mxjax import layers as L, train

    model = train.Model(L.Dense(2))
    with pytest.raises(TypeError, match="compile: learning_rate must be a real number"):
        model.compile("sgd", "softmax_cross_entropy", learning_rate="abc")
    with pytest.raises(ValueError, match="compile: learning_rate must be > 0; received -1"):
        model.compile("sgd", "softmax_cross_entropy", learning_rate=-1.0)
    model.compile("sgd", "softmax_cross_entropy", learning_rate=0.1)
    with pytest.raises(ValueError, match="set_learning_rate: lr must be finite"):
        model.set_learning_rate(float("nan"))


def test_cli_train_killed_and_resumed_is_bit_identical(tmp_path):
    """`mxjax train` killed by SIGKILL after its first checkpoint, then `--resume`: the same
    parameters file and the same metrics history as an uninterrupted run."""
    common = ["-m", "mxjax", "train", "--model", "mlp", "--dataset", "mnist-5k", "--epochs", "3"]
    common += ["--batch-size", "256", "--no-plot", "--verbose", "0", "--lr", "0.01"]
    ref, run = tmp_path / "ref", tmp_path / "run"
    env = _env(MXJAX_CACHE_DIR=str(tmp_path / "jax-cache"))
    subprocess.run([sys.executable, *common, "--out", str(ref)], check=True, env=env, timeout=600)
    proc = subprocess.Popen(
        [sys.executable, *common, "--out", str(run)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (run / "checkpoints" / "ckpt-1").exists():
        time.sleep(0.01)
    time.sleep(random.Random(3).uniform(0, 0.2))
    proc.kill()
    proc.wait()
    assert not (run / "metrics.json").exists()  # killed before the end
    resumed = subprocess.run(
        [sys.executable, *common, "--out", str(run), "--resume", str(run)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming from" in resumed.stdout
    assert (ref / "mlp.params").read_bytes() == (run / "mlp.params").read_bytes()
    with open(ref / "metrics.json") as f, open(run / "metrics.json") as g:
        a, b = json.load(f), json.load(g)
    assert a["history"] == b["history"] and a["test_accuracy"] == b["test_accuracy"]


def test_model_checkpoint_save_best_only_without_validation_warns(tmp_path):
    from mxjax import layers as L, train

    model = train.Model(L.Dense(2))
    model.compile("sgd", "softmax_cross_entropy")
    cb = train.ModelCheckpoint(str(tmp_path / "best.params"), save_best_only=True)
    x, y = np.ones((8, 3), np.float32), np.zeros(8, np.int32)
    with pytest.warns(UserWarning, match=r"monitor 'val_loss' is not among the logs \['loss'\]"):
        model.fit(x, y, epochs=2, callbacks=[cb], verbose=0)
    assert cb.saved == []


def test_terminate_on_nan_names_epoch_and_batch(capsys):
    from mxjax import layers as L, train

    model = train.Model(L.Dense(2))
    model.compile("sgd", "softmax_cross_entropy")
    x = np.ones((16, 3), np.float32)
    x[9] = np.nan  # sample 9: batch 2 (of 4 samples each) of the first epoch
    cb = train.TerminateOnNaN()
    h = model.fit(
        x, np.zeros(16, np.int32), batch_size=4, epochs=3, shuffle=False, callbacks=[cb], verbose=0
    )
    assert cb.stopped_at == (0, 2) and h.epoch == [0]
    assert "invalid loss nan at epoch 1, batch 2" in capsys.readouterr().out


def _kill_when_exists(cmd, path, delay, env, timeout=300):
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not path.exists() and proc.poll() is None:
        time.sleep(0.01)
    time.sleep(delay)
    proc.kill()
    _, err = proc.communicate(timeout=60)
    assert path.exists(), err.decode()[-3000:]


def test_estimator_killed_and_resumed_is_bit_identical(tmp_path):
    """CheckpointHandler(resume_from_checkpoint=True): LR schedule position, data order and
    Dropout RNG all survive a kill -9, so the resumed run equals the uninterrupted one."""
    script = os.path.join(ROOT, "tests", "faults", "estimator_run.py")
    ref, out, model_dir = tmp_path / "ref.npz", tmp_path / "out.npz", tmp_path / "models"
    env = _env(MXJAX_CACHE_DIR=str(tmp_path / "jax-cache"))
    subprocess.run(
        [sys.executable, script, str(ref), "-", "4"],
        check=True,
        env=env,
        timeout=300,
        capture_output=True,
    )
    cmd = [sys.executable, script, str(out), str(model_dir), "4"]
    delay = random.Random(5).uniform(0, 0.4)
    _kill_when_exists(cmd, model_dir / "model-epoch0batch12.json", delay, env)
    assert not out.exists()  # killed before the end
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Resumed from checkpoint" in proc.stderr + proc.stdout
    _same_npz(ref, out)


def test_estimator_never_resumes_from_params_without_states(tmp_path):
    """A kill between the .params and the .states write leaves an uncommitted pair: resume
    skips it (with a warning) and uses the newest complete checkpoint."""
    import mxjax as mx
    from mxjax import gluon
    from mxjax.gluon.contrib.estimator import CheckpointHandler, Estimator

    def make():
        net = gluon.nn.Dense(2, in_units=3)
        net.initialize(mx.init.One())
        trainer = gluon.Trainer(
            net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9}
        )
        return net, Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)

    data = gluon.data.DataLoader(
        gluon.data.ArrayDataset(np.ones((4, 3), np.float32), np.zeros(4, np.int32)), batch_size=2
    )
    net, est = make()
    est.fit(data, epochs=1, event_handlers=[CheckpointHandler(str(tmp_path), epoch_period=1)])
    assert sorted(os.listdir(tmp_path)) == [
        "model-epoch0batch2.json",
        "model-epoch0batch2.params",
        "model-epoch0batch2.states",
    ]
    good = net.weight.data().asnumpy()
    # what a writer killed between the two files leaves behind
    net.weight.set_data(mx.nd.full((2, 3), 7.0))
    net.save_parameters(str(tmp_path / "model-epoch1batch4.params"))
    (tmp_path / ".tmp-999999999-model-epoch1batch4.states").write_bytes(b"partial")
    net2, est2 = make()
    messages = []
    log = logging.Handler()
    log.emit = lambda record: messages.append(record.getMessage())
    est2.logger.addHandler(log)
    disabled, est2.logger.disabled = est2.logger.disabled, False  # other tests silence it
    handler = CheckpointHandler(str(tmp_path), resume_from_checkpoint=True)
    try:
        handler.train_begin(est2)
    finally:
        est2.logger.removeHandler(log)
        est2.logger.disabled = disabled
    assert handler.current_epoch == 1
    np.testing.assert_array_equal(net2.weight.data().asnumpy(), good)
    assert any("skipping incomplete checkpoint model-epoch1batch4" in m for m in messages)
    assert not (tmp_path / ".tmp-999999999-model-epoch1batch4.states").exists()


@pytest.mark.parametrize("bad", [10, -1])
def test_fit_evaluate_and_estimator_name_out_of_range_labels(bad):
    from mxjax import gluon, layers as L, train
    from mxjax.gluon.contrib.estimator import Estimator

    x = np.ones((16, 3), np.float32)
    y = np.zeros(16, np.int32)
    y[13] = bad
    model = train.Model(L.Dense(10))
    model.compile("sgd", "softmax_cross_entropy")
    with pytest.raises(ValueError, match=rf"fit: label {bad} of sample 13 is outside .*\[0, 10\)"):
        model.fit(x, y, batch_size=4, verbose=0)
    loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=4)
    with pytest.raises(ValueError, match=rf"fit: label {bad} of sample 1 in batch 3 is outside"):
        model.fit(loader, verbose=0)
    with pytest.raises(ValueError, match=rf"evaluate: label {bad} of sample 1 in batch 3"):
        model.evaluate(x, y, batch_size=4)
    net = gluon.nn.Dense(10, in_units=3)
    net.initialize()
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=gluon.Trainer(
        net.collect_params(), "sgd", {"learning_rate": 0.1}))  # fmt: skip
    est.logger.disabled = True
    with pytest.raises(
        ValueError, match=rf"Estimator.fit: label {bad}\.?0? of sample 1 in batch 3"
    ):
        est.fit(loader, epochs=1)
    assert np.isfinite(net.weight.data().asnumpy()).all()  # stopped before the bad batch


def test_estimator_fit_rejects_bad_counts():
    from mxjax import gluon
    from mxjax.gluon.contrib.estimator import Estimator

    net = gluon.nn.Dense(2, in_units=3)
    net.initialize()
    est = Estimator(net, gluon.loss.L2Loss(), trainer=gluon.Trainer(net.collect_params(), "sgd"))
    with pytest.raises(
        ValueError, match="Estimator.fit: epochs must be an integer >= 1; received 0"
    ):
        est.fit([], epochs=0)
    with pytest.raises(TypeError, match="Estimator.fit: batches must be an integer >= 1"):
        est.fit([], batches=2.5)


def test_model_checkpoint_removes_temporaries_of_killed_writers(tmp_path):
    from mxjax import layers as L, train

    stale = tmp_path / ".tmp-999999999-w.params"
    stale.write_bytes(b"partial")
    model = train.Model(L.Dense(2))
    model.compile("sgd", "softmax_cross_entropy")
    cb = train.ModelCheckpoint(str(tmp_path / "w-{epoch}.params"))
    model.fit(
        np.ones((4, 3), np.float32), np.zeros(4, np.int32), epochs=1, callbacks=[cb], verbose=0
    )
    assert sorted(os.listdir(tmp_path)) == ["w-1.params"]


def test_model_load_parameters_is_strict_about_dtype(tmp_path):
    from mxjax import layers as L, train

    model = train.Model(L.Dense(2))
    model.compile("sgd", "softmax_cross_entropy")
    model.predict(np.ones((1, 3), np.float32))
    path = str(tmp_path / "int.params")
    io.save_params(path, {"weight": np.ones((2, 3), np.int32), "bias": np.zeros(2, np.int32)})
    with pytest.raises(
        ValueError, match="(weight|bias) has dtype int32 in .*expected float32.*cast_dtype"
    ):
        model.load_parameters(path)
    model.load_parameters(path, cast_dtype=True)
    assert np.asarray(model.params["weight"]).dtype == np.float32


def test_gluon_compile_fit_resumes_from_backup_exactly(tmp_path):
    """Block.compile/fit: a run stopped after epoch 2 and resumed from its backup in a fresh
    network equals a 3-epoch run (weights and history)."""
    import mxjax as mx
    from mxjax import gluon, train

    rs = np.random.RandomState(0)
    x = rs.randn(40, 5).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)

    def make():
        mx.random.seed(1)
        net = gluon.nn.HybridSequential()
        net.add(gluon.nn.Dense(8, activation="relu", in_units=5), gluon.nn.Dropout(0.2))
        net.add(gluon.nn.Dense(2, in_units=8))
        net.initialize(mx.init.Xavier())
        net.compile(optimizer="adam", loss="softmax_cross_entropy", metrics=["accuracy"])
        return net

    ref = make()
    h_ref = ref.fit(x, y, batch_size=8, epochs=3, verbose=0)
    first = make()
    backup = train.BackupAndRestore(str(tmp_path / "b"), delete_checkpoint=False)
    first.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[backup])
    second = make()
    backup = train.BackupAndRestore(str(tmp_path / "b"))
    h = second.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[backup])
    assert backup.resumed_from == 2
    assert h.epoch == h_ref.epoch == [0, 1, 2] and h.history == h_ref.history
    for a, b in zip(ref.collect_params().values(), second.collect_params().values()):
        np.testing.assert_array_equal(a.data().asnumpy(), b.data().asnumpy())
