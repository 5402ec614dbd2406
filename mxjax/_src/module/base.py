"""``BaseModule``: MXNet's high-level loops (``fit``, ``score``, ``predict``, ``iter_predict``).

Subclasses (:class:`~mxjax.module.Module`) supply ``bind``, ``init_params``,
``init_optimizer``, ``forward``, ``backward``, ``update``, ``update_metric``
and ``get_outputs``; the loops here are MXNet 1.9.1's, with the same
callbacks (``BatchEndParam``) and logging.
"""

from __future__ import annotations

import logging
import time
from collections import namedtuple
from typing import Any

import numpy as np

__all__ = ["BaseModule", "BatchEndParam"]

BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def _as_list(obj: Any) -> list:
    if obj is None:
        return []
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _metric(eval_metric: Any):
    from mxjax import metric

    return metric.create(eval_metric)


class BaseModule:
    """Base class of modules: the training, scoring and prediction loops.

    Examples:
        >>> import mxjax as mx
        >>> issubclass(mx.mod.Module, mx.mod.BaseModule)
        True
    """

    def __init__(self, logger: Any = logging):
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    # ----------------------------------------------------------------- high level
    def forward_backward(self, data_batch: Any) -> None:
        """A training forward pass followed by backward."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(
        self,
        eval_data: Any,
        eval_metric: Any,
        num_batch: int | None = None,
        batch_end_callback: Any = None,
        score_end_callback: Any = None,
        reset: bool = True,
        epoch: int = 0,
        sparse_row_id_fn: Any = None,
    ) -> list:
        """Evaluates ``eval_metric`` on ``eval_data``; returns ``[(name, value)]``.

        Examples:
            >>> import numpy as np, mxjax as mx
            >>> net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(
            ...     mx.sym.var("data"), num_hidden=2, name="fc"), name="softmax")
            >>> it = mx.io.NDArrayIter(np.ones((4, 3)), np.zeros(4), batch_size=2)
            >>> mod = mx.mod.Module(net)
            >>> mod.bind(it.provide_data, it.provide_label)
            >>> mod.init_params(mx.init.Zero())
            >>> mod.score(it, "acc")
            [('accuracy', 1.0)]
        """
        del sparse_row_id_fn
        self._check_ready("score")
        if reset:
            eval_data.reset()
        eval_metric = _metric(eval_metric)
        eval_metric.reset()
        actual = 0
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(batch)
            self.forward(batch, is_train=False)
            self.update_metric(eval_metric, batch.label, pre_sliced=False)
            if batch_end_callback is not None:
                params = BatchEndParam(epoch, nbatch, eval_metric, locals())
                for cb in _as_list(batch_end_callback):
                    cb(params)
            actual = nbatch
        if score_end_callback is not None:
            params = BatchEndParam(epoch, actual, eval_metric, locals())
            for cb in _as_list(score_end_callback):
                cb(params)
        return eval_metric.get_name_value()

    def iter_predict(
        self,
        eval_data: Any,
        num_batch: int | None = None,
        reset: bool = True,
        sparse_row_id_fn: Any = None,
    ):
        """Yields ``(outputs, nbatch, batch)`` per batch, padding removed."""
        del sparse_row_id_fn
        self._check_ready("iter_predict")
        if reset:
            eval_data.reset()
        for nbatch, batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(batch)
            self.forward(batch, is_train=False)
            pad = batch.pad or 0
            outputs = [out[0 : out.shape[0] - pad] for out in self.get_outputs()]
            yield outputs, nbatch, batch

    def predict(
        self,
        eval_data: Any,
        num_batch: int | None = None,
        merge_batches: bool = True,
        reset: bool = True,
        always_output_list: bool = False,
        sparse_row_id_fn: Any = None,
    ):
        """Runs inference over ``eval_data`` (an iterator or an array); returns the outputs.

        With ``merge_batches`` the batches are concatenated (padding removed);
        a single output is returned as an NDArray unless ``always_output_list``.
        """
        from mxjax._src.io.iterators import NDArrayIter
        from mxjax._src.nd.creation import array

        del sparse_row_id_fn
        if isinstance(eval_data, np.ndarray) or hasattr(eval_data, "asnumpy"):
            bs = self.data_shapes[0][1][0] if self.binded else len(eval_data)
            eval_data = NDArrayIter(eval_data, batch_size=bs, last_batch_handle="pad")
        outs = [
            [o.copy() for o in out]
            for out, _, _ in self.iter_predict(eval_data, num_batch=num_batch, reset=reset)
        ]
        if not outs:
            return []
        if not merge_batches:
            return outs
        n = len(outs[0])
        for o in outs:
            if len(o) != n:
                raise ValueError(
                    "predict: batches have different numbers of outputs; use merge_batches=False"
                )
        merged = [
            array(np.concatenate([o[i].asnumpy() for o in outs]), dtype=outs[0][i].dtype)
            for i in range(n)
        ]
        if n == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(
        self,
        train_data: Any,
        eval_data: Any = None,
        eval_metric: Any = "acc",
        epoch_end_callback: Any = None,
        batch_end_callback: Any = None,
        kvstore: Any = "local",
        optimizer: Any = "sgd",
        optimizer_params: Any = (("learning_rate", 0.01),),
        eval_end_callback: Any = None,
        eval_batch_end_callback: Any = None,
        initializer: Any = None,
        arg_params: Any = None,
        aux_params: Any = None,
        allow_missing: bool = False,
        force_rebind: bool = False,
        force_init: bool = False,
        begin_epoch: int = 0,
        num_epoch: int | None = None,
        validation_metric: Any = None,
        monitor: Any = None,
        sparse_row_id_fn: Any = None,
    ) -> None:
        """Trains the module (MXNet's ``BaseModule.fit``).

        Binds, initializes parameters (``initializer`` defaults to
        ``Uniform(0.01)``) and the optimizer, then for each epoch runs
        ``forward_backward`` + ``update`` per batch, updating ``eval_metric``,
        calling ``batch_end_callback(BatchEndParam)``, logging
        ``Epoch[i] Train-accuracy=...``, saving via ``epoch_end_callback(epoch,
        symbol, arg_params, aux_params)`` and scoring ``eval_data``.
        ``kvstore`` names are accepted (training is single-process here).
        """
        from mxjax._src import initializers

        del monitor, sparse_row_id_fn
        if num_epoch is None:
            raise ValueError("fit: please specify number of epochs (num_epoch=...)")
        self.bind(
            data_shapes=train_data.provide_data,
            label_shapes=train_data.provide_label,
            for_training=True,
            force_rebind=force_rebind,
        )
        self.init_params(
            initializer=initializer or initializers.Uniform(0.01),
            arg_params=arg_params,
            aux_params=aux_params,
            allow_missing=allow_missing,
            force_init=force_init,
        )
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        eval_metric = _metric(eval_metric)
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            data_iter = iter(train_data)
            end_of_batch = False
            next_batch = next(data_iter)
            while not end_of_batch:
                batch = next_batch
                self.forward_backward(batch)
                self.update()
                try:
                    next_batch = next(data_iter)
                    self.prepare(next_batch)
                except StopIteration:
                    end_of_batch = True
                self.update_metric(eval_metric, batch.label)
                if batch_end_callback is not None:
                    params = BatchEndParam(epoch, nbatch, eval_metric, locals())
                    for cb in _as_list(batch_end_callback):
                        cb(params)
                nbatch += 1
            for name, val in eval_metric.get_name_value():
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, val)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            arg_p, aux_p = self.get_params()
            for cb in _as_list(epoch_end_callback):
                cb(epoch, self.symbol, arg_p, aux_p)
            if eval_data is not None:
                res = self.score(
                    eval_data,
                    validation_metric,
                    score_end_callback=eval_end_callback,
                    batch_end_callback=eval_batch_end_callback,
                    epoch=epoch,
                )
                for name, val in res:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    # ----------------------------------------------------------------- helpers
    def _check_ready(self, who: str) -> None:
        if not (self.binded and self.params_initialized):
            raise ValueError(f"{who}: call bind() and init_params() first")

    def prepare(self, data_batch: Any, sparse_row_id_fn: Any = None) -> None:
        """Prepares for a batch (nothing to do on a single process)."""

    @property
    def symbol(self):
        """The symbol of the module."""
        return self._symbol
