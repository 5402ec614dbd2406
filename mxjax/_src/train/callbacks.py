"""Callbacks for ``fit``: checkpoints, early stopping, LR on plateau, NaN guard, CSV, lambdas."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from mxjax._src.io.atomic import atomic_write

__all__ = [
    "BatchLogs",
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "LambdaCallback",
    "LazyLogs",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]


class LazyLogs(Mapping):
    """Batch logs that read device values only when a callback looks at them."""

    def __init__(self, fetch: Callable[[], dict[str, float]]):
        self._fetch = fetch
        self._logs: dict[str, float] | None = None

    def fetch(self) -> dict[str, float]:
        """A fresh dict of the running values (reads the device)."""
        return dict(self._get())

    def _get(self) -> dict[str, float]:
        if self._logs is None:
            self._logs = self._fetch()
        return self._logs

    def __getitem__(self, k):
        return self._get()[k]

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())


class BatchLogs(LazyLogs):
    """The logs a batch hook receives: running ``loss``/metrics read lazily, plus the batch.

    Attributes:
        size: number of samples in the batch.
        batch: the batch as the data source yielded it (None for array inputs).
        outputs: ``(outputs, per-sample loss, labels)`` of the step when the
            loop was asked for them (the Estimator's handlers), else None.

    Examples:
        >>> from mxjax.train import BatchLogs
        >>> logs = BatchLogs(lambda: {"loss": 0.5}, size=32)
        >>> logs["loss"], logs.size
        (0.5, 32)
    """

    def __init__(self, fetch, size: int = 0, batch=None, outputs=None):
        super().__init__(fetch)
        self.size, self.batch, self.outputs = size, batch, outputs


class Callback:
    """Base class: override the hooks you need. ``self.model`` is set by ``fit``.

    ``self.params`` holds ``{'epochs', 'steps', 'verbose'}`` of the running fit.

    Examples:
        >>> from mxjax.train import Callback
        >>> class Count(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print("epoch", epoch)
        >>> Count().on_epoch_end(0)
        epoch 0
    """

    model: Any = None
    params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = dict(params)

    def on_train_begin(self, logs=None): ...

    def on_train_end(self, logs=None): ...

    def on_epoch_begin(self, epoch, logs=None): ...

    def on_epoch_end(self, epoch, logs=None): ...

    def on_batch_begin(self, batch, logs=None): ...

    def on_batch_end(self, batch, logs=None): ...


class CallbackList(Callback):
    """Calls every hook of its callbacks in order (Keras's ``CallbackList``).

    The engine's loop talks only to this list: the progress display, the
    :class:`History`, checkpoints and the Estimator's event handlers are all
    callbacks in it.

    Examples:
        >>> from mxjax.train import Callback, CallbackList
        >>> class Say(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print("end", epoch, logs)
        >>> CallbackList([Say(), Say()]).on_epoch_end(0, {"loss": 1.0})
        end 0 {'loss': 1.0}
        end 0 {'loss': 1.0}
    """

    def __init__(self, callbacks=(), model=None, params: dict | None = None):
        self.callbacks = list(callbacks or ())
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be mxjax.train.Callback objects; received {type(cb).__name__}"
                )
        if model is not None:
            self.set_model(model)
        if params is not None:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        """Adds a callback at the end (it gets the list's model and params)."""
        if self.model is not None:
            callback.set_model(self.model)
        callback.set_params(self.params)
        self.callbacks.append(callback)

    def set_model(self, model) -> None:
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        self.params = dict(params)
        for cb in self.callbacks:
            cb.set_params(params)

    def on_train_begin(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        for cb in self.callbacks:
            cb.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        for cb in self.callbacks:
            cb.on_batch_end(batch, logs)


def _better(mode: str, monitor: str) -> Callable[[float, float, float], bool]:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'; received {mode!r}")
    if mode == "auto":
        mode = "max" if any(s in monitor for s in ("acc", "f1", "auc")) else "min"
    if mode == "min":
        return lambda cur, best, delta: cur < best - delta
    return lambda cur, best, delta: cur > best + delta


class _Monitor(Callback):
    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0):
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.is_better = _better(mode, monitor)
        self.best = math.inf if self.is_better(0.0, 1.0, 0.0) else -math.inf

    def _current(self, logs) -> float | None:
        if not logs or self.monitor not in logs:
            return None
        return float(logs[self.monitor])


class ModelCheckpoint(_Monitor):
    """Saves the parameters (MXNet ``.params`` format) after epochs.

    Args:
        filepath: path, may hold ``{epoch}`` and log keys (``{val_loss:.3f}``).
        monitor: the log key compared when ``save_best_only``.
        save_best_only: save only when ``monitor`` improved.
        mode: 'auto', 'min' or 'max'.

    Examples:
        >>> from mxjax.train import ModelCheckpoint
        >>> ModelCheckpoint("ckpt-{epoch:02d}.params").filepath
        'ckpt-{epoch:02d}.params'
    """

    def __init__(
        self,
        filepath: str,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
        verbose: int = 0,
    ):
        super().__init__(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.verbose = verbose
        self.saved: list[str] = []
        self._warned = False

    def on_train_begin(self, logs=None):
        from mxjax._src.io.checkpoint import remove_stale_temporaries

        # temporaries of a writer killed mid-save (named .tmp-<pid>-...)
        remove_stale_temporaries(os.path.dirname(os.path.abspath(self.filepath)))

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.save_best_only:
            cur = self._current(logs)
            if cur is None:
                if not self._warned:
                    self._warned = True
                    warnings.warn(
                        f"ModelCheckpoint(save_best_only=True): monitor {self.monitor!r} is not "
                        f"among the logs {sorted(logs)}, so no checkpoint is written. Pass "
                        "validation_data= (for 'val_*' monitors) or monitor='loss'.",
                        UserWarning,
                        stacklevel=2,
                    )
                return
            if not self.is_better(cur, self.best, 0.0):
                return
            self.best = cur
        path = self.filepath.format(epoch=epoch + 1, **logs)
        self.model.save_parameters(path)
        self.saved.append(path)
        if self.verbose:
            print(f"ModelCheckpoint: saved {path}")


class EarlyStopping(_Monitor):
    """Stops training when ``monitor`` stops improving for ``patience`` epochs.

    Examples:
        >>> from mxjax.train import EarlyStopping
        >>> EarlyStopping(monitor="val_loss", patience=2).patience
        2
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        verbose: int = 0,
    ):
        super().__init__(monitor, mode, min_delta)
        self.patience = patience
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.best = (
            self.baseline
            if self.baseline is not None
            else (math.inf if self.is_better(0.0, 1.0, 0.0) else -math.inf)
        )

    def on_epoch_end(self, epoch, logs=None):
        cur = self._current(logs)
        if cur is None:
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} is not among the logs {sorted(logs or {})}"
            )
        if self.is_better(cur, self.best, self.min_delta):
            self.best, self.wait = cur, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.verbose:
                print(f"EarlyStopping: stopped after epoch {epoch + 1}")
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(_Monitor):
    """Multiplies the learning rate by ``factor`` when ``monitor`` plateaus (no recompilation).

    Examples:
        >>> from mxjax.train import ReduceLROnPlateau
        >>> ReduceLROnPlateau(factor=0.5, patience=1).factor
        0.5
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        verbose: int = 0,
    ):
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1); received {factor}")
        super().__init__(monitor, mode, min_delta)
        self.factor, self.patience, self.cooldown, self.min_lr, self.verbose = (
            factor,
            patience,
            cooldown,
            min_lr,
            verbose,
        )
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        cur = self._current(logs)
        if cur is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_better(cur, self.best, self.min_delta):
            self.best, self.wait = cur, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait > self.patience:
                old = self.model.learning_rate
                new = max(old * self.factor, self.min_lr)
                if new < old:
                    self.model.set_learning_rate(new)
                    if self.verbose:
                        print(f"ReduceLROnPlateau: learning rate {old:.3g} -> {new:.3g}")
                self.cooldown_counter, self.wait = self.cooldown, 0


class TerminateOnNaN(Callback):
    """Stops training as soon as the running loss is NaN or infinite.

    It reads the loss after every batch, which synchronises with the device
    once per step; leave it out when every microsecond counts.

    Examples:
        >>> from mxjax.train import TerminateOnNaN
        >>> isinstance(TerminateOnNaN(), TerminateOnNaN)
        True
    """

    epoch: int = 0
    #: ``(epoch, batch)`` where the loss became invalid, or None.
    stopped_at: tuple[int, int] | None = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if logs is not None and "loss" in logs:
            loss = float(logs["loss"])
            if not math.isfinite(loss):
                self.stopped_at = (self.epoch, batch)
                print(
                    f"TerminateOnNaN: invalid loss {loss} at epoch {self.epoch + 1}, batch "
                    f"{batch} (counting from 0); stopping"
                )
                self.model.stop_training = True


class CSVLogger(Callback):
    """Writes one CSV row per epoch (the file is rewritten atomically each epoch).

    Examples:
        >>> from mxjax.train import CSVLogger
        >>> CSVLogger("log.csv").separator
        ','
    """

    def __init__(self, filename: str, separator: str = ",", append: bool = False):
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self.rows: list[dict[str, Any]] = []
        self.header: list[str] = []
        self._prefix = ""

    def on_train_begin(self, logs=None):
        self.rows = []
        self._prefix = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as f:
                self._prefix = f.read()

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch, **{k: float(v) for k, v in (logs or {}).items()}}
        self.rows.append(row)
        for k in row:
            if k not in self.header:
                self.header.append(k)
        lines = [] if self._prefix else [self.separator.join(self.header)]
        lines += [self.separator.join(str(r.get(k, "")) for k in self.header) for r in self.rows]
        atomic_write(self.filename, self._prefix + "\n".join(lines) + "\n")


class LambdaCallback(Callback):
    """A callback from plain functions (``on_epoch_end=lambda epoch, logs: ...``).

    Examples:
        >>> from mxjax.train import LambdaCallback
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs))
        >>> cb.on_epoch_end(3, {"loss": 0.5})
        3 {'loss': 0.5}
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
    ):
        noop2 = lambda a, b=None: None  # noqa: E731
        self.on_epoch_begin = on_epoch_begin or noop2
        self.on_epoch_end = on_epoch_end or noop2
        self.on_batch_begin = on_batch_begin or noop2
        self.on_batch_end = on_batch_end or noop2
        self.on_train_begin = on_train_begin or (lambda logs=None: None)
        self.on_train_end = on_train_end or (lambda logs=None: None)
