"""Images/s of the DataLoader on MNIST (embedded subset, repeated) with ToTensor + Normalize.

Compares 0 and 2 worker processes, and the per-sample transform path
(``dataset.transform_first(...)``) with the vectorized batch path
(``DataLoader(..., batch_transform=...)``), at batch size 256.

Run: ``python benchmarks/data_throughput.py [--repeat 5] [--epochs 2]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mxjax.data import ArrayDataset, DataLoader, embedded_mnist
from mxjax.data.vision import transforms as T

MEAN, STD = 0.1307, 0.3081


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
    per_sample = raw.transform_first(T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)]))
    print(f"{len(raw)} images, batch {args.batch_size}, {args.epochs} timed epochs")
    print(f"{'path':<12}{'workers':>8}{'images/s':>14}")
    for path in ("per-sample", "vectorized"):
        for workers in (0, 2):
            if path == "per-sample":
                loader = DataLoader(per_sample, batch_size=args.batch_size, num_workers=workers)
            else:
                loader = DataLoader(
                    raw,
                    batch_size=args.batch_size,
                    num_workers=workers,
                    batch_transform=BatchToTensorNormalize(),
                )
            rate = images_per_second(loader, args.epochs)
            loader.close()
            print(f"{path:<12}{workers:>8}{rate:>14,.0f}")


if __name__ == "__main__":
    main()
