"""``gluon.contrib.estimator.BatchProcessor``: the Estimator's per-batch hooks (MXNet 1.9.1)."""

from __future__ import annotations

from typing import Any

__all__ = ["BatchProcessor", "overrides"]


class BatchProcessor:
    """How the Estimator trains and evaluates one batch; subclass it to customize either.

    ``fit_batch`` runs the forward pass under ``autograd.record()`` and
    ``backward``; the Estimator's :class:`GradientUpdateHandler` then calls
    ``trainer.step(batch_size)``. ``evaluate_batch`` runs ``val_net`` and
    ``val_loss``. Both return ``(data, label, pred, loss)``, each a list with
    one entry per context (``gluon.utils.split_and_load`` of the batch).

    With the processor's own ``fit_batch`` (the default), the Estimator runs
    forward, backward and the Trainer's update as one compiled step: the same
    numbers, without a Python round trip per layer. A subclass that overrides
    ``fit_batch`` is called for every training batch instead, and one that
    overrides ``evaluate_batch`` for every validation batch, exactly as in
    MXNet.

    Examples:
        >>> import numpy as np
        >>> import mxjax as mx
        >>> from mxjax import gluon
        >>> from mxjax.gluon.contrib.estimator import BatchProcessor, Estimator
        >>> class Halved(BatchProcessor):  # trains on the first half of each batch
        ...     def fit_batch(self, estimator, train_batch, batch_axis=0):
        ...         data, label = train_batch
        ...         return super().fit_batch(estimator, (data[: len(data) // 2], label[: len(label) // 2]))
        >>> net = gluon.nn.Dense(2, in_units=4)
        >>> net.initialize()
        >>> x = np.ones((8, 4), "float32")
        >>> loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, np.zeros(8, "float32")), batch_size=4)
        >>> est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(), batch_processor=Halved(),
        ...                 trainer=gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}))
        >>> est.logger.disabled = True
        >>> est.fit(loader, epochs=1)
        >>> est.train_metrics[0].num_inst  # two samples of each of the two batches
        4
    """

    def __init__(self):
        pass

    def _get_data_and_label(self, batch, ctx, batch_axis=0):
        from mxjax._src.gluon.utils import split_and_load

        data, label = batch[0], batch[1]
        data = split_and_load(data, ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(label, ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator, val_batch, batch_axis=0):
        """``(data, label, pred, loss)`` of ``estimator.val_net`` on one ``(data, label)`` batch.

        Each is a list with one NDArray per context of ``estimator.context``
        (the batch is split along ``batch_axis``).
        """
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(y_hat, y) for y_hat, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator, train_batch, batch_axis=0):
        """Forward and backward of ``estimator.net`` on one batch; the update comes after.

        Returns ``(data, label, pred, loss)`` as :meth:`evaluate_batch` does.
        """
        from mxjax import autograd

        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(y_hat, y) for y_hat, y in zip(pred, label)]
        for item in loss:
            item.backward()
        return data, label, pred, loss


def overrides(processor: Any, name: str) -> bool:
    """Whether ``processor``'s ``name`` method is not :class:`BatchProcessor`'s own.

    Examples:
        >>> from mxjax._src.gluon.batch_processor import BatchProcessor, overrides
        >>> overrides(BatchProcessor(), "fit_batch")
        False
    """
    method = getattr(processor, name, None)
    return getattr(method, "__func__", method) is not getattr(BatchProcessor, name)
