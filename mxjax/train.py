"""The training engine: one jitted train step, ``Model`` with compile/fit/evaluate/predict,
callbacks and history.

Examples:
    >>> import numpy as np
    >>> from mxjax import layers as L, train
    >>> model = train.Model(L.Dense(2))
    >>> _ = model.compile("sgd", "softmax_cross_entropy", metrics=["accuracy"])
    >>> h = model.fit(np.ones((8, 3), "float32"), np.zeros(8, "int32"), epochs=1, verbose=0)
    >>> h.epoch
    [0]
"""

from mxjax._src.train.callbacks import (
    BatchLogs as BatchLogs,
    Callback as Callback,
    CallbackList as CallbackList,
    CSVLogger as CSVLogger,
    EarlyStopping as EarlyStopping,
    LambdaCallback as LambdaCallback,
    ModelCheckpoint as ModelCheckpoint,
    ReduceLROnPlateau as ReduceLROnPlateau,
    TerminateOnNaN as TerminateOnNaN,
)
from mxjax._src.train.checkpoint import (
    BackupAndRestore as BackupAndRestore,
    PeriodicCheckpoint as PeriodicCheckpoint,
)
from mxjax._src.train.engine import Engine as Engine
from mxjax._src.train.history import History as History
from mxjax._src.train.metrics import (
    STEP_METRICS as STEP_METRICS,
    binary_threshold as binary_threshold,
    resolve_metrics as resolve_metrics,
)
from mxjax._src.train.model import Model as Model
from mxjax._src.train.progress import ProgressLogger as ProgressLogger
from mxjax._src.train.resolve import (
    injected_hyperparams as injected_hyperparams,
    named_optimizer as named_optimizer,
    output_activation as output_activation,
    resolve_loss as resolve_loss,
    resolve_optimizer as resolve_optimizer,
    set_learning_rate_in as set_learning_rate_in,
)
from mxjax._src.train.runner import (
    DataParallel as DataParallel,
    Runner as Runner,
    SingleDevice as SingleDevice,
    resolve_runner as resolve_runner,
)
from mxjax._src.train.saving import load_model as load_model
from mxjax._src.train.step import (
    TrainState as TrainState,
    jit_step as jit_step,
    make_eval_step as make_eval_step,
    make_train_step as make_train_step,
    train_step_fn as train_step_fn,
    zero_sums as zero_sums,
)

__all__ = [
    "BackupAndRestore",
    "BatchLogs",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "DataParallel",
    "EarlyStopping",
    "Engine",
    "History",
    "LambdaCallback",
    "Model",
    "ModelCheckpoint",
    "PeriodicCheckpoint",
    "ProgressLogger",
    "ReduceLROnPlateau",
    "Runner",
    "SingleDevice",
    "STEP_METRICS",
    "TerminateOnNaN",
    "TrainState",
    "binary_threshold",
    "jit_step",
    "load_model",
    "injected_hyperparams",
    "make_eval_step",
    "make_train_step",
    "named_optimizer",
    "output_activation",
    "resolve_loss",
    "resolve_metrics",
    "resolve_optimizer",
    "resolve_runner",
    "set_learning_rate_in",
    "train_step_fn",
    "zero_sums",
]
