"""Images/s of the DataLoader on MNIST (embedded subset, repeated) with ToTensor + Normalize.

Compares 0 and 2 worker processes, at batch size 256, for three paths:

- ``per-sample``: the transform runs in Python once per image (forced here by
  wrapping it in a plain callable, as any user function is);
- ``auto-batched``: ``dataset.transform_first(Compose([ToTensor(), Normalize()]))``,
  which the DataLoader gathers and transforms a whole batch at a time because
  those transforms are deterministic;
- ``batch_transform``: ``DataLoader(..., batch_transform=...)`` on the raw arrays.

Run: ``python benchmarks/data_throughput.py [--repeat 5] [--epochs 2]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mxjax.data import ArrayDataset, DataLoader, embedded_mnist
from mxjax.data.vision import transforms as T

MEAN, STD = 0.1307, 0.3081


class PerSample:
    """A user-defined per-image transform (not known to be batchable)."""

    def __init__(self):
        self.tf = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])

    def __call__(self, x):
        return self.tf(x)


class BatchToTensorNormalize:
    """Vectorized path: ToTensor + Normalize on the whole NHWC image batch."""

    def __init__(self):
        self.tf = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])

    def __call__(self, batch):
        x, y = batch
        return [self.tf(x), y]


def images_per_second(loader: DataLoader, epochs: int) -> float:
    for _ in loader:  # warm-up epoch: starts the workers
        pass
    n, t = 0, time.perf_counter()
    for _ in range(epochs):
        for x, _y in loader:
            n += x.shape[0]
    return n / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="copies of the 4,000 images")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    x, y = embedded_mnist(train=True)
    x, y = np.tile(x, (args.repeat, 1, 1, 1)), np.tile(y, args.repeat)
    raw = ArrayDataset(x, y)
    datasets = {
        "per-sample": raw.transform_first(PerSample()),
        "auto-batched": raw.transform_first(T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])),
        "batch_transform": raw,
    }
    print(f"{len(raw)} images, batch {args.batch_size}, {args.epochs} timed epochs")
    print(f"{'path':<16}{'workers':>8}{'images/s':>14}")
    for path, dataset in datasets.items():
        for workers in (0, 2):
            loader = DataLoader(
                dataset,
                batch_size=args.batch_size,
                num_workers=workers,
                batch_transform=BatchToTensorNormalize() if path == "batch_transform" else None,
            )
            rate = images_per_second(loader, args.epochs)
            loader.close()
            print(f"{path:<16}{workers:>8}{rate:>14,.0f}")


if __name__ == "__main__":
    main()
