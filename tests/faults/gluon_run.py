"""A small Gluon training loop with shuffling, Dropout and an LR schedule (fault tests).

usage: gluon_run.py OUT.npz CKPT_DIR|- EPOCHS [--hybridize]

Prints "epoch N" after each committed epoch. With a checkpoint directory it
resumes from the newest checkpoint there and saves one after every epoch.
"""

import json
import sys
import time

import numpy as np

import mxjax as mx
from mxjax import autograd, gluon

out, ckpt_dir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
mx.random.seed(0)
np.random.seed(0)
rs = np.random.RandomState(1)
x = rs.randn(96, 8).astype(np.float32)
y = (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 0).astype(np.int32)
loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=8, shuffle=True)
net = gluon.nn.HybridSequential()
net.add(gluon.nn.Dense(16, activation="relu", in_units=8), gluon.nn.Dropout(0.3))
net.add(gluon.nn.Dense(3, in_units=16))
net.initialize(mx.init.Xavier())
if "--hybridize" in sys.argv:
    net.hybridize()
sched = mx.lr_scheduler.FactorScheduler(step=10, factor=0.7, base_lr=0.1)
trainer = gluon.Trainer(
    net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "lr_scheduler": sched}
)
loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
ckpt = None if ckpt_dir == "-" else gluon.TrainingCheckpoint(ckpt_dir, net, trainer, [loader])
meta = ckpt.restore() if ckpt is not None else None
start, history = (meta["epoch"], meta["history"]) if meta else (0, [])
for epoch in range(start, epochs):
    total = 0.0
    for xb, yb in loader:
        with autograd.record():
            loss = loss_fn(net(xb), yb)
        loss.backward()
        trainer.step(xb.shape[0])
        total += float(loss.mean().asscalar())
        time.sleep(0.02)  # room for a kill mid-epoch
    history.append(total)
    if ckpt is not None:
        ckpt.save(epoch + 1, epoch=epoch + 1, history=history)
    print("epoch", epoch + 1, flush=True)
params = {k: v.data().asnumpy() for k, v in net._collect_params_with_prefix().items()}
np.savez(out, history=np.asarray(history), **params)
print(json.dumps({"done": True}), flush=True)
