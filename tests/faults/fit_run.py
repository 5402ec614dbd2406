"""``fit`` with shuffling, Dropout, momentum and an LR schedule (fault tests).

usage: fit_run.py OUT.npz BACKUP_DIR|- EPOCHS [--loader]

Prints "epoch N" after each epoch's backup is committed. With a backup
directory, ``BackupAndRestore`` resumes an interrupted run.
"""

import sys
import time

import numpy as np

from mxjax import layers as L, lr_scheduler, optim, train

out, backup, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
np.random.seed(0)
rs = np.random.RandomState(1)
x = rs.randn(96, 8).astype(np.float32)
y = ((x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 0)).astype(np.int32)
net = L.Sequential([L.Dense(16, activation="relu"), L.Dropout(0.3), L.Dense(3)])
model = train.Model(net, seed=3)
sched = lr_scheduler.FactorScheduler(step=10, factor=0.7, base_lr=0.1)
model.compile(
    optim.create("sgd", learning_rate=0.1, momentum=0.9, lr_scheduler=sched),
    "softmax_cross_entropy",
    metrics=["accuracy"],
)
callbacks = [] if backup == "-" else [train.BackupAndRestore(backup)]
callbacks.append(
    train.LambdaCallback(
        on_epoch_end=lambda e, logs: print("epoch", e + 1, flush=True),
        on_batch_end=lambda b, logs: time.sleep(0.02),  # room for a kill mid-epoch
    )
)
if "--loader" in sys.argv:
    from mxjax.gluon.data import ArrayDataset, DataLoader

    data = DataLoader(ArrayDataset(x, y), batch_size=8, shuffle=True)
    h = model.fit(data, epochs=epochs, callbacks=callbacks, verbose=0, validation_data=(x, y))
else:
    h = model.fit(
        x, y, batch_size=8, epochs=epochs, callbacks=callbacks, verbose=0, validation_data=(x, y)
    )
np.savez(
    out,
    epochs=np.asarray(h.epoch),
    **{f"h_{k}": np.asarray(v) for k, v in h.history.items()},
    **{f"p_{i}": np.asarray(a) for i, a in enumerate(__import__("jax").tree.leaves(model.params))},
)
