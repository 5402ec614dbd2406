"""The fit/evaluate/predict loop over one jitted train step (Keras-style API)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import jax
import numpy as np

from mxjax._src.host_eval import host_eval, split_key
from mxjax._src.host_random import copy_array, host_cast, key_from_seed, to_device
from mxjax._src.train.callbacks import BatchLogs, Callback, CallbackList
from mxjax._src.train.checkpoint import ResumeFrom
from mxjax._src.train.feed import ArrayFeed, IterableFeed, pad_rows
from mxjax._src.train.history import History
from mxjax._src.train.labels import check_class_labels, class_axis, num_classes
from mxjax._src.train.metrics import resolve_metrics
from mxjax._src.train.progress import ProgressLogger
from mxjax._src.train.resolve import (
    _is_softmax_ce,
    _OnProbabilities,
    injected_hyperparams,
    named_optimizer,
    output_activation,
    resolve_loss,
    resolve_optimizer,
    set_learning_rate_in,
)
from mxjax._src.train.runner import Runner, SingleDevice, resolve_runner
from mxjax._src.train.step import (
    TrainState,
    make_eval_step,
    train_step_fn,
    zero_sums,
)
from mxjax._src.validate import check_fit_args, check_number

__all__ = ["Engine"]


def _host(a):
    if hasattr(a, "asnumpy"):
        return a.asnumpy()
    return a


def _tree_len(x) -> int:
    leaves = jax.tree.leaves(x)
    if not leaves:
        raise ValueError("fit/evaluate: x holds no arrays")
    n = {int(np.shape(a)[0]) for a in leaves}
    if len(n) != 1:
        raise ValueError(
            f"all inputs must have the same number of samples; received lengths {sorted(n)}"
        )
    return n.pop()


def _as_tree(x):
    if isinstance(x, list):
        x = tuple(x)
    return jax.tree.map(_host, x, is_leaf=lambda v: hasattr(v, "asnumpy"))


class Engine:
    """Keras-style training over a pure ``apply_fn`` and one jitted step.

    Subclasses (:class:`mxjax.train.Model`, the Gluon ``Block.compile``) give
    ``init_fn(key, *x) -> (params, state)`` and ``apply_fn(params, state, *x,
    key=None, train=False) -> (out, state)``.

    Examples:
        >>> import numpy as np
        >>> from mxjax import layers as L
        >>> from mxjax.train import Engine
        >>> net = L.Dense(2)
        >>> engine = Engine(net.apply, net.init).compile("sgd", "softmax_cross_entropy")
        >>> engine.fit(np.ones((4, 3), "float32"), np.zeros(4, "int32"), verbose=0).epoch
        [0]
    """

    def __init__(
        self,
        apply_fn: Callable,
        init_fn: Callable | None = None,
        params=None,
        state=None,
        seed: int = 0,
    ):
        self.apply_fn = apply_fn
        self.init_fn = init_fn
        # The engine donates its buffers to the train step: own a copy of what the caller passed.
        copy = lambda t: jax.tree.map(copy_array, t)  # noqa: E731
        self.params = copy(params) if params is not None else None
        self.state = copy(state) if state is not None else {}
        self.seed = seed
        self.opt_state = None
        self.stop_training = False
        self._compiled = False
        self._key = key_from_seed(seed)  # compiles nothing
        self._step = jax.device_put(np.zeros((), np.int32))
        self._single = SingleDevice()  # the default runner, kept with its compiled programs
        self._rescale = 1.0

    # ------------------------------------------------------------- configure
    def compile(
        self,
        optimizer: Any = "adam",
        loss: Any = "softmax_cross_entropy",
        metrics=None,
        learning_rate=None,
    ):
        """Sets the optimizer, the loss and the metrics.

        Args:
            optimizer: a name (``'adam'``, ``'sgd'`` ...), an optax
                GradientTransformation, or an ``mx.optimizer.Optimizer``.
            loss: a name (``'softmax_cross_entropy'``, ``'l2'`` ...), a loss
                object (Gluon or :mod:`mxjax.losses`) or a callable returning
                per-sample losses. When the model's last layer applies
                ``'softmax'`` and the loss is a softmax cross-entropy on logits,
                the outputs are treated as probabilities (the loss uses their
                log, not a second softmax; Keras does the same) and
                ``outputs_are_probabilities`` is True.
            metrics: names (``'accuracy'``), ``mx.metric`` objects or callables.
            learning_rate: overrides the default learning rate of a named optimizer.
        """
        if learning_rate is not None:
            check_number(learning_rate, "learning_rate", "compile", minimum=0, strict=True)
        spec = optimizer
        if isinstance(optimizer, str):
            # A name becomes its mx.optimizer class: one way to change the learning rate
            # (the optimizer's hyperparameters, traced), as for a Gluon Trainer.
            optimizer = named_optimizer(optimizer, learning_rate)
        base, self._base_lr = resolve_optimizer(optimizer, learning_rate)
        self.__dict__.pop("_pending_lr", None)
        # What a model file can record to compile again (names only; None otherwise).
        names = all(isinstance(m, str) for m in (metrics or ()))
        self._compile_config = (
            {
                "optimizer": spec,
                "loss": loss,
                "metrics": list(metrics or ()),
                "learning_rate": None if learning_rate is None else float(learning_rate),
            }  # fmt: skip
            if isinstance(spec, str) and isinstance(loss, str) and names
            else None
        )
        # An mx.optimizer.Optimizer keeps its schedule on the host: its traced
        # hyperparameters are refreshed before every step (no recompilation).
        self._mx_opt = optimizer if callable(getattr(optimizer, "next_hyperparams", None)) else None
        # The step differentiates the mean loss (already 1/batch_size): an mx optimizer's own
        # rescale_grad (1.0 unless set) multiplies it, as in Trainer.step.
        self._rescale = float(getattr(self._mx_opt, "rescale_grad", 1.0))
        self.tx = base
        self.loss_fn = resolve_loss(loss)
        # Keras's rule: a last layer that applies softmax, with a softmax cross-entropy
        # loss, outputs probabilities; the loss takes their log instead of a second softmax.
        self.outputs_are_probabilities = (
            _is_softmax_ce(self.loss_fn) and output_activation(self._output_model()) == "softmax"
        )
        if self.outputs_are_probabilities:
            self.loss_fn = _OnProbabilities(self.loss_fn)
        self.metric_fns = resolve_metrics(metrics, resolve_loss(loss))
        self._eval_step = make_eval_step(self.apply_fn, self.loss_fn, self.metric_fns)
        self._step_fns: dict = {}
        self._step_version = getattr(self, "_step_version", 0) + 1
        self.opt_state = None
        self._compiled = True
        return self

    def _output_model(self):
        """The layer or block whose last activation decides ``outputs_are_probabilities``."""
        return None

    def _require_compiled(self, what: str):
        if not self._compiled:
            raise RuntimeError(
                f"call compile(optimizer=..., loss=..., metrics=...) before {what}()"
            )

    def _ensure_init(self, x_example):
        if self.params is None:
            if self.init_fn is None:
                raise ValueError("the model has no parameters and no init function")
            self._key, k = split_key(self._key)  # on the host: compiles nothing
            args = x_example if isinstance(x_example, tuple) else (x_example,)
            self.params, self.state = self.init_fn(k, *args)
            self._input_spec = tuple(
                jax.ShapeDtypeStruct((1, *np.shape(a)[1:]), a.dtype) for a in args
            )
        if self.opt_state is None:
            self.opt_state = self._init_opt_state()

    # --------------------------------------------------------- LR and weights
    def _init_opt_state(self):
        """A fresh optimizer state, with a learning rate set before it existed."""
        # zeros and constants made on the host (a jitted init would compile a program)
        state = host_eval(self.tx.init, self.params)
        lr = self.__dict__.pop("_pending_lr", None)
        if lr is not None:
            state = set_learning_rate_in(state, lr)
        return state

    @property
    def learning_rate(self) -> float:
        """Current learning rate.

        With a named optimizer or an ``mx.optimizer.Optimizer`` it is the
        optimizer's own (as for a Gluon ``Trainer``); with an optax
        transformation built by ``optax.inject_hyperparams`` it is the
        ``learning_rate`` hyperparameter in its state.
        """
        if self._mx_opt is not None:
            return float(self._mx_opt.learning_rate)
        if "_pending_lr" in self.__dict__:
            return self._pending_lr
        if self.opt_state is not None:
            hp = injected_hyperparams(self.opt_state)
            if hp is not None and "learning_rate" in hp:
                return float(hp["learning_rate"])
        return self._base_lr

    def set_learning_rate(self, lr: float) -> None:
        """Changes the learning rate without recompiling the step.

        One mechanism everywhere: the learning rate is a traced hyperparameter
        of the optimizer. With a named optimizer or an ``mx.optimizer.Optimizer``
        this is the optimizer's ``set_learning_rate`` (as ``Trainer.set_learning_rate``;
        it raises when the optimizer has an ``lr_scheduler``, as in MXNet). An
        optax transformation must hold its rate in its state
        (``optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)``).

        Raises:
            TypeError: an optax transformation without an injected ``learning_rate``.
        """
        self._require_compiled("set_learning_rate")
        lr = check_number(lr, "lr", "set_learning_rate", minimum=0)
        if self._mx_opt is not None:
            self._mx_opt.set_learning_rate(lr)
            return
        if self.opt_state is None:
            probe = jax.eval_shape(self.tx.init, self.params) if self.params is not None else None
            if probe is not None:
                set_learning_rate_in(probe, lr)  # raises early for a transformation without one
            self._pending_lr = float(lr)
            return
        self.opt_state = set_learning_rate_in(self.opt_state, lr)

    def get_weights(self):
        """A host copy of ``(params, state)``."""
        return jax.device_get((self.params, self.state))

    def set_weights(self, weights) -> None:
        """Sets ``(params, state)`` (as returned by :meth:`get_weights`)."""
        # uploaded as copies (the step donates its buffers; jnp.asarray compiles per shape)
        self.params, self.state = jax.tree.map(_own_copy, weights)

    def save_parameters(self, path: str) -> None:
        """Writes params and state in MXNet's ``.params`` format (Gluon names)."""
        from mxjax import io
        from mxjax._src.layers.base import flatten_names

        flat = {**flatten_names(self.params), **flatten_names(self.state)}
        io.save_params(path, {k: np.asarray(v) for k, v in flat.items()})

    def load_parameters(self, path: str, cast_dtype: bool = False) -> None:
        """Reads a ``.params`` file written by :meth:`save_parameters` or MXNet.

        A saved dtype that differs from the model's raises, as Gluon's
        ``load_parameters`` does, unless ``cast_dtype=True``.
        """
        from mxjax import io
        from mxjax._src.layers.base import flatten_names, unflatten_names

        loaded = io.load_params(path)
        if self.params is None:
            raise ValueError(
                "load_parameters: the model has no parameters yet; run fit/predict on an example first"
            )
        current = {**flatten_names(self.params), **flatten_names(self.state)}
        missing = sorted(set(current) - set(loaded))
        if missing:
            raise ValueError(f"load_parameters: {path} lacks parameters {missing}")
        for name, arr in current.items():
            if tuple(loaded[name].shape) != tuple(arr.shape):
                raise ValueError(
                    f"load_parameters: {name} has shape {loaded[name].shape} in {path}, expected {arr.shape}"
                )
            if not cast_dtype and np.dtype(loaded[name].dtype) != np.dtype(arr.dtype):
                raise ValueError(
                    f"load_parameters: {name} has dtype {loaded[name].dtype} in {path}, expected "
                    f"{np.dtype(arr.dtype)}; pass cast_dtype=True to cast it"
                )
        pnames = set(flatten_names(self.params))
        # cast on the host and uploaded: jnp.asarray compiles a program per shape
        cast = {k: host_cast(loaded[k], current[k].dtype) for k in current}
        self.params = unflatten_names({k: v for k, v in cast.items() if k in pnames})
        self.state = unflatten_names({k: v for k, v in cast.items() if k not in pnames})

    # ------------------------------------------------------------------ data
    @staticmethod
    def _split_batch(batch):
        if isinstance(batch, (tuple, list)) and len(batch) == 2:
            x, y = batch
        elif isinstance(batch, dict) and {"x", "y"} <= set(batch):
            x, y = batch["x"], batch["y"]
        else:
            raise ValueError(f"each batch must be an (x, y) pair; received {type(batch).__name__}")
        return _as_tree(x), _host(y)

    def _fetch(self, sums) -> dict[str, float]:
        host = jax.device_get(sums)
        count = max(float(host["count"]), 1.0)
        return {k: float(host[k]) / count for k in ("loss", *self.metric_fns)}

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int = 1,
        callbacks: Iterable[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle: bool = True,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        devices=None,
        runner: Runner | None = None,
        resume=None,
    ) -> History:
        """Trains for ``epochs`` epochs and returns a :class:`History`.

        ``x``/``y`` are arrays (NumPy, JAX or NDArray; ``x`` may be a tuple
        of arrays), or ``x`` is an iterable of ``(x, y)`` batches (a
        DataLoader) and ``y`` is None. Arrays are uploaded to the device once
        and batches are gathered inside the compiled step. A last batch
        smaller than ``batch_size`` is kept: padded to the batch size with its
        padding masked out of the loss, gradient and metrics, so one program
        serves every batch and every dataset length of a size bucket; for a
        network with state (BatchNorm's running statistics: its batch
        statistics would see the padding) it compiles once more instead.
        ``evaluate`` pads it too and counts only its real rows.

        Where the step runs is one choice: ``runner`` (a
        :class:`~mxjax.train.SingleDevice` or :class:`~mxjax.train.DataParallel`)
        or, as a shortcut, ``devices`` (an int, a list of device ids or
        contexts, or ``'all'``): several devices train data-parallel, with
        parameters replicated, each batch split across the devices and
        gradients averaged, so the result equals single-device training on
        the same global batch. A batch whose size is not divisible by the
        device count runs unsplit, replicated on every device.

        The loop calls one :class:`~mxjax.train.CallbackList`: the progress
        display and the returned :class:`History` are callbacks in it, next
        to ``callbacks``.

        ``resume`` (a checkpoint written by
        :class:`~mxjax.train.BackupAndRestore`, or a directory of them)
        restores the whole run state first (weights, optimizer, RNG, data
        order, history) and continues from the epoch after it; add
        ``BackupAndRestore(dir)`` to ``callbacks`` to make that automatic.
        """
        self._require_compiled("fit")
        check_fit_args(batch_size, epochs, initial_epoch, steps_per_epoch)
        if epochs < initial_epoch:
            raise ValueError(f"epochs ({epochs}) must be >= initial_epoch ({initial_epoch})")
        feed, val = self._feed(x, y, batch_size, shuffle, validation_split, validation_data)
        history = History()
        extra = [] if resume is None else [ResumeFrom(resume)]
        cbs = CallbackList([ProgressLogger(), history, *extra, *(callbacks or [])])
        self.history = history
        self._loop(
            feed,
            resolve_runner(runner, devices),
            cbs,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            verbose=verbose,
            validation=val,
            validation_batch_size=batch_size or 32,
        )
        return history

    def _feed(self, x, y, batch_size, shuffle, validation_split, validation_data):
        """Returns ``(feed, validation)`` for fit's data arguments."""
        val = validation_data
        if y is not None or not _is_iterable_source(x):
            if y is None:
                raise ValueError("fit(x, y): y is required when x is an array")
            # on the host: the feed uploads them once; slicing device arrays (validation_split)
            # would compile a program per shape
            xs, ys = jax.tree.map(np.asarray, _as_tree(x)), np.asarray(_host(y))
            n = _tree_len(xs)
            if ys.shape[0] != n:
                raise ValueError(f"x has {n} samples but y has {ys.shape[0]}")
            if validation_split:
                if not 0 < validation_split < 1:
                    raise ValueError(
                        f"validation_split must be in (0, 1); received {validation_split}"
                    )
                cut = int(n * (1 - validation_split))
                val = (jax.tree.map(lambda a: a[cut:], xs), ys[cut:])
                xs, ys = jax.tree.map(lambda a: a[:cut], xs), ys[:cut]
            # shapes only: slicing a device array compiles a program per shape
            self._ensure_init(_example(xs))
            check_class_labels("fit", ys, self._label_classes(_example(xs)))
            # A smaller last batch is padded and masked (the step program serves every
            # batch) unless the network keeps state such as BatchNorm's statistics, whose
            # batch statistics the padded rows would change: then it compiles once more.
            rows_independent = not jax.tree.leaves(self.state)
            rng = np.random.default_rng(self.seed)
            feed = ArrayFeed(xs, ys, batch_size or 32, shuffle, rng, pad_last=rows_independent)
            return feed, val
        if validation_split:
            raise ValueError(
                "validation_split needs array inputs; pass validation_data with a data iterable"
            )
        return IterableFeed(x, self._checked_split("fit")), val

    def _label_classes(self, x_example) -> int | None:
        """The number of classes when the loss takes sparse class labels (checked on the host)."""
        axis = class_axis(self.loss_fn)
        if axis is None or self.params is None:
            return None
        key = (self._step_version, jax.tree.map(lambda a: (a.shape[1:], str(a.dtype)), x_example))
        cache = self.__dict__.setdefault("_classes_cache", {})
        if str(key) not in cache:
            cache[str(key)] = num_classes(self.apply_fn, self.params, self.state, x_example, axis)
        return cache[str(key)]

    def _checked_split(self, where: str, base: Callable | None = None):
        """``base`` (default ``_split_batch``) that also checks each batch's class labels."""
        count = [0]  # batches counted from 0
        base = base or self._split_batch

        def split(batch):
            bx, by = base(batch)
            if class_axis(self.loss_fn) is not None:
                self._ensure_init(bx)
                check_class_labels(where, by, self._label_classes(bx), batch=count[0])
            count[0] += 1
            return bx, by

        return split

    def _compiled_step(self, runner: Runner, gather: bool, with_outputs: bool = False):
        key = (self._step_version, with_outputs)
        fn = self._step_fns.get(key)
        if fn is None:
            fn = train_step_fn(
                self.apply_fn, self.loss_fn, self.tx, self.metric_fns, with_outputs=with_outputs
            )
            self._step_fns[key] = fn
        return runner.step(fn, gather=gather, with_outputs=with_outputs)

    @property
    def _gather_step(self):
        """The single-device gathered step (compiled programs: ``_cache_size()``)."""
        return self._compiled_step(self._single, gather=True)

    @property
    def _train_step(self):
        """The single-device step over batches passed in."""
        return self._compiled_step(self._single, gather=False)

    def _loop(
        self,
        feed,
        runner: Runner,
        callbacks: CallbackList,
        *,
        epochs: int,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        verbose: int = 0,
        validation=None,
        validation_batch_size: int = 32,
        with_outputs: bool = False,
        host_step=None,
    ) -> None:
        """The one training loop (fit and the Estimator): epochs of compiled steps.

        ``host_step(batch)``, when given, replaces the compiled step: it trains
        on the batch as the data source yielded it (the Estimator's custom
        ``BatchProcessor.fit_batch``) and returns what ``logs.outputs`` holds;
        the engine's own parameters and metric sums are then left alone.
        """
        if isinstance(runner, SingleDevice) and runner.device is None:
            runner = self._single  # keeps its compiled programs across fits
        run = self._compiled_step(runner, feed.gather, with_outputs)
        total = steps_per_epoch if steps_per_epoch is not None else feed.steps
        if steps_per_epoch is not None and feed.steps is not None:
            total = min(steps_per_epoch, feed.steps)
        callbacks.set_model(self)
        callbacks.set_params({"epochs": epochs, "steps": total, "verbose": verbose})
        self.stop_training = False
        self._runner = runner
        self._feed_in_use = feed  # run checkpoints save the data order (BackupAndRestore)
        self._resume_epoch = None
        callbacks.on_train_begin()
        epoch = initial_epoch if self._resume_epoch is None else self._resume_epoch
        while epoch < epochs and not self.stop_training:
            callbacks.on_epoch_begin(epoch)
            ts, sums = None, zero_sums(self.metric_fns)
            for i, (args, size, raw) in enumerate(feed.batches()):
                if steps_per_epoch is not None and i >= steps_per_epoch:
                    break
                callbacks.on_batch_begin(i, BatchLogs(lambda s=sums: self._fetch(s), size, raw))
                if host_step is not None:
                    callbacks.on_batch_end(i, BatchLogs(dict, size, raw, host_step(raw)))
                    if self.stop_training:
                        break
                    continue
                if ts is None:  # callbacks may change weights or the LR between epochs
                    if not feed.gather:
                        self._ensure_init(args[0])
                    ts = TrainState(self.params, self.state, self.opt_state, self._key, self._step)
                    ts, sums = runner.place((ts, sums), like=self.params)
                    placed = None  # the hyperparameters this state holds are unknown
                if self._mx_opt is not None:
                    ts, placed = self._refresh_hyperparams(ts, runner, placed)
                out = run(ts, sums, *args)
                ts, sums = out[0], out[1]
                if runner.sync_each_step:
                    jax.block_until_ready(sums)
                self._sync_from(ts)
                outputs = None
                if with_outputs:
                    extra = tuple(out[2:])
                    if feed.gather and extra and extra[0].shape[0] > size:  # a padded batch
                        extra = jax.tree.map(
                            lambda a, k=size: jax.device_put(np.asarray(a)[:k]), extra
                        )
                    outputs = (*extra, None if feed.gather else args[1])
                logs = BatchLogs(lambda s=sums: self._fetch(s), size, raw, outputs)
                callbacks.on_batch_end(i, logs)
                if self.stop_training:
                    break
            logs = self._fetch(sums)
            if validation is not None:
                # The engine's own evaluation: a subclass's evaluate may first re-read
                # weights from elsewhere (BlockEngine re-reads the Gluon block), which
                # would discard the training of this fit.
                vlogs = Engine.evaluate(
                    self, *_val_pair(validation), batch_size=validation_batch_size, verbose=0
                )
                logs.update({f"val_{k}": v for k, v in vlogs.items()})
            callbacks.on_epoch_end(epoch, logs)
            epoch += 1
        callbacks.on_train_end()

    def _refresh_hyperparams(self, ts: TrainState, runner: Runner, placed):
        """Advances the optimizer's host schedule one step; returns ``(ts, values in ts)``.

        The step carries the hyperparameters through unchanged, so new values
        are uploaded only when they differ from ``placed`` (the values ``ts``
        already holds; None: unknown). A constant learning rate costs no
        host-to-device transfer per step.
        """
        from mxjax.optimizer import set_hyperparams

        hp = self._mx_opt.next_hyperparams()
        # The step differentiates the mean loss, already 1/batch_size: only the
        # optimizer's own scale (Trainer's rescale_grad at construction) remains.
        hp["rescale_grad"] = self._rescale
        host = {k: np.float32(v) for k, v in hp.items()}
        if host == placed:
            return ts, placed
        like = jax.tree.leaves(ts.params)[:1]
        inner = ts.opt_state
        if isinstance(inner, list):  # one state per parameter (a Gluon Trainer's)
            # each state gets its own buffers: the step donates them
            inner = [set_hyperparams(s, **runner.place(host, like=like)) for s in inner]
        else:
            inner = set_hyperparams(inner, **runner.place(host, like=like))
        return ts._replace(opt_state=inner), host

    def _sync_from(self, ts: TrainState) -> None:
        self.params, self.state, self.opt_state, self._key, self._step = ts

    # -------------------------------------------------------------- evaluate
    def evaluate(self, x=None, y=None, batch_size: int = 32, verbose: int = 0) -> dict[str, float]:
        """Returns ``{'loss': ..., <metric>: ...}`` averaged over all samples (inference mode).

        Every batch runs one compiled program: a batch smaller than the first
        one is padded to its size and only its real rows are counted.
        """
        self._require_compiled("evaluate")
        sums = zero_sums(self.metric_fns)
        rows = None  # the first batch's size: a smaller batch is padded to it (one program)
        for i, (bx, by) in enumerate(self._eval_batches(x, y, batch_size)):
            self._ensure_init(bx)
            check_class_labels("evaluate", by, self._label_classes(bx), batch=i)
            n = int(np.shape(by)[0])
            if rows is None:
                rows = n
                # committed to the parameters' device like the sums each step returns
                # (an uncommitted first input would compile a second program)
                sums = _committed_like(sums, self.params)
            if n < rows:
                bx = jax.tree.map(lambda a, r=rows: pad_rows(a, r), bx)
                by = pad_rows(by, rows)
            bx, by = jax.tree.map(to_device, (bx, by))
            valid = jax.device_put(np.int32(n))
            sums = self._eval_step(self.params, self.state, sums, bx, by, valid)
        logs = self._fetch(sums)
        if verbose:
            print("  ".join(f"{k} {v:.4f}" for k, v in logs.items()))
        return logs

    def _eval_batches(self, x, y, batch_size):
        if y is None and _is_iterable_source(x):
            for batch in x:
                yield self._split_batch(batch)
            return
        if y is None:
            raise ValueError("evaluate(x, y): y is required when x is an array")
        # sliced on the host: slicing a device array compiles a program per shape
        xs, ys = jax.tree.map(np.asarray, _as_tree(x)), np.asarray(_host(y))
        n = _tree_len(xs)
        for start in range(0, n, batch_size):
            yield (
                jax.tree.map(lambda a, sl=slice(start, start + batch_size): a[sl], xs),
                ys[start : start + batch_size],
            )

    def predict(self, x, batch_size: int = 32) -> np.ndarray:
        """Returns the outputs for ``x`` (arrays or an iterable of batches) as NumPy."""
        if _is_iterable_source(x):
            batches = (
                self._split_batch(b)[0]
                if isinstance(b, (tuple, list)) and len(b) == 2
                else _as_tree(b)
                for b in x
            )
        else:
            # sliced on the host: slicing a device array compiles a program per shape
            xs = jax.tree.map(np.asarray, _as_tree(x))
            n = _tree_len(xs)
            batches = (
                jax.tree.map(lambda a, sl=slice(s, s + batch_size): a[sl], xs)
                for s in range(0, n, batch_size)
            )
        outs, rows = [], None
        for bx in batches:
            if self.params is None:
                self._ensure_init_params_only(bx)
            n = int(np.shape(jax.tree.leaves(bx)[0])[0])
            rows = n if rows is None else rows
            if n < rows:  # padded to the first batch's size: the same program, rows dropped
                bx = jax.tree.map(lambda a, r=rows: pad_rows(a, r), bx)
            out = self._predict_fn()(self.params, self.state, jax.tree.map(to_device, bx))
            outs.append(out if n == rows else np.asarray(out)[:n])
        return np.concatenate([np.asarray(o) for o in outs], axis=0)

    def _ensure_init_params_only(self, bx):
        self._key, k = split_key(self._key)
        self.params, self.state = self.init_fn(k, *(bx if isinstance(bx, tuple) else (bx,)))

    def _predict_fn(self):
        if not hasattr(self, "_predict"):
            self._predict = jax.jit(
                lambda p, s, x: self.apply_fn(
                    p, s, *(x if isinstance(x, tuple) else (x,)), train=False
                )[0]
            )
        return self._predict


def _own_copy(a):
    """A new device buffer holding ``a`` (a host or device array), compiling nothing."""
    return copy_array(a) if isinstance(a, jax.Array) else jax.device_put(np.asarray(a))


def _committed_like(tree, like):
    """``tree`` committed where ``like`` lives: its device, or replicated on its devices."""
    leaves = [a for a in jax.tree.leaves(like) if isinstance(a, jax.Array)]
    if leaves and leaves[0].sharding.is_fully_replicated:
        return jax.device_put(tree, leaves[0].sharding)
    return tree


def _example(xs):
    """The shapes and dtypes of one row of ``xs`` (a tree of arrays), as ``jax.ShapeDtypeStruct`` leaves."""
    return jax.tree.map(lambda a: jax.ShapeDtypeStruct((1, *np.shape(a)[1:]), a.dtype), xs)


def _is_iterable_source(x) -> bool:
    if x is None or hasattr(x, "shape") or isinstance(x, (tuple, list, np.ndarray)):
        return False
    return isinstance(x, Iterable)


def _val_pair(val):
    if isinstance(val, (tuple, list)) and len(val) == 2 and not _is_iterable_source(val[0]):
        return val[0], val[1]
    return val, None
