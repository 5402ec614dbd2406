"""Estimator training with CheckpointHandler(resume_from_checkpoint=True) (fault tests).

usage: estimator_run.py OUT.npz MODEL_DIR|- EPOCHS

Shuffled DataLoader, Dropout, momentum and an LR schedule. With a model
directory, checkpoints are written every epoch and an interrupted run resumes.
"""

import sys
import time

import numpy as np

import mxjax as mx
from mxjax import gluon
from mxjax.gluon.contrib.estimator import BatchEnd, CheckpointHandler, EpochEnd, Estimator

out, model_dir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
mx.random.seed(0)
np.random.seed(0)
rs = np.random.RandomState(1)
x = rs.randn(96, 8).astype(np.float32)
y = ((x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 0)).astype(np.int32)
loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, y), batch_size=8, shuffle=True)
net = gluon.nn.HybridSequential()
net.add(gluon.nn.Dense(16, activation="relu", in_units=8), gluon.nn.Dropout(0.3))
net.add(gluon.nn.Dense(3, in_units=16))
net.initialize(mx.init.Xavier())
sched = mx.lr_scheduler.FactorScheduler(step=10, factor=0.7, base_lr=0.1)
trainer = gluon.Trainer(
    net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9, "lr_scheduler": sched}
)
est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer)
metrics = []


class Record(EpochEnd, BatchEnd):
    def batch_end(self, estimator, *args, **kwargs):
        time.sleep(0.02)  # room for a kill mid-epoch

    def epoch_end(self, estimator, *args, **kwargs):
        metrics.append([float(m.get()[1]) for m in estimator.train_metrics])


handlers = [Record()]
if model_dir != "-":
    handlers.append(CheckpointHandler(model_dir, epoch_period=1, resume_from_checkpoint=True))
est.fit(loader, epochs=epochs, event_handlers=handlers)
params = {k: v.data().asnumpy() for k, v in net._collect_params_with_prefix().items()}
np.savez(out, last_metrics=np.asarray(metrics[-1]), **params)
