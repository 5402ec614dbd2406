"""Event handlers of ``gluon.contrib.estimator`` with MXNet 1.9.1 semantics."""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import warnings

import numpy as np

__all__ = [
    "BatchBegin",
    "BatchEnd",
    "CheckpointHandler",
    "EarlyStoppingHandler",
    "EpochBegin",
    "EpochEnd",
    "GradientUpdateHandler",
    "LoggingHandler",
    "MetricHandler",
    "StoppingHandler",
    "TrainBegin",
    "TrainEnd",
    "ValidationHandler",
]


class EventHandler:
    """Base of all handlers (MXNet's mixins are its subclasses)."""


class TrainBegin(EventHandler):
    """Mixin: ``train_begin(estimator, *args, **kwargs)`` runs before training.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import TrainBegin
        >>> class Hook(TrainBegin):
        ...     def train_begin(self, estimator, *args, **kwargs):
        ...         print("train_begin")
        >>> Hook().train_begin(None)
        train_begin
    """

    def train_begin(self, estimator, *args, **kwargs):
        pass


class TrainEnd(EventHandler):
    """Mixin: ``train_end(estimator, *args, **kwargs)`` runs after training.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import TrainEnd
        >>> class Hook(TrainEnd):
        ...     def train_end(self, estimator, *args, **kwargs):
        ...         print("train_end")
        >>> Hook().train_end(None)
        train_end
    """

    def train_end(self, estimator, *args, **kwargs):
        pass


class EpochBegin(EventHandler):
    """Mixin: ``epoch_begin(estimator, *args, **kwargs)`` runs before every epoch.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import EpochBegin
        >>> class Hook(EpochBegin):
        ...     def epoch_begin(self, estimator, *args, **kwargs):
        ...         print("epoch_begin")
        >>> Hook().epoch_begin(None)
        epoch_begin
    """

    def epoch_begin(self, estimator, *args, **kwargs):
        pass


class EpochEnd(EventHandler):
    """Mixin: ``epoch_end(estimator, *args, **kwargs)``; returning True stops training.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import EpochEnd
        >>> class Hook(EpochEnd):
        ...     def epoch_end(self, estimator, *args, **kwargs):
        ...         print("epoch_end")
        >>> Hook().epoch_end(None)
        epoch_end
    """

    def epoch_end(self, estimator, *args, **kwargs):
        return False


class BatchBegin(EventHandler):
    """Mixin: ``batch_begin(estimator, batch=...)`` runs before every batch.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import BatchBegin
        >>> class Hook(BatchBegin):
        ...     def batch_begin(self, estimator, *args, **kwargs):
        ...         print("batch_begin")
        >>> Hook().batch_begin(None)
        batch_begin
    """

    def batch_begin(self, estimator, *args, **kwargs):
        pass


class BatchEnd(EventHandler):
    """Mixin: ``batch_end(estimator, batch=, pred=, label=, loss=)``; True stops training.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import BatchEnd
        >>> class Hook(BatchEnd):
        ...     def batch_end(self, estimator, *args, **kwargs):
        ...         print("batch_end")
        >>> Hook().batch_end(None)
        batch_end
    """

    def batch_end(self, estimator, *args, **kwargs):
        return False


class StoppingHandler(TrainBegin, BatchEnd, EpochEnd):
    """Stops training after ``max_epoch`` epochs or ``max_batch`` batches.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import StoppingHandler
        >>> StoppingHandler(max_epoch=3).max_epoch
        3
    """

    def __init__(self, max_epoch=None, max_batch=None):
        self.max_epoch, self.max_batch = max_epoch, max_batch
        self.current_batch = self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator, *args, **kwargs):
        self.max_epoch, self.max_batch = estimator.max_epoch, estimator.max_batch
        self.current_batch = self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs):
        self.current_batch += 1
        if self.current_batch == self.max_batch:
            self.stop_training = True
        return self.stop_training

    def epoch_end(self, estimator, *args, **kwargs):
        self.current_epoch += 1
        if self.current_epoch == self.max_epoch:
            self.stop_training = True
        return self.stop_training


class MetricHandler(EpochBegin, BatchEnd):
    """Resets metrics each epoch and updates them with every batch's labels, predictions and loss.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.estimator import MetricHandler
        >>> MetricHandler([mx.metric.Accuracy()]).priority
        -1000
    """

    def __init__(self, metrics, priority=-1000):
        self.metrics = list(metrics or [])
        self.priority = priority

    def epoch_begin(self, estimator, *args, **kwargs):
        for m in self.metrics:
            m.reset()

    def batch_end(self, estimator, *args, **kwargs):
        from mxjax import metric as M

        pred, label, loss = kwargs["pred"], kwargs["label"], kwargs["loss"]
        for m in self.metrics:
            if isinstance(m, M.Loss):
                m.update(0, loss)
            else:
                m.update(label, pred)


class ValidationHandler(TrainBegin, BatchEnd, EpochEnd):
    """Runs ``eval_fn(val_data)`` every ``epoch_period`` epochs (or ``batch_period`` batches).

    Examples:
        >>> from mxjax.gluon.contrib.estimator import ValidationHandler
        >>> ValidationHandler([], eval_fn=print).epoch_period
        1
    """

    def __init__(
        self,
        val_data,
        eval_fn,
        epoch_period=1,
        batch_period=None,
        priority=-1000,
        event_handlers=None,
    ):
        self.val_data, self.eval_fn = val_data, eval_fn
        self.epoch_period, self.batch_period = epoch_period, batch_period
        self.priority = priority
        self.event_handlers = event_handlers
        self.current_batch = self.current_epoch = 0

    def train_begin(self, estimator, *args, **kwargs):
        self.current_batch = self.current_epoch = 0

    def batch_end(self, estimator, *args, **kwargs):
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self.eval_fn(val_data=self.val_data)

    def epoch_end(self, estimator, *args, **kwargs):
        self.current_epoch += 1
        if self.epoch_period and self.current_epoch % self.epoch_period == 0:
            self.eval_fn(val_data=self.val_data)


class LoggingHandler(TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd):
    """Logs training progress and metrics (``log_interval='epoch'`` or every N batches).

    Examples:
        >>> from mxjax.gluon.contrib.estimator import LoggingHandler
        >>> LoggingHandler(log_interval=10).log_interval
        10
    """

    def __init__(self, log_interval="epoch", metrics=None, priority=math.inf):
        if not (log_interval == "epoch" or isinstance(log_interval, int)):
            raise ValueError(
                f"LoggingHandler: log_interval must be 'epoch' or an int; received {log_interval!r}"
            )
        self.log_interval = log_interval
        self.metrics = list(metrics or [])
        self.priority = priority
        self.batch_index = self.current_epoch = self.processed_samples = 0

    def _metrics_text(self):
        parts = []
        for m in self.metrics:
            name, value = m.get()
            names, values = (name, value) if isinstance(name, list) else ([name], [value])
            parts += [f"{n}: {v:.4f}" for n, v in zip(names, values)]
        return ", ".join(parts)

    def train_begin(self, estimator, *args, **kwargs):
        self.train_start = time.time()
        self.current_epoch = 0
        trainer = estimator.trainer
        estimator.logger.info("Training begin: using optimizer %s with current learning rate %.4f ",
                              type(trainer.optimizer).__name__, trainer.learning_rate)  # fmt: skip
        if estimator.max_epoch:
            estimator.logger.info("Train for %d epochs.", estimator.max_epoch)
        else:
            estimator.logger.info("Train for %d batches.", estimator.max_batch)

    def train_end(self, estimator, *args, **kwargs):
        elapsed = time.time() - self.train_start
        msg = f"Train finished using total {elapsed:.0f}s with {self.current_epoch} epochs. {self._metrics_text()}"
        estimator.logger.info(msg)

    def epoch_begin(self, estimator, *args, **kwargs):
        self.epoch_start = time.time()
        self.batch_index = self.processed_samples = 0
        # MXNet's rule: a handler of training metrics logs an epoch, else a validation
        if any("training" in str(m.name) for m in self.metrics):
            estimator.logger.info(
                "[Epoch %d] Begin, current learning rate: %.4f",
                self.current_epoch,
                estimator.trainer.learning_rate,
            )
        else:
            estimator.logger.info("Validation Begin")

    def epoch_end(self, estimator, *args, **kwargs):
        elapsed = time.time() - self.epoch_start
        estimator.logger.info(
            "[Epoch %d] Finished in %.3fs, %s", self.current_epoch, elapsed, self._metrics_text()
        )
        self.current_epoch += 1

    def batch_begin(self, estimator, *args, **kwargs):
        if isinstance(self.log_interval, int):
            self.batch_start = time.time()

    def batch_end(self, estimator, *args, **kwargs):
        if isinstance(self.log_interval, int):
            batch = kwargs.get("batch")  # as MXNet: the data loader's batch (not per context)
            self.processed_samples += int(np.shape(batch[0])[0]) if batch is not None else 0
            if self.batch_index % self.log_interval == 0:
                estimator.logger.info(
                    "[Epoch %d][Batch %d][Samples %d] %s",
                    self.current_epoch,
                    self.batch_index,
                    self.processed_samples,
                    self._metrics_text(),
                )
        self.batch_index += 1


def _monitor_mode(monitor, mode):
    if mode not in ("auto", "min", "max"):
        warnings.warn(
            f"mode {mode!r} is unknown, falling back to 'auto'", RuntimeWarning, stacklevel=3
        )
        mode = "auto"
    if mode == "auto":
        name = monitor.get()[0]
        mode = "max" if any(s in str(name).lower() for s in ("acc", "f1", "mcc")) else "min"
    return mode


class CheckpointHandler(TrainBegin, BatchEnd, EpochEnd):
    """Saves ``.params`` (and optimizer states) periodically and/or on improvement.

    Files: ``{model_dir}/{model_prefix}-epoch{E}batch{B}.params`` and
    ``.states``; with ``save_best``, ``{model_prefix}-best.params``. Keeps at
    most ``max_checkpoints`` periodic checkpoints. ``resume_from_checkpoint``
    loads the latest one at ``train_begin`` and continues from its epoch.

    Examples:
        >>> from mxjax.gluon.contrib.estimator import CheckpointHandler
        >>> CheckpointHandler("/tmp/ckpt", max_checkpoints=2).max_checkpoints
        2
    """

    def __init__(self, model_dir, model_prefix="model", monitor=None, verbose=0, save_best=False, mode="auto",
                 epoch_period=1, batch_period=None, max_checkpoints=5, resume_from_checkpoint=False):  # fmt: skip
        if save_best and monitor is None:
            raise ValueError("CheckpointHandler: save_best=True needs a monitor metric")
        self.model_dir, self.model_prefix, self.monitor = (
            os.fspath(model_dir),
            model_prefix,
            monitor,
        )
        self.verbose, self.save_best = verbose, save_best
        self.epoch_period, self.batch_period = epoch_period, batch_period
        self.max_checkpoints, self.resume_from_checkpoint = max_checkpoints, resume_from_checkpoint
        self.current_epoch = self.current_batch = 0
        self.saved_checkpoints: list[str] = []
        self.mode = mode
        self.best = None
        os.makedirs(self.model_dir, exist_ok=True)

    def train_begin(self, estimator, *args, **kwargs):
        from mxjax._src.io.checkpoint import remove_stale_temporaries

        remove_stale_temporaries(self.model_dir)  # left by a writer that was killed
        self.current_epoch = self.current_batch = 0
        if self.save_best:
            self.mode = _monitor_mode(self.monitor, self.mode)
            self.best = math.inf if self.mode == "min" else -math.inf
        if self.resume_from_checkpoint:
            self._resume(estimator)

    def _candidates(self):
        prefix = f"{self.model_prefix}-epoch"
        found = []
        for f in os.listdir(self.model_dir):
            if f.startswith(prefix) and f.endswith(".params"):
                body = f[len(prefix) : -len(".params")]
                epoch, _, batch = body.partition("batch")
                if epoch.isdigit() and batch.isdigit():
                    found.append((int(epoch), int(batch), f[: -len(".params")]))
        return sorted(found, reverse=True)

    def _resume(self, estimator):
        from mxjax._src.gluon.checkpoint import read_committed, restore_estimator_run_state

        chosen = marker = None
        for epoch, batch, stem in self._candidates():
            path = os.path.join(self.model_dir, stem)
            marker = read_committed(path)
            if marker is not None or (
                not os.path.exists(path + ".json") and os.path.exists(path + ".states")
            ):  # committed by mxjax, or a complete pair written by MXNet
                chosen = (epoch, batch, stem)
                break
            estimator.logger.warning(
                "CheckpointHandler: skipping incomplete checkpoint %s (no matching .states "
                "or commit marker: its writer was interrupted)",
                stem,
            )
        if chosen is None:
            return
        epoch, batch, stem = chosen
        path = os.path.join(self.model_dir, stem)
        estimator.net.load_parameters(path + ".params")
        estimator.load_states(path + ".states")
        if marker is not None:
            restore_estimator_run_state(estimator, marker["run_state"])
        self.current_epoch, self.current_batch = epoch + 1, batch
        estimator.logger.info("Resumed from checkpoint %s.params (epoch %d)", stem, epoch)
        if estimator.max_epoch is not None:
            estimator.max_epoch -= self.current_epoch
            if estimator.max_epoch <= 0:
                estimator.max_epoch = 0
        estimator.resumed_epochs = self.current_epoch

    def _save(self, estimator, name, periodic):
        from mxjax._src.gluon.checkpoint import commit_pair

        estimator.sync_net()
        path = os.path.join(self.model_dir, name)
        if os.path.exists(path + ".json"):
            os.remove(path + ".json")  # uncommitted while its files are rewritten
        estimator.net.save_parameters(path + ".params")
        estimator.save_states(path + ".states")
        commit_pair(path, estimator, self.current_epoch, self.current_batch)
        if self.verbose:
            estimator.logger.info(
                "[Epoch %d] CheckpointHandler: saved %s.params", self.current_epoch, path
            )
        if periodic:
            self.saved_checkpoints.append(path)
            while len(self.saved_checkpoints) > self.max_checkpoints:
                old = self.saved_checkpoints.pop(0)
                for ext in (".json", ".params", ".states"):
                    if os.path.exists(old + ext):
                        os.remove(old + ext)

    def batch_end(self, estimator, *args, **kwargs):
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self._save(
                estimator,
                f"{self.model_prefix}-epoch{self.current_epoch}batch{self.current_batch}",
                True,
            )

    def epoch_end(self, estimator, *args, **kwargs):
        if self.epoch_period and (self.current_epoch + 1) % self.epoch_period == 0:
            self._save(
                estimator,
                f"{self.model_prefix}-epoch{self.current_epoch}batch{self.current_batch}",
                True,
            )
        if self.save_best:
            value = float(self.monitor.get()[1])
            better = value < self.best if self.mode == "min" else value > self.best
            if better:
                self.best = value
                self._save(estimator, f"{self.model_prefix}-best", False)
        self.current_epoch += 1


class EarlyStoppingHandler(TrainBegin, EpochEnd, TrainEnd):
    """Stops when ``monitor`` (an EvalMetric) has not improved by ``min_delta`` for ``patience`` epochs.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon.contrib.estimator import EarlyStoppingHandler
        >>> EarlyStoppingHandler(mx.metric.Accuracy(), patience=2).patience
        2
    """

    def __init__(self, monitor, min_delta=0, patience=0, mode="auto", baseline=None):
        self.monitor, self.min_delta, self.patience, self.mode, self.baseline = (
            monitor,
            abs(min_delta),
            patience,
            mode,
            baseline,
        )
        self.wait = self.stopped_epoch = self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator, *args, **kwargs):
        self.mode = _monitor_mode(self.monitor, self.mode)
        self.wait = self.stopped_epoch = self.current_epoch = 0
        self.stop_training = False
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = math.inf if self.mode == "min" else -math.inf

    def epoch_end(self, estimator, *args, **kwargs):
        value = float(self.monitor.get()[1])
        improved = (
            value < self.best - self.min_delta
            if self.mode == "min"
            else value > self.best + self.min_delta
        )
        if improved:
            self.best, self.wait = value, 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = self.current_epoch
                self.stop_training = True
        self.current_epoch += 1
        return self.stop_training

    def train_end(self, estimator, *args, **kwargs):
        if self.stopped_epoch > 0:
            estimator.logger.info(
                "[Epoch %d]: early stopping due to %s not improving",
                self.stopped_epoch,
                self.monitor.get()[0],
            )


class GradientUpdateHandler(BatchEnd):
    """Applies ``estimator.trainer.step(batch_size)`` at the end of each batch (MXNet 1.9.1).

    The Estimator adds one when its batch processor overrides ``fit_batch``
    (which computes gradients but does not update). With the default
    processor, forward, backward and the Trainer's update are one compiled
    step, so the Estimator adds none and this handler's ``batch_end`` does
    nothing there.

    Args:
        priority: ordering among handlers (lower runs first; default -2000,
            before the metric handler).

    Examples:
        >>> from mxjax.gluon.contrib.estimator import GradientUpdateHandler
        >>> GradientUpdateHandler().priority
        -2000
    """

    def __init__(self, priority=-2000):
        self.priority = priority

    def batch_end(self, estimator, *args, **kwargs):
        if getattr(estimator, "_fused_update", False):
            return  # the compiled step has already updated
        loss = kwargs["loss"]
        loss = loss if isinstance(loss, (list, tuple)) else [loss]
        estimator.trainer.step(sum(item.shape[0] for item in loss))


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at emit time (works with redirection)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value):
        pass


def default_logger() -> logging.Logger:
    """A new logger for one Estimator, printing to stdout (as MXNet 1.9.1's Estimator).

    Like MXNet's ``logging.Logger(name='Estimator')``, each Estimator gets
    its own logger object (not registered globally), so disabling one
    estimator's logging leaves the others alone.

    Examples:
        >>> from mxjax._src.gluon.event_handler import default_logger
        >>> default_logger() is default_logger()
        False
    """
    logger = logging.Logger("mxjax.estimator", level=logging.INFO)
    h = _StdoutHandler()
    h.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(h)
    return logger
