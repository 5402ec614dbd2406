"""gluon.contrib.estimator: MXNet 1.9.1 semantics on the jitted step."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mxjax as mx
from mxjax import gluon
from mxjax.gluon.contrib.estimator import (
    BatchProcessor,
    CheckpointHandler,
    EarlyStoppingHandler,
    Estimator,
    GradientUpdateHandler,
    LoggingHandler,
    StoppingHandler,
    ValidationHandler,
)


def _data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]], np.float32)
    x = centers[y] + 0.4 * rng.standard_normal((n, 2)).astype(np.float32)
    return x.astype(np.float32), y.astype(np.float32)


def _loader(x, y, bs=16):
    return gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=bs, shuffle=False)


def _net():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(16, activation="relu", in_units=2), gluon.nn.Dense(3, in_units=16))
    net.initialize(mx.init.Xavier())
    return net


def _estimator(net, lr=0.05, **kw):
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": lr})
    est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, **kw)
    est.logger.disabled = True
    return est


def test_fit_trains_and_names_metrics_like_mxnet():
    x, y = _data()
    net = _net()
    est = _estimator(net)
    est.fit(_loader(x, y), val_data=_loader(x, y), epochs=8)
    names = [m.name for m in est.train_metrics]
    assert names == ["training accuracy", "training softmaxcrossentropyloss"]
    assert [m.name for m in est.val_metrics] == [
        "validation accuracy",
        "validation softmaxcrossentropyloss",
    ]
    assert est.val_metrics[0].get()[1] > 0.9
    # the trained weights are in the Gluon network: recompute accuracy imperatively with NumPy
    pred = net(mx.nd.array(x)).asnumpy().argmax(axis=1)
    assert np.mean(pred == y) == pytest.approx(est.val_metrics[0].get()[1], abs=1e-6)


def test_one_epoch_equals_the_gluon_imperative_loop():
    x, y = _data(64)
    net_a, net_b = _net(), _net()
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        pb.set_data(pa.data().copy())
    est = _estimator(net_a, lr=0.01)
    est.fit(_loader(x, y), epochs=1)
    trainer = gluon.Trainer(net_b.collect_params(), "adam", {"learning_rate": 0.01})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for data, label in _loader(x, y):
        with mx.autograd.record():
            loss = loss_fn(net_b(data), label)
        loss.backward()
        trainer.step(data.shape[0])
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        np.testing.assert_allclose(pa.data().asnumpy(), pb.data().asnumpy(), rtol=1e-4, atol=1e-5)


def test_batches_and_stopping_handler():
    x, y = _data(64)
    est = _estimator(_net())
    seen = []

    class Count(StoppingHandler):
        def batch_end(self, estimator, *args, **kwargs):
            seen.append(kwargs["pred"].shape)
            return super().batch_end(estimator, *args, **kwargs)

    est.fit(_loader(x, y), batches=3, event_handlers=[Count(max_batch=3)])
    assert seen == [(16, 3)] * 3


def test_epochs_xor_batches():
    est = _estimator(_net())
    with pytest.raises(ValueError, match="either epochs or batches"):
        est.fit(_loader(*_data(16)), epochs=1, batches=2)
    with pytest.raises(ValueError, match="either epochs or batches"):
        est.fit(_loader(*_data(16)))


def test_early_stopping_and_validation_handler():
    x, y = _data(64)
    est = _estimator(_net(), lr=1e-6)  # cannot improve by min_delta
    acc = est.val_metrics[0]
    stopper = EarlyStoppingHandler(monitor=acc, min_delta=0.5, patience=1)
    calls = []
    val = ValidationHandler(
        _loader(x, y), eval_fn=lambda val_data: (calls.append(1), est.evaluate(val_data))
    )
    est.fit(_loader(x, y), val_data=_loader(x, y), epochs=10, event_handlers=[stopper, val])
    assert stopper.stop_training and len(calls) == 2


def test_checkpoints_best_and_resume(tmp_path):
    x, y = _data(64)
    net = _net()
    est = _estimator(net)
    ck = CheckpointHandler(
        str(tmp_path),
        model_prefix="m",
        monitor=est.train_metrics[0],
        save_best=True,
        max_checkpoints=2,
    )
    est.fit(_loader(x, y), epochs=4, event_handlers=[ck])
    files = sorted(os.listdir(tmp_path))
    assert "m-best.params" in files
    periodic = [f for f in files if f.startswith("m-epoch") and f.endswith(".params")]
    assert len(periodic) == 2 and periodic[-1] == "m-epoch3batch16.params"
    net2 = _net()
    est2 = _estimator(net2)
    ck2 = CheckpointHandler(str(tmp_path), model_prefix="m", resume_from_checkpoint=True)
    est2.fit(_loader(x, y), epochs=4, event_handlers=[ck2])  # already done: resumes at epoch 4
    assert est2.resumed_epochs == 4
    for pa, pb in zip(net.collect_params().values(), net2.collect_params().values()):
        np.testing.assert_allclose(pa.data().asnumpy(), pb.data().asnumpy())


def test_logging_handler_prints(capsys):
    x, y = _data(32)
    est = _estimator(_net())
    est.logger.disabled = False
    est.fit(_loader(x, y), epochs=1, event_handlers=[LoggingHandler(log_interval=1)])
    out = capsys.readouterr().out
    assert "[Epoch 0] Finished in" in out and "training accuracy" in out and "[Batch 0]" in out
    assert "[Batch 1][Samples 32]" in out

    class Imperative(BatchProcessor):  # handlers then get lists (one entry per context)
        def fit_batch(self, estimator, train_batch, batch_axis=0):
            return super().fit_batch(estimator, train_batch, batch_axis)

    est.batch_processor = Imperative()
    est.fit(_loader(x, y), epochs=1, event_handlers=[LoggingHandler(log_interval=1)])
    assert "[Batch 1][Samples 32]" in capsys.readouterr().out  # samples, not contexts


@pytest.mark.parametrize("opt", [("sgd", {"momentum": 0.9}), ("adam", {})])
def test_trainer_step_after_fit_continues_the_same_optimizer_state(opt):
    """The Estimator updates with the Trainer's own state: fit + trainer.step == all imperative."""
    name, extra = opt
    x, y = _data(48)
    net_a, net_b = _net(), _net()
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        pb.set_data(pa.data().copy())
    params = {"learning_rate": 0.05, **extra}
    trainer_a = gluon.Trainer(net_a.collect_params(), name, dict(params))
    trainer_b = gluon.Trainer(net_b.collect_params(), name, dict(params))
    est = Estimator(net_a, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer_a)
    est.logger.disabled = True
    est.fit(_loader(x, y), epochs=1)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    def imperative(net, trainer, batches):
        for data, label in batches:
            with mx.autograd.record():
                loss = loss_fn(net(data), label)
            loss.backward()
            trainer.step(data.shape[0])

    imperative(net_b, trainer_b, _loader(x, y))
    extra_batch = [next(iter(_loader(x[::-1].copy(), y[::-1].copy())))]
    imperative(net_a, trainer_a, extra_batch)  # continues the Estimator's momentum
    imperative(net_b, trainer_b, extra_batch)
    assert trainer_a.optimizer.num_update == trainer_b.optimizer.num_update == 4
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        np.testing.assert_allclose(pa.data().asnumpy(), pb.data().asnumpy(), rtol=1e-4, atol=1e-5)


def test_default_trainer_is_sgd_as_documented():
    with pytest.warns(UserWarning, match="default SGD"):
        est = Estimator(_net(), gluon.loss.SoftmaxCrossEntropyLoss())
    assert type(est.trainer.optimizer).__name__ == "SGD"
    assert est.trainer.learning_rate == pytest.approx(0.001)
    assert "SGD with learning rate 0.001" in Estimator.__doc__


def test_each_estimator_has_its_own_logger(capsys):
    """As MXNet: disabling one estimator's logger does not silence another."""
    x, y = _data(16)
    quiet = _estimator(_net())  # disables its logger
    loud = _estimator(_net())
    loud.logger.disabled = False
    assert quiet.logger is not loud.logger
    loud.fit(_loader(x, y), epochs=1)
    assert "Train for 1 epochs." in capsys.readouterr().out


def _copy_weights(src, dst):
    for pa, pb in zip(src.collect_params().values(), dst.collect_params().values()):
        pb.set_data(pa.data().copy())


def test_custom_batch_processor_runs_per_batch_then_gradient_update_handler():
    """A fit_batch override is called for every batch and trainer.step follows (MXNet order);
    calling the default fit_batch from it trains exactly like the compiled default step."""
    x, y = _data(64)
    net_a, net_b = _net(), _net()
    _copy_weights(net_a, net_b)
    calls = []

    class Recording(BatchProcessor):
        def fit_batch(self, estimator, train_batch, batch_axis=0):
            calls.append(estimator.trainer.optimizer.num_update)  # update count before it
            return super().fit_batch(estimator, train_batch, batch_axis)

    est_a = _estimator(net_a, lr=0.01, batch_processor=Recording())
    est_a.fit(_loader(x, y), epochs=2)
    assert calls == list(range(8))  # 4 batches x 2 epochs, one trainer.step after each
    est_b = _estimator(net_b, lr=0.01)  # the default processor: the compiled step
    est_b.fit(_loader(x, y), epochs=2)
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        np.testing.assert_allclose(pa.data().asnumpy(), pb.data().asnumpy(), rtol=1e-4, atol=1e-5)
    for ma, mb in zip(est_a.train_metrics, est_b.train_metrics):
        assert ma.get()[1] == pytest.approx(mb.get()[1], rel=1e-4)


def test_custom_fit_and_evaluate_batch_outputs_reach_the_metrics():
    x, y = _data(32)

    class Inverted(BatchProcessor):
        """Reports negated predictions to the handlers (training with learning rate 0)."""

        def fit_batch(self, estimator, train_batch, batch_axis=0):
            data, label, pred, loss = super().fit_batch(estimator, train_batch, batch_axis)
            return data, label, [-p for p in pred], loss

        def evaluate_batch(self, estimator, val_batch, batch_axis=0):
            data, label, pred, loss = super().evaluate_batch(estimator, val_batch, batch_axis)
            return data, label, [-p for p in pred], loss

    net = _net()
    est = _estimator(net, lr=0.0, batch_processor=Inverted(), context=mx.cpu())
    est.fit(_loader(x, y), epochs=1, event_handlers=[GradientUpdateHandler()])
    expected = np.mean((-net(mx.nd.array(x)).asnumpy()).argmax(axis=1) == y)
    assert est.trainer.optimizer.num_update == 2
    assert est.train_metrics[0].get()[1] == pytest.approx(expected)
    est.evaluate(_loader(x, y))
    assert est.val_metrics[0].get()[1] == pytest.approx(expected)


def test_default_processor_and_gradient_update_handler_do_not_update_twice():
    x, y = _data(32)
    net_a, net_b = _net(), _net()
    _copy_weights(net_a, net_b)
    est_a = _estimator(net_a)
    est_a.fit(_loader(x, y), epochs=1, event_handlers=[GradientUpdateHandler()])
    est_b = _estimator(net_b)
    est_b.fit(_loader(x, y), epochs=1)
    assert est_a.trainer.optimizer.num_update == est_b.trainer.optimizer.num_update == 2
    for pa, pb in zip(net_a.collect_params().values(), net_b.collect_params().values()):
        np.testing.assert_allclose(pa.data().asnumpy(), pb.data().asnumpy(), rtol=1e-6)


def test_batch_processor_and_context_are_checked():
    class NoEvaluate:
        def fit_batch(self, estimator, train_batch, batch_axis=0):
            return None

    with pytest.raises(ValueError, match="fit_batch\\(\\) and evaluate_batch\\(\\)"):
        _estimator(_net(), batch_processor=NoEvaluate())
    with pytest.raises(ValueError, match="context must be a Context or a list"):
        _estimator(_net(), context="cpu")
    est = _estimator(_net(), context=mx.cpu())
    assert est.context == [mx.cpu()] and isinstance(est.batch_processor, BatchProcessor)


def test_evaluate_runs_event_handlers_and_logs_validation_like_mxnet(capsys):
    from mxjax.gluon.contrib.estimator import BatchEnd, EpochEnd

    x, y = _data(32)
    est = _estimator(_net())
    est.logger.disabled = False

    class Collect(BatchEnd, EpochEnd):
        def __init__(self):
            self.preds, self.ended = [], 0

        def batch_end(self, estimator, *args, **kwargs):
            self.preds.append(kwargs["pred"].asnumpy())

        def epoch_end(self, estimator, *args, **kwargs):
            self.ended += 1

    collect = Collect()
    est.evaluate(_loader(x, y), event_handlers=collect)  # one handler, as MXNet accepts
    assert collect.ended == 1 and len(collect.preds) == 2
    expected = np.mean(np.concatenate(collect.preds).argmax(axis=1) == y)
    assert est.val_metrics[0].get()[1] == pytest.approx(expected)
    est.fit(_loader(x, y), val_data=_loader(x, y), epochs=1)
    lines = capsys.readouterr().out.splitlines()
    # MXNet 1.9.1's order: evaluate logs its own lines, then the epoch's training metrics
    validation = [i for i, line in enumerate(lines) if line == "Validation Begin"]
    assert len(validation) == 2, lines
    after = lines[validation[1] + 1]
    assert after.startswith("[Epoch 0] Finished in") and "validation accuracy" in after
    assert "training accuracy" in lines[validation[1] + 2]
    assert "validation" not in lines[validation[1] + 2]
    with pytest.raises(ValueError, match="event_handlers must be an EventHandler"):
        est.evaluate(_loader(x, y), event_handlers=[print])
