"""``gluon.contrib.estimator.Estimator`` (MXNet 1.9.1 semantics) on the jitted train step."""

from __future__ import annotations

import copy
import os
import tempfile
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.gluon import event_handler as H
from mxjax._src.gluon.keras import BlockEngine
from mxjax._src.train.engine import resolve_loss
from mxjax._src.train.step import TrainState, _train_step_fn, zero_sums

__all__ = ["Estimator"]


def _host(a):
    return a.asnumpy() if hasattr(a, "asnumpy") else np.asarray(a)


def _split_batch(batch, batch_axis=0):
    if not isinstance(batch, (list, tuple)) or len(batch) < 2:
        raise ValueError(
            f"Estimator: each batch must be (data, label); received {type(batch).__name__}"
        )
    data, label = batch[0], batch[1]
    if batch_axis != 0:
        raise ValueError(f"Estimator: only batch_axis=0 is supported; received {batch_axis}")
    return _host(data), _host(label)


class Estimator:
    """Trains a Gluon network with event handlers, on mxjax's one jitted train step.

    Args:
        net: the Gluon Block to train.
        loss: a ``gluon.loss`` Loss (per-sample).
        train_metrics: EvalMetric(s); default: Accuracy for softmax cross-entropy,
            plus a Loss metric, named ``'training ...'`` as in MXNet.
        val_metrics: EvalMetric(s) for validation; default: copies of the
            training metrics named ``'validation ...'``.
        initializer: used when the network is not initialized yet.
        trainer: a ``gluon.Trainer``; default Adam with learning rate 0.001.
        context: accepted for compatibility (a list of contexts trains data-parallel).
        val_net, val_loss: network and loss used for validation (default: the same).

    Examples:
        >>> import numpy as np
        >>> import mxjax as mx
        >>> from mxjax import gluon
        >>> from mxjax.gluon.contrib.estimator import Estimator
        >>> net = gluon.nn.Dense(2, in_units=4)
        >>> net.initialize()
        >>> x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
        >>> loader = gluon.data.DataLoader(gluon.data.ArrayDataset(x, (x[:, 0] > 0).astype("float32")), batch_size=8)
        >>> est = Estimator(net, gluon.loss.SoftmaxCrossEntropyLoss(),
        ...                 trainer=gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1}))
        >>> est.logger.disabled = True
        >>> est.fit(loader, epochs=2)
        >>> est.train_metrics[0].name
        'training accuracy'
    """

    def __init__(self, net, loss, train_metrics=None, val_metrics=None, initializer=None, trainer=None,
                 context=None, val_net=None, val_loss=None, batch_processor=None):  # fmt: skip
        from mxjax import gluon

        self.net, self.loss = net, loss
        self.val_net = val_net if val_net is not None else net
        self.val_loss = val_loss if val_loss is not None else loss
        self.context = context
        self.batch_processor = batch_processor
        self.logger = H.default_logger()
        self._initialize(initializer)
        if trainer is None:
            warnings.warn(
                "No trainer specified, default SGD optimizer with learning rate 0.001 is used.",
                UserWarning,
                stacklevel=2,
            )
            trainer = gluon.Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        self.trainer = trainer
        self._train_metrics = self._check_metrics(train_metrics)
        self._val_metrics = self._check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.max_epoch = self.max_batch = None
        self.stop_training = False
        self.resumed_epochs = 0
        self._engine: BlockEngine | None = None

    # --------------------------------------------------------------- set-up
    def _initialize(self, initializer):
        params = self.net.collect_params().values()
        if all(p._data is None and not getattr(p, "_deferred", None) for p in params):
            from mxjax import init

            self.net.initialize(
                init=initializer if initializer is not None else init.Uniform(0.07),
                ctx=self.context,
            )
        elif initializer is not None:
            warnings.warn(
                "Network already initialized, the initializer passed to Estimator is ignored.",
                UserWarning,
                stacklevel=3,
            )

    @staticmethod
    def _check_metrics(metrics):
        from mxjax import metric as M

        if metrics is None:
            return []
        metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
        for m in metrics:
            if not isinstance(m, M.EvalMetric):
                raise ValueError(
                    f"metrics must be mx.metric.EvalMetric objects; received {type(m).__name__}"
                )
        return list(metrics)

    def _add_default_training_metrics(self):
        from mxjax import metric as M

        if not self._train_metrics:
            if type(self.loss).__name__ in ("SoftmaxCrossEntropyLoss", "SoftmaxCELoss"):
                self._train_metrics = [M.Accuracy()]
        loss_name = str(getattr(self.loss, "name", type(self.loss).__name__.lower())).rstrip(
            "1234567890"
        )
        self._train_metrics.append(M.Loss(loss_name))
        for m in self._train_metrics:
            m.name = "training " + m.name

    def _add_validation_metrics(self):
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(m) for m in self._train_metrics]
        for m in self._val_metrics:
            m.name = (
                m.name.replace("training", "validation")
                if "training" in m.name
                else "validation " + m.name
            )

    @property
    def train_metrics(self):
        """The training metrics (EvalMetric objects)."""
        return self._train_metrics

    @property
    def val_metrics(self):
        """The validation metrics (EvalMetric objects)."""
        return self._val_metrics

    def _get_engine(self) -> BlockEngine:
        if self._engine is None:
            eng = BlockEngine(self.net)
            opt = self.trainer.optimizer
            eng.compile(
                optimizer="sgd", loss=self.loss
            )  # placeholder transformation, replaced below
            params = {
                n: p
                for n, p in self.net._collect_params_with_prefix().items()
                if p.grad_req != "null"
            }
            names = list(params)
            tx = opt.to_optax(
                names,
                lr_mult={n: p.lr_mult for n, p in params.items()},
                wd_mult={n: p.wd_mult for n, p in params.items()},
            )
            eng.compile(optimizer=tx, loss=self.loss, learning_rate=opt.learning_rate)
            eng._mx_opt = opt
            eng._est_mesh = self._mesh()
            eng._est_psteps = {}
            eng._est_step = jax.jit(
                _train_step_fn(eng.apply_fn, eng.loss_fn, eng.tx, {}, with_outputs=True),
                donate_argnums=(0, 1),
            )
            val_loss = resolve_loss(self.val_loss)
            eng._est_eval = jax.jit(lambda p, s, x, y: _eval(eng.apply_fn, val_loss, p, s, x, y))
            self._engine = eng
        return self._engine

    def _mesh(self):
        """A data-parallel mesh when ``context`` lists several devices, else None."""
        ctx = self.context
        if isinstance(ctx, (list, tuple)) and len(ctx) > 1:
            from mxjax._src.parallel.mesh import data_mesh

            return data_mesh(list(ctx))
        return None

    def _run_step(self, eng, ts, sums, data, label):
        """One jitted step; with several contexts the batch is split across them."""
        mesh = eng._est_mesh
        if mesh is None:
            return eng._est_step(ts, sums, data, label)
        from mxjax._src.parallel.step import make_parallel_train_step, replicate, shard_batch

        even = data.shape[0] % mesh.devices.size == 0
        step = eng._est_psteps.get(even)
        if step is None:
            step = make_parallel_train_step(
                eng.apply_fn, eng.loss_fn, eng.tx, {}, mesh, even=even, with_outputs=True
            )
            eng._est_psteps[even] = step
        put = shard_batch if even else replicate
        out = step(ts, sums, put(jnp.asarray(data), mesh), put(jnp.asarray(label), mesh))
        if mesh.devices.flat[0].platform == "cpu":  # see Engine.fit: XLA:CPU collectives
            jax.block_until_ready(out[1])
        return out

    # ------------------------------------------------------------ helpers
    def sync_net(self) -> None:
        """Writes the trained values back into ``net``'s Parameters."""
        eng = self._engine
        if eng is not None and eng.params is not None:
            eng.push()

    def save_states(self, fname: str) -> None:
        """Saves the optimizer state (an ``.npz`` without pickles, written atomically)."""
        eng = self._get_engine()
        if eng.opt_state is None:
            return
        leaves = [np.asarray(x) for x in jax.tree.leaves(eng.opt_state)]
        fd, tmp = tempfile.mkstemp(
            dir=os.path.dirname(os.path.abspath(fname)) or ".", suffix=".npz"
        )
        os.close(fd)
        np.savez(tmp, *leaves)
        os.replace(tmp, fname)

    def load_states(self, fname: str) -> None:
        """Loads an optimizer state written by :meth:`save_states`."""
        eng = self._get_engine()
        with np.load(fname, allow_pickle=False) as f:
            leaves = [f[f"arr_{i}"] for i in range(len(f.files))]
        eng._pending_states = leaves

    def _restore_states(self, eng):
        leaves = getattr(eng, "_pending_states", None)
        if leaves is None:
            return
        cur, treedef = jax.tree.flatten(eng.opt_state)
        if len(cur) != len(leaves) or any(np.shape(a) != np.shape(b) for a, b in zip(cur, leaves)):
            raise ValueError(
                "Estimator.load_states: the saved optimizer state does not match this optimizer"
            )
        eng.opt_state = jax.tree.unflatten(treedef, [jnp.asarray(v) for v in leaves])
        eng._pending_states = None

    # ------------------------------------------------------------ evaluate
    def evaluate(self, val_data, batch_axis=0, event_handlers=None):
        """Evaluates ``val_net`` on ``val_data`` and updates the validation metrics."""
        from mxjax import metric as M, nd

        eng = self._get_engine()
        self.sync_net()
        eng.params = None
        for m in self.val_metrics:
            m.reset()
        for batch in val_data:
            data, label = _split_batch(batch, batch_axis)
            if eng.params is None:
                eng._ensure_init(data)
            pred, loss = eng._est_eval(eng.params, eng.state, data, label)
            for m in self.val_metrics:
                if isinstance(m, M.Loss):
                    m.update(0, nd.NDArray(loss))
                else:
                    m.update(nd.NDArray(jnp.asarray(label)), nd.NDArray(pred))

    # ----------------------------------------------------------------- fit
    def _prepare_default_handlers(self, val_data, event_handlers):
        handlers = list(event_handlers or [])
        kinds = {type(h) for h in handlers}
        if not any(isinstance(h, H.StoppingHandler) for h in handlers):
            handlers.append(H.StoppingHandler(self.max_epoch, self.max_batch))
        if not any(isinstance(h, H.GradientUpdateHandler) for h in handlers):
            handlers.append(H.GradientUpdateHandler())
        if not any(isinstance(h, H.MetricHandler) for h in handlers):
            handlers.append(H.MetricHandler(metrics=self.train_metrics))
        if val_data is not None and not any(isinstance(h, H.ValidationHandler) for h in handlers):
            handlers.append(H.ValidationHandler(val_data=val_data, eval_fn=self.evaluate))
        default_metrics = self.train_metrics + (self.val_metrics if val_data is not None else [])
        if H.LoggingHandler not in kinds:
            handlers.append(H.LoggingHandler(metrics=default_metrics))
        for h in handlers:
            if isinstance(h, H.LoggingHandler) and not h.metrics:
                h.metrics = list(default_metrics)
        return handlers

    @staticmethod
    def _categorize(handlers):
        def pick(cls):
            return sorted(
                (h for h in handlers if isinstance(h, cls)), key=lambda h: getattr(h, "priority", 0)
            )

        return (
            pick(H.TrainBegin),
            pick(H.EpochBegin),
            pick(H.BatchBegin),
            pick(H.BatchEnd),
            pick(H.EpochEnd),
            pick(H.TrainEnd),
        )

    def fit(
        self,
        train_data,
        val_data=None,
        epochs=None,
        event_handlers=None,
        batches=None,
        batch_axis=0,
    ):
        """Trains for ``epochs`` epochs or ``batches`` batches, calling the event handlers.

        Raises:
            ValueError: unless exactly one of ``epochs`` and ``batches`` is given.
        """
        from mxjax import nd

        if (epochs is None) == (batches is None):
            raise ValueError(
                "Estimator.fit: specify either epochs or batches (exactly one of them)"
            )
        self.max_epoch, self.max_batch = epochs, batches
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = self._categorize(
            handlers
        )
        eng = self._get_engine()
        eng.params = None
        self.stop_training = False
        for h in train_begin:
            h.train_begin(self)
        ts, sums = None, zero_sums([])
        while not self.stop_training and self.max_epoch != 0:
            for h in epoch_begin:
                h.epoch_begin(self)
            for batch in train_data:
                for h in batch_begin:
                    h.batch_begin(self, batch=batch)
                data, label = _split_batch(batch, batch_axis)
                if ts is None:
                    if eng.params is None:
                        eng._ensure_init(data)
                    self._restore_states(eng)
                    ts = TrainState(eng.params, eng.state, eng.opt_state, eng._key, eng._step)
                    if eng._est_mesh is not None:
                        from mxjax._src.parallel.mesh import replicated
                        from mxjax._src.parallel.step import replicate

                        ts, sums = replicate(ts, eng._est_mesh), replicate(sums, eng._est_mesh)
                        eng._hp_sharding = replicated(eng._est_mesh)
                ts = eng._refresh_hyperparams(ts)
                ts, sums, pred, loss = self._run_step(eng, ts, sums, data, label)
                eng._sync_from(ts)
                kwargs = {
                    "batch": batch,
                    "pred": nd.NDArray(pred),
                    "label": nd.NDArray(jnp.asarray(label)),
                    "loss": nd.NDArray(loss),
                }
                if any([h.batch_end(self, **kwargs) for h in batch_end]):
                    self.stop_training = True
                    break
            ts = None
            self.sync_net()
            if any([h.epoch_end(self) for h in epoch_end]):
                self.stop_training = True
        self.sync_net()
        for h in train_end:
            h.train_end(self)


def _eval(apply_fn, loss_fn, params, state, x, y):
    out, _ = apply_fn(params, state, x, train=False)
    per = loss_fn(out, y)
    return out, per.reshape(per.shape[0], -1).mean(axis=1) if per.ndim > 1 else per
