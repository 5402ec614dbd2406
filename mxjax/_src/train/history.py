"""Training history with a PNG plot of the curves."""

from __future__ import annotations

import os

from mxjax._src.io.atomic import atomic_path
from mxjax._src.train.callbacks import Callback

__all__ = ["History"]


class History(Callback):
    """Per-epoch logs returned by ``fit`` (a callback the loop always runs).

    Attributes:
        history: ``{'loss': [...], 'accuracy': [...], 'val_loss': [...], ...}``.
        epoch: the epoch indices that were run.

    Examples:
        >>> from mxjax.train import History
        >>> h = History()
        >>> h.append(0, {"loss": 1.0})
        >>> h.history
        {'loss': [1.0]}
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Records the logs of one epoch."""
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))

    def on_epoch_end(self, epoch, logs=None):
        self.append(epoch, dict(logs or {}))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"

    def plot(self, path: str | os.PathLike, title: str | None = None) -> str:
        """Writes a PNG with one panel per quantity (training and validation curves).

        Requires matplotlib (``pip install "mxjax[plot]"``). The file is
        written atomically.

        Returns:
            The path written.

        Raises:
            ImportError: with the install command, when matplotlib is missing.
            ValueError: when there is nothing to plot.

        Examples:
            >>> import os, tempfile
            >>> from mxjax.train import History
            >>> h = History(); h.append(0, {"loss": 1.0}); h.append(1, {"loss": 0.5})
            >>> p = h.plot(os.path.join(tempfile.mkdtemp(), "curves.png"))
            >>> os.path.getsize(p) > 0
            True
        """
        try:
            import matplotlib

            matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                'History.plot needs matplotlib: pip install "mxjax[plot]" (or pip install matplotlib)'
            ) from None
        if not self.history:
            raise ValueError("History.plot: nothing to plot (no epoch was recorded)")
        bases = [k for k in self.history if not k.startswith("val_")]
        bases += [k[4:] for k in self.history if k.startswith("val_") and k[4:] not in bases]
        fig, axes = plt.subplots(1, len(bases), figsize=(4.5 * len(bases), 3.5), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], bases):
            for key, style in ((name, "-o"), (f"val_{name}", "--s")):
                if key in self.history:
                    ax.plot(epochs[: len(self.history[key])], self.history[key], style, label=key)
            ax.set_xlabel("epoch")
            ax.set_title(name)
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        path = os.fspath(path)
        try:
            with atomic_path(path, suffix=".png") as tmp:
                fig.savefig(tmp, format="png", dpi=100)
        finally:
            plt.close(fig)
        return path
