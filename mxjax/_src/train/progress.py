"""Progress display: a tqdm bar on terminals, periodic plain lines otherwise."""

from __future__ import annotations

import sys
import time

from mxjax._src.train.callbacks import Callback

__all__ = ["Progress", "ProgressLogger"]


def _fmt(logs: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:.4f}" for k, v in logs.items())


class Progress:
    """Shows loss, metrics, throughput and ETA for one epoch.

    Uses tqdm when it is installed and the stream is a terminal; otherwise
    prints a plain line about every ``interval`` seconds (CI logs). The caller
    passes ``fetch``, a function that reads the current running metrics; it
    is called only when the display updates, so the train loop never waits
    for the device on other steps.

    Examples:
        >>> from mxjax._src.train.progress import Progress
        >>> p = Progress(total=2, epoch=0, epochs=1, verbose=0)
        >>> p.update(1, lambda: {"loss": 1.0}); p.close({"loss": 1.0})
    """

    def __init__(
        self,
        total: int | None,
        epoch: int,
        epochs: int,
        verbose: int = 1,
        stream=None,
        interval: float = 10.0,
    ):
        self.total, self.epoch, self.epochs, self.verbose = total, epoch, epochs, verbose
        self.stream = stream or sys.stdout
        self.interval = interval
        self.t0 = self.last = time.perf_counter()
        self.n = 0
        self.samples = 0
        self.bar = None
        if verbose >= 1 and self.stream.isatty():
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(
                    total=total,
                    desc=f"Epoch {epoch + 1}/{epochs}",
                    unit="step",
                    file=self.stream,
                    leave=True,
                )
            except ImportError:
                self.bar = None

    def update(self, steps: int, fetch, samples: int = 0) -> None:
        """Advances by ``steps``; refreshes the display when due."""
        self.n += steps
        self.samples += samples
        if self.verbose < 1:
            return
        now = time.perf_counter()
        if self.bar is not None:
            self.bar.update(steps)
            if now - self.last > 0.25:
                self.last = now
                logs = fetch()
                logs["samples/s"] = self.samples / max(now - self.t0, 1e-9)
                self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
        elif now - self.last > self.interval:
            self.last = now
            logs = fetch()
            rate = self.n / max(now - self.t0, 1e-9)
            eta = f"  ETA {(self.total - self.n) / rate:.0f}s" if self.total else ""
            print(
                f"Epoch {self.epoch + 1}/{self.epochs}  step {self.n}/{self.total or '?'}  {_fmt(logs)}  "
                f"{self.samples / max(now - self.t0, 1e-9):.0f} samples/s{eta}",
                file=self.stream,
                flush=True,
            )

    def close(self, logs: dict[str, float]) -> None:
        """Ends the epoch and prints its summary line."""
        elapsed = time.perf_counter() - self.t0
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()})
            self.bar.close()
        elif self.verbose >= 1:
            rate = self.samples / max(elapsed, 1e-9)
            print(
                f"Epoch {self.epoch + 1}/{self.epochs}  {_fmt(logs)}  ({elapsed:.1f}s, {rate:.0f} samples/s)",
                file=self.stream,
                flush=True,
            )


class ProgressLogger(Callback):
    """The progress display as a callback: one :class:`Progress` per epoch.

    Reads ``steps``, ``epochs`` and ``verbose`` from the fit's params; batch
    logs are read from the device only when the display refreshes.

    Examples:
        >>> from mxjax.train import BatchLogs, ProgressLogger
        >>> cb = ProgressLogger()
        >>> cb.set_params({"steps": 1, "epochs": 1, "verbose": 0})
        >>> cb.on_epoch_begin(0); cb.on_batch_end(0, BatchLogs(lambda: {"loss": 1.0}, size=4))
        >>> cb.on_epoch_end(0, {"loss": 1.0})
    """

    def __init__(self, stream=None):
        self.stream = stream
        self._bar: Progress | None = None

    def on_epoch_begin(self, epoch, logs=None):
        p = self.params
        self._bar = Progress(
            p.get("steps"), epoch, p.get("epochs", epoch + 1), p.get("verbose", 1), self.stream
        )

    def on_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(1, logs.fetch, getattr(logs, "size", 0))

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.close(dict(logs or {}))
            self._bar = None
