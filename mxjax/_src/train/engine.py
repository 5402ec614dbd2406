"""The fit/evaluate/predict loop over one jitted train step (Keras-style API)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mxjax._src.train.callbacks import Callback, LazyLogs
from mxjax._src.train.history import History
from mxjax._src.train.metrics import resolve_metrics
from mxjax._src.train.progress import Progress
from mxjax._src.train.step import (
    TrainState,
    _train_step_fn,
    lr_factor,
    make_eval_step,
    make_train_step,
    zero_sums,
)

__all__ = ["Engine", "resolve_loss", "resolve_optimizer"]

_DEFAULT_LR = {
    "sgd": 0.01,
    "nag": 0.01,
    "adam": 0.001,
    "adamw": 0.001,
    "rmsprop": 0.001,
    "adagrad": 0.01,
}


def resolve_optimizer(
    optimizer: Any, learning_rate: float | None = None
) -> tuple[optax.GradientTransformation, float]:
    """Returns ``(transformation, base_learning_rate)`` from a name, an optax
    transformation or an ``mx.optimizer.Optimizer``.

    Raises:
        ValueError: for an unknown optimizer name.
        TypeError: for anything else.

    Examples:
        >>> from mxjax.train import resolve_optimizer
        >>> tx, lr = resolve_optimizer("adam")
        >>> lr
        0.001
    """
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer, 1.0 if learning_rate is None else float(learning_rate)
    if isinstance(optimizer, str):
        name = optimizer.lower()
        lr = float(learning_rate) if learning_rate is not None else _DEFAULT_LR.get(name, 0.01)
        try:
            from mxjax import optim

            return optim.create(name, learning_rate=lr), lr
        except (ImportError, AttributeError):  # pragma: no cover - optim always ships
            pass
        factory = getattr(optax, name, None)
        if factory is None:
            raise ValueError(f"Unknown optimizer {optimizer!r}")
        return factory(lr), lr
    to_optax = getattr(optimizer, "to_optax", None)
    if callable(to_optax):
        lr = getattr(optimizer, "learning_rate", 1.0)
        return to_optax(), float(lr)
    raise TypeError(
        f"optimizer must be a name ('adam'), an optax GradientTransformation or an mx.optimizer.Optimizer; "
        f"received {type(optimizer).__name__}"
    )


def resolve_loss(loss: Any) -> Callable:
    """Returns a per-sample loss ``fn(pred, label)`` from a name, a loss object or a callable.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax.train import resolve_loss
        >>> resolve_loss("l2")(jnp.ones((2, 1)), jnp.zeros((2, 1))).tolist()
        [0.5, 0.5]
    """
    if isinstance(loss, str):
        from mxjax import losses

        return losses.get(loss)
    # gluon.loss Blocks hold the pure loss object of mxjax.losses.
    pure = getattr(loss, "pure_loss", None) or getattr(loss, "_loss", None)
    if callable(pure):
        return pure
    if callable(loss):
        return loss
    raise TypeError(
        f"loss must be a name, a loss object or a callable; received {type(loss).__name__}"
    )


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
        copy = lambda t: jax.tree.map(lambda a: jnp.array(a, copy=True), t)  # noqa: E731
        self.params = copy(params) if params is not None else None
        self.state = copy(state) if state is not None else {}
        self.seed = seed
        self.opt_state = None
        self.stop_training = False
        self._compiled = False
        self._key = jax.random.key(seed)
        self._step = jnp.zeros((), jnp.int32)

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
                per-sample losses.
            metrics: names (``'accuracy'``), ``mx.metric`` objects or callables.
            learning_rate: overrides the default learning rate of a named optimizer.
        """
        base, self._base_lr = resolve_optimizer(optimizer, learning_rate)
        # An mx.optimizer.Optimizer keeps its schedule on the host: its traced
        # hyperparameters are refreshed before every step (no recompilation).
        self._mx_opt = optimizer if callable(getattr(optimizer, "next_hyperparams", None)) else None
        self.tx = optax.chain(base, lr_factor())
        self.loss_fn = resolve_loss(loss)
        self.metric_fns = resolve_metrics(metrics)
        self._train_step = make_train_step(self.apply_fn, self.loss_fn, self.tx, self.metric_fns)
        self._eval_step = make_eval_step(self.apply_fn, self.loss_fn, self.metric_fns)

        raw_step = _train_step_fn(self.apply_fn, self.loss_fn, self.tx, self.metric_fns)

        def gather_step(ts, sums, xa, ya, perm, offset):
            # perm: (batches, batch_size) sample indices uploaded once per epoch; the
            # batch number lives on the device, so a step needs no host-to-device copy.
            idx = jax.lax.dynamic_index_in_dim(perm, sums["batch"] - offset, keepdims=False)
            take = lambda a: jnp.take(a, idx, axis=0)  # noqa: E731
            return raw_step(ts, sums, jax.tree.map(take, xa), take(ya))

        self._gather_step = jax.jit(gather_step, donate_argnums=(0, 1))
        self.opt_state = None
        self._compiled = True
        return self

    def _require_compiled(self, what: str):
        if not self._compiled:
            raise RuntimeError(
                f"call compile(optimizer=..., loss=..., metrics=...) before {what}()"
            )

    def _ensure_init(self, x_example):
        if self.params is None:
            if self.init_fn is None:
                raise ValueError("the model has no parameters and no init function")
            self._key, k = jax.random.split(self._key)
            args = x_example if isinstance(x_example, tuple) else (x_example,)
            self.params, self.state = self.init_fn(k, *args)
        if self.opt_state is None:
            self.opt_state = self.tx.init(self.params)

    # --------------------------------------------------------- LR and weights
    @property
    def learning_rate(self) -> float:
        """Current learning rate (base rate times the plateau factor)."""
        if self.opt_state is None:
            return self._base_lr
        return self._base_lr * float(self.opt_state[-1].factor)

    def set_learning_rate(self, lr: float) -> None:
        """Changes the learning rate without recompiling the step."""
        self._require_compiled("set_learning_rate")
        if self.opt_state is None:
            self._base_lr = float(lr)
            return
        factor = jnp.asarray(lr / self._base_lr, jnp.float32)
        self.opt_state = (*self.opt_state[:-1], type(self.opt_state[-1])(factor))

    def get_weights(self):
        """A host copy of ``(params, state)``."""
        return jax.device_get((self.params, self.state))

    def set_weights(self, weights) -> None:
        """Sets ``(params, state)`` (as returned by :meth:`get_weights`)."""
        self.params, self.state = jax.tree.map(jnp.asarray, weights)

    def save_parameters(self, path: str) -> None:
        """Writes params and state in MXNet's ``.params`` format (Gluon names)."""
        from mxjax import io
        from mxjax._src.layers.base import flatten_names

        flat = {**flatten_names(self.params), **flatten_names(self.state)}
        io.save_params(path, {k: np.asarray(v) for k, v in flat.items()})

    def load_parameters(self, path: str) -> None:
        """Reads a ``.params`` file written by :meth:`save_parameters` or MXNet."""
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
        pnames = set(flatten_names(self.params))
        self.params = unflatten_names({k: jnp.asarray(loaded[k]) for k in current if k in pnames})
        self.state = unflatten_names(
            {k: jnp.asarray(loaded[k]) for k in current if k not in pnames}
        )

    # ------------------------------------------------------------------ data
    @staticmethod
    def _array_batches(n: int, batch_size: int, shuffle: bool, rng: np.random.Generator):
        """Yields ``(perm, offset, size)``: index matrices uploaded once per epoch."""
        order = (rng.permutation(n) if shuffle else np.arange(n)).astype(np.int32)
        full = n // batch_size
        if full:
            perm = jnp.asarray(order[: full * batch_size].reshape(full, batch_size))
            offset = jnp.zeros((), jnp.int32)
            for _ in range(full):
                yield perm, offset, batch_size
        if n % batch_size:
            yield (
                jnp.asarray(order[full * batch_size :][None]),
                jnp.asarray(full, jnp.int32),
                n % batch_size,
            )

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
    ) -> History:
        """Trains for ``epochs`` epochs and returns a :class:`History`.

        ``x``/``y`` are arrays (NumPy, JAX or NDArray; ``x`` may be a tuple
        of arrays), or ``x`` is an iterable of ``(x, y)`` batches (a
        DataLoader) and ``y`` is None. Arrays are uploaded to the device once
        and batches are gathered inside the compiled step. A last batch
        smaller than ``batch_size`` is kept (it compiles once, then is cached).

        ``devices`` (an int, a list of device ids or contexts, or ``'all'``)
        trains data-parallel: parameters are replicated, each batch is split
        across the devices and gradients are averaged, so the result equals
        single-device training on the same global batch. A batch whose size
        is not divisible by the device count (the uneven last batch) runs
        unsplit, replicated on every device: still exact, just not parallel.
        """
        self._require_compiled("fit")
        if epochs < initial_epoch:
            raise ValueError(f"epochs ({epochs}) must be >= initial_epoch ({initial_epoch})")
        callbacks = list(callbacks or [])
        for cb in callbacks:
            cb.set_model(self)
        rng = np.random.default_rng(self.seed)
        val = validation_data
        if y is not None or not _is_iterable_source(x):
            if y is None:
                raise ValueError("fit(x, y): y is required when x is an array")
            xs, ys = _as_tree(x), np.asarray(_host(y))
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
                xs, ys, n = jax.tree.map(lambda a: a[:cut], xs), ys[:cut], cut
            bs = batch_size or 32
            xa, ya = jax.tree.map(jnp.asarray, xs), jnp.asarray(ys)
            self._ensure_init(jax.tree.map(lambda a: a[:1], xa))
            total = math.ceil(n / bs)

            def epoch_batches():
                for perm, offset, size in self._array_batches(n, bs, shuffle, rng):
                    yield (xa, ya, perm, offset), size

            run = self._gather_step
        else:
            if validation_split:
                raise ValueError(
                    "validation_split needs array inputs; pass validation_data with a data iterable"
                )
            total = steps_per_epoch or _maybe_len(x)

            def epoch_batches():
                for batch in x:
                    bx, by = self._split_batch(batch)
                    yield (bx, by), _tree_len(bx)

            run = self._train_step

        mesh = self._mesh_for(devices)
        # XLA:CPU runs simulated devices on one thread pool: with many steps in
        # flight, a cross-device all-reduce can wait forever for a peer thread.
        # Keep at most one multi-device CPU step in flight there.
        sync_each_step = mesh is not None and mesh.devices.flat[0].platform == "cpu"
        if mesh is not None:
            from mxjax._src.parallel.mesh import replicated

            self._hp_sharding = replicated(mesh)
        else:
            self._hp_sharding = None
        if mesh is not None:
            run = self._parallel_runner(mesh, gather=run is self._gather_step)

        history = History()
        self.history = history
        self.stop_training = False
        ts = None
        for cb in callbacks:
            cb.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            sums = zero_sums(self.metric_fns)
            progress = Progress(total, epoch, epochs, verbose)
            for i, (args, nb) in enumerate(epoch_batches()):
                if steps_per_epoch is not None and i >= steps_per_epoch:
                    break
                if ts is None:
                    if run is self._train_step:
                        self._ensure_init(args[0])
                    ts = TrainState(self.params, self.state, self.opt_state, self._key, self._step)
                    if mesh is not None:
                        from mxjax._src.parallel.step import replicate

                        ts, sums = replicate(ts, mesh), replicate(sums, mesh)
                    else:
                        # Commit every buffer to the parameters' device, so the first
                        # step of each fit sees the same placements as the later ones
                        # (an uncommitted input would give a second compilation).
                        ts, sums = jax.device_put((ts, sums), self._device())
                if self._mx_opt is not None:
                    ts = self._refresh_hyperparams(ts)
                ts, sums = run(ts, sums, *args)
                if sync_each_step:
                    jax.block_until_ready(sums)
                self._sync_from(ts)
                cur = sums
                progress.update(1, lambda cur=cur: self._fetch(cur), nb)
                if callbacks:
                    logs = LazyLogs(lambda cur=cur: self._fetch(cur))
                    for cb in callbacks:
                        cb.on_batch_end(i, logs)
                if self.stop_training:
                    break
            logs = self._fetch(sums)
            if val is not None:
                # The engine's own evaluation: a subclass's evaluate may first re-read
                # weights from elsewhere (BlockEngine re-reads the Gluon block), which
                # would discard the training of this fit.
                vlogs = Engine.evaluate(
                    self, *_val_pair(val), batch_size=batch_size or 32, verbose=0
                )
                logs.update({f"val_{k}": v for k, v in vlogs.items()})
            progress.close(logs)
            history.append(epoch, logs)
            ts = None  # callbacks may change weights or the learning rate
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for cb in callbacks:
            cb.on_train_end()
        return history

    def _refresh_hyperparams(self, ts: TrainState) -> TrainState:
        from mxjax.optimizer import set_hyperparams

        hp = self._mx_opt.next_hyperparams()
        hp["rescale_grad"] = 1.0  # the step differentiates the mean loss: already 1/batch_size
        dev = getattr(self, "_hp_sharding", None) or self._device()
        hp = {k: jax.device_put(np.float32(v), dev) for k, v in hp.items()}
        inner = set_hyperparams(ts.opt_state[0], **hp)
        return ts._replace(opt_state=(inner, *ts.opt_state[1:]))

    def _device(self):
        """The device holding the parameters (the default device before init)."""
        leaves = jax.tree.leaves(self.params)
        if leaves and isinstance(leaves[0], jax.Array) and len(leaves[0].devices()) == 1:
            return next(iter(leaves[0].devices()))
        return jax.devices()[0]

    def _mesh_for(self, devices):
        if devices is None:
            return None
        from mxjax._src.parallel.mesh import data_mesh, resolve_devices

        if len(resolve_devices(devices)) == 1:
            return None
        return data_mesh(devices)

    def _parallel_runner(self, mesh, gather: bool):
        """Returns ``run(ts, sums, *batch)`` choosing the sharded or the replicated program."""
        from mxjax._src.parallel.step import make_parallel_train_step

        cache = self.__dict__.setdefault("_parallel_steps", {})
        ids = tuple(d.id for d in mesh.devices.flat)
        n = len(ids)

        def get(even: bool):
            key = (ids, gather, even)
            if key not in cache:
                cache[key] = make_parallel_train_step(
                    self.apply_fn,
                    self.loss_fn,
                    self.tx,
                    self.metric_fns,
                    mesh,
                    gather=gather,
                    even=even,
                )
            return cache[key]

        def run(ts, sums, *batch):
            size = batch[-2].shape[1] if gather else jax.tree.leaves(batch[0])[0].shape[0]
            return get(size % n == 0)(ts, sums, *batch)

        return run

    def _sync_from(self, ts: TrainState) -> None:
        self.params, self.state, self.opt_state, self._key, self._step = ts

    # -------------------------------------------------------------- evaluate
    def evaluate(self, x=None, y=None, batch_size: int = 32, verbose: int = 0) -> dict[str, float]:
        """Returns ``{'loss': ..., <metric>: ...}`` averaged over all samples (inference mode)."""
        self._require_compiled("evaluate")
        sums = zero_sums(self.metric_fns)
        for bx, by in self._eval_batches(x, y, batch_size):
            self._ensure_init(bx)
            sums = self._eval_step(self.params, self.state, sums, bx, jnp.asarray(by))
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
        xs, ys = _as_tree(x), np.asarray(_host(y))
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
            xs = _as_tree(x)
            n = _tree_len(xs)
            batches = (
                jax.tree.map(lambda a, sl=slice(s, s + batch_size): a[sl], xs)
                for s in range(0, n, batch_size)
            )
        outs = []
        for bx in batches:
            if self.params is None:
                self._ensure_init_params_only(bx)
            outs.append(self._predict_fn()(self.params, self.state, bx))
        return np.concatenate([np.asarray(o) for o in outs], axis=0)

    def _ensure_init_params_only(self, bx):
        self._key, k = jax.random.split(self._key)
        self.params, self.state = self.init_fn(k, *(bx if isinstance(bx, tuple) else (bx,)))

    def _predict_fn(self):
        if not hasattr(self, "_predict"):
            self._predict = jax.jit(
                lambda p, s, x: self.apply_fn(
                    p, s, *(x if isinstance(x, tuple) else (x,)), train=False
                )[0]
            )
        return self._predict


def _is_iterable_source(x) -> bool:
    if x is None or hasattr(x, "shape") or isinstance(x, (tuple, list, np.ndarray)):
        return False
    return isinstance(x, Iterable)


def _maybe_len(x):
    try:
        return len(x)
    except TypeError:
        return None


def _val_pair(val):
    if isinstance(val, (tuple, list)) and len(val) == 2 and not _is_iterable_source(val[0]):
        return val[0], val[1]
    return val, None
