"""``mx.optimizer``: MXNet's stateful Optimizer objects over :mod:`mxjax.optim`.

An :class:`Optimizer` holds MXNet's hyperparameters (mutable, as in MXNet)
and turns them into one optax transformation for all parameters.

Interface for the Gluon ``Trainer`` (and anyone driving a jitted step)::

    opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9, wd=1e-4)
    tx = opt.to_optax(names, lr_mult=p_lr, wd_mult=p_wd)  # once per multiplier set
    state = tx.init(params)                  # params: {name: array} (or a nested tree)

    @jax.jit
    def update(params, grads, state, hp):    # hp: dict of scalars, traced
        state = mx.optimizer.set_hyperparams(state, **hp)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    # Trainer.step(batch_size):
    opt.rescale_grad = scale / batch_size
    hp = opt.next_hyperparams()              # advances num_update, evaluates lr_scheduler
    params, state = update(params, grads, state, hp)

``hp`` holds ``learning_rate``, ``wd`` and ``rescale_grad`` as Python floats;
they enter the jitted step as traced scalars, so ``set_learning_rate``, a
scheduler, a new batch size or a new ``wd`` never recompile. Other
hyperparameters (momentum, betas, ``clip_gradient``, multipliers) are baked
into ``tx``: call ``to_optax`` again after changing them. Multipliers: the
``lr_mult``/``wd_mult`` given to ``to_optax`` (per-Parameter values, like
MXNet's ``param_dict``) win over the optimizer's ``set_lr_mult``/
``set_wd_mult`` dicts, which win over 1.0.
"""

from __future__ import annotations

import functools
import inspect
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mxjax._src.optim import base as _b
from mxjax._src.optim.imperative import ImperativeMixin

__all__ = [
    "TRACED_HYPERPARAMS",
    "LRSchedulerDefinedError",
    "Optimizer",
    "create",
    "get_hyperparams",
    "register",
    "set_hyperparams",
]

_log = logging.getLogger(__name__)

#: Hyperparameters passed as traced values (changing them never recompiles).
TRACED_HYPERPARAMS = ("learning_rate", "wd", "rescale_grad")


class LRSchedulerDefinedError(ValueError, UserWarning):
    """``set_learning_rate`` while an ``lr_scheduler`` is set (MXNet raises UserWarning).

    Examples:
        >>> import mxjax as mx
        >>> issubclass(mx.optimizer.LRSchedulerDefinedError, UserWarning)
        True
    """


def _factory_default_lr(factory: Any) -> float:
    if factory is None:
        return 0.01
    p = inspect.signature(factory).parameters.get("learning_rate")
    return 0.01 if p is None or p.default is inspect.Parameter.empty else p.default


class Optimizer(ImperativeMixin):
    """Base class of MXNet-style optimizers (``mx.optimizer.Optimizer``).

    Args:
        rescale_grad: gradient multiplier (the Gluon ``Trainer`` sets ``1/batch_size``).
        param_idx2name: ``{index: name}``; parameters whose names do not end in
            ``_weight`` or ``_gamma`` get ``wd_mult`` 0 (MXNet's rule).
        wd: L2 weight decay.
        clip_gradient: elementwise gradient clip bound, or None.
        learning_rate: learning rate (default 0.01 unless a scheduler is given).
        lr_scheduler: a callable of ``num_update`` (e.g. :mod:`mxjax.lr_scheduler`).
        sym: unused (MXNet symbol attributes); accepted for compatibility.
        begin_num_update: initial ``num_update``.
        multi_precision: keep float32 master weights for float16 parameters.
        param_dict: unused (Gluon passes Parameters; give multipliers to ``to_optax``).

    Examples:
        >>> import mxjax as mx
        >>> opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
        >>> opt.set_learning_rate(0.05)
        >>> opt.learning_rate
        0.05
    """

    opt_registry: dict[str, type] = {}
    _factory: Any = None
    #: factory keyword -> attribute name, for hyperparameters baked into ``to_optax``.
    _static: dict[str, str] = {}

    def __init__(
        self,
        rescale_grad: float = 1.0,
        param_idx2name: Mapping[int, str] | None = None,
        wd: float = 0.0,
        clip_gradient: float | None = None,
        learning_rate: float | None = None,
        lr_scheduler: Any = None,
        sym: Any = None,
        begin_num_update: int = 0,
        multi_precision: bool = False,
        param_dict: Any = None,
    ):
        name = type(self).__name__
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, Mapping):
            raise TypeError(
                f"{name}: `param_idx2name` must be a dict of index -> name, "
                f"got {type(param_idx2name).__name__}"
            )
        if lr_scheduler is not None and not callable(lr_scheduler):
            raise TypeError(f"{name}: `lr_scheduler` must be callable, got {lr_scheduler!r}")
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            # the optimizer's own default (its factory's: one source), MXNet's 0.01 otherwise
            learning_rate = _factory_default_lr(type(self)._factory)
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None:
            if getattr(lr_scheduler, "base_lr", learning_rate) != learning_rate:
                _log.warning(
                    "learning rate from ``lr_scheduler`` has been overwritten by "
                    "``learning_rate`` in optimizer."
                )
                lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.clip_gradient = clip_gradient
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self.multi_precision = multi_precision
        self.idx2name = dict(param_idx2name)
        self.sym_info = ()
        self.param_dict = param_dict if param_dict else {}
        self.lr_mult: dict[Any, float] = {}
        self.wd_mult: dict[Any, float] = {}
        self._init_counters()
        self.set_lr_mult({})
        self.set_wd_mult({})

    # -- registry ---------------------------------------------------------------
    @staticmethod
    def register(klass: type) -> type:
        """Registers an Optimizer subclass under its lower-cased class name.

        Examples:
            >>> import mxjax as mx
            >>> @mx.optimizer.register
            ... class MySGD(mx.optimizer.SGD):
            ...     pass
            >>> type(mx.optimizer.create("mysgd")).__name__
            'MySGD'
        """
        if not isinstance(klass, type):
            raise TypeError(f"register: expected a class, got {klass!r}")
        name = klass.__name__.lower()
        if name in Optimizer.opt_registry and Optimizer.opt_registry[name] is not klass:
            warnings.warn(
                f"New optimizer {klass.__module__}.{klass.__name__} is overriding existing "
                f"optimizer {name!r}",
                stacklevel=2,
            )
        Optimizer.opt_registry[name] = klass
        return klass

    @staticmethod
    def create_optimizer(name: str, **kwargs: Any) -> Optimizer:
        """Instantiates a registered optimizer by (case-insensitive) name.

        Examples:
            >>> import mxjax as mx
            >>> mx.optimizer.create("Adam", learning_rate=0.01).learning_rate
            0.01
        """
        klass = Optimizer.opt_registry.get(str(name).lower())
        if klass is None:
            raise ValueError(
                f"Cannot find optimizer {name!r}; registered: {sorted(Optimizer.opt_registry)}"
            )
        return klass(**kwargs)

    # -- learning rate ----------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """Current learning rate: ``lr_scheduler(num_update)`` if set, else ``lr``."""
        if self.lr_scheduler is not None:
            return float(self.lr_scheduler(self.num_update))
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Sets the learning rate (taken by the next jitted step without recompiling).

        Raises:
            LRSchedulerDefinedError: (a ``ValueError`` and ``UserWarning``, as MXNet
                raises ``UserWarning``) if an ``lr_scheduler`` is set.
        """
        if self.lr_scheduler is not None:
            raise LRSchedulerDefinedError(
                "LRScheduler of the optimizer has already been defined. Note that "
                "set_learning_rate can mutate the value of the learning rate of the optimizer "
                "only when the LRScheduler of the optimizer is undefined."
            )
        self.lr = lr

    # -- multipliers ------------------------------------------------------------
    def set_lr_mult(self, args_lr_mult: Mapping[Any, float]) -> None:
        """Sets per-parameter learning-rate multipliers (``{name or index: mult}``)."""
        self.lr_mult = dict(args_lr_mult)

    def _wd_default_zero(self, name: str) -> bool:
        return not (name.endswith("_weight") or name.endswith("_gamma"))

    def set_wd_mult(self, args_wd_mult: Mapping[Any, float]) -> None:
        """Sets per-parameter weight-decay multipliers.

        As in MXNet, every name in ``param_idx2name`` that does not end in
        ``_weight`` or ``_gamma`` (LARS: ``_weight``) first gets 0; then
        ``args_wd_mult`` is applied.

        Examples:
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD(param_idx2name={0: "fc_weight", 1: "fc_bias"})
            >>> opt.wd_mult
            {'fc_bias': 0.0}
        """
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if self._wd_default_zero(n)}
        self.wd_mult.update(args_wd_mult)

    def _mult_for(self, own: Mapping[Any, float], name: str) -> float:
        if name in own:
            return own[name]
        for idx, n in self.idx2name.items():
            if n == name and idx in own:
                return own[idx]
        return 1.0

    # -- optax ------------------------------------------------------------------
    def _static_kwargs(self) -> dict[str, Any]:
        return {k: getattr(self, attr) for k, attr in self._static.items()}

    def hyperparams(self) -> dict[str, float]:
        """The traced hyperparameters for the current ``num_update`` (Python floats)."""
        return {
            "learning_rate": float(self.learning_rate),
            "wd": float(self.wd),
            "rescale_grad": float(self.rescale_grad),
        }

    def next_hyperparams(self) -> dict[str, float]:
        """Advances ``num_update`` by one (one step of all parameters) and returns hyperparams.

        Examples:
            >>> import mxjax as mx
            >>> sched = mx.lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1.0)
            >>> opt = mx.optimizer.SGD(lr_scheduler=sched)
            >>> [opt.next_hyperparams()["learning_rate"] for _ in range(3)]
            [1.0, 0.5, 0.25]
        """
        self.num_update += 1
        return self.hyperparams()

    def to_optax(
        self,
        param_names: Sequence[str] | None = None,
        *,
        lr_mult: Mapping[str, float] | None = None,
        wd_mult: Mapping[str, float] | None = None,
    ) -> optax.GradientTransformation:
        """The optax transformation implementing this optimizer for all parameters.

        ``learning_rate``, ``wd`` and ``rescale_grad`` live in the state's
        ``hyperparams`` (see :func:`set_hyperparams`); the state starts with
        the current values.

        Args:
            param_names: names of the parameters (the dotted params-tree names);
                used to check ``lr_mult``/``wd_mult``. ``None`` skips the check.
            lr_mult: per-parameter learning-rate multipliers by name (win over
                :meth:`set_lr_mult`).
            wd_mult: per-parameter weight-decay multipliers by name.

        Returns:
            An ``optax.GradientTransformation`` whose ``update`` needs ``params``.

        Raises:
            ValueError: a multiplier names a parameter not in ``param_names``.
            TypeError: the optimizer class defines no optax factory.

        Examples:
            >>> import jax.numpy as jnp, optax
            >>> import mxjax as mx
            >>> opt = mx.optimizer.SGD(learning_rate=0.1)
            >>> tx = opt.to_optax(["w"])
            >>> params = {"w": jnp.ones(2)}
            >>> state = mx.optimizer.set_hyperparams(tx.init(params), learning_rate=0.5)
            >>> tx.update({"w": jnp.ones(2)}, state, params)[0]["w"].tolist()
            [-0.5, -0.5]
        """
        if self._factory is None:
            raise TypeError(
                f"{type(self).__name__}.to_optax: the class defines no optax factory "
                "(set the `_factory` class attribute to a mxjax.optim-style factory)"
            )
        given = {"lr_mult": dict(lr_mult or {}), "wd_mult": dict(wd_mult or {})}
        if param_names is not None:
            known = set(param_names)
            for what, d in given.items():
                unknown = sorted(set(d) - known)
                if unknown:
                    raise ValueError(
                        f"{type(self).__name__}.to_optax: `{what}` names {unknown} are not in "
                        f"param_names {sorted(known)}"
                    )
        own_lr, own_wd = dict(self.lr_mult), dict(self.wd_mult)

        def lr_fn(name: str) -> float:
            return given["lr_mult"].get(name, self._mult_for(own_lr, name))

        def wd_fn(name: str) -> float:
            return given["wd_mult"].get(name, self._mult_for(own_wd, name))

        tx = self._build_tx(type(self)._factory, lr_fn, wd_fn)
        if self.begin_num_update:
            tx = _start_count_at(tx, self.begin_num_update)
        if self.multi_precision:
            tx = _b.multi_precision(tx)
        return tx

    def _build_tx(
        self, factory: Any, lr_mult: Any, wd_mult: Any, static: dict | None = None
    ) -> optax.GradientTransformation:
        """``factory`` with this optimizer's static options, its traced ones injected."""
        kwargs = self._static_kwargs() if static is None else dict(static)
        kwargs.update(clip_gradient=self.clip_gradient, lr_mult=lr_mult, wd_mult=wd_mult)
        factory = functools.partial(factory, **kwargs)
        static = tuple(
            n for n in inspect.signature(factory).parameters if n not in TRACED_HYPERPARAMS
        )
        return optax.inject_hyperparams(factory, static_args=static)(**self.hyperparams())

    def _imperative_tx(self) -> optax.GradientTransformation:
        # rates come per call, multipliers already applied (``_get_lr``/``_get_wd``);
        # rebuilt only when a static option changed since the last call
        key = repr((self._static_kwargs(), self.clip_gradient))
        cached = self.__dict__.get("_imperative_cache")
        if cached is None or cached[0] != key:
            cached = (key, self._build_tx(type(self)._factory, None, None))
            self._imperative_cache = cached
        return cached[1]

    def _with_rates(self, opt_state: Any, lr: float, wd: float) -> Any:
        return set_hyperparams(
            opt_state, learning_rate=float(lr), wd=float(wd), rescale_grad=float(self.rescale_grad)
        )

    def __repr__(self) -> str:
        extra = ", ".join(f"{k}={getattr(self, a)!r}" for k, a in self._static.items())
        return (
            f"{type(self).__name__}(learning_rate={self.lr!r}, wd={self.wd!r}, "
            f"rescale_grad={self.rescale_grad!r}, clip_gradient={self.clip_gradient!r}"
            + (f", {extra})" if extra else ")")
        )


def _start_count_at(tx: optax.GradientTransformation, count: int) -> optax.GradientTransformation:
    """Starts the update counters of ``tx`` at ``count`` (MXNet's ``begin_num_update``)."""

    def init_fn(params):
        def fix(x):
            if isinstance(x, _b.MXRuleState):
                return x._replace(count=jnp.asarray(count, x.count.dtype))
            return x

        state = tx.init(params)
        return jax.tree_util.tree_map(fix, state, is_leaf=lambda x: isinstance(x, _b.MXRuleState))

    return optax.GradientTransformation(init_fn, tx.update)


def _find_hyperparams(state: Any) -> Any:
    if hasattr(state, "hyperparams") and isinstance(state.hyperparams, dict):
        return state
    return None


def set_hyperparams(opt_state: Any, **values: Any) -> Any:
    """Returns ``opt_state`` with traced hyperparameters replaced (pure, jit-safe).

    Works on the state of :meth:`Optimizer.to_optax` (also when wrapped for
    ``multi_precision``). Names: ``learning_rate``, ``wd``, ``rescale_grad``.

    Raises:
        ValueError: an unknown hyperparameter name, or a state without hyperparameters.

    Examples:
        >>> import jax.numpy as jnp
        >>> import mxjax as mx
        >>> tx = mx.optimizer.Adam().to_optax()
        >>> state = mx.optimizer.set_hyperparams(tx.init({"w": jnp.ones(1)}), rescale_grad=0.25)
        >>> float(mx.optimizer.get_hyperparams(state)["rescale_grad"])
        0.25
    """
    if isinstance(opt_state, _b.MultiPrecisionState):
        return opt_state._replace(inner_state=set_hyperparams(opt_state.inner_state, **values))
    if _find_hyperparams(opt_state) is None:
        raise ValueError(
            "set_hyperparams: expected the state of Optimizer.to_optax (with `hyperparams`), "
            f"got {type(opt_state).__name__}"
        )
    hp = dict(opt_state.hyperparams)
    unknown = sorted(set(values) - set(hp))
    if unknown:
        raise ValueError(f"set_hyperparams: unknown names {unknown}; expected among {sorted(hp)}")
    for k, v in values.items():
        dtype = hp[k].dtype
        if isinstance(v, jax.Array):
            hp[k] = v if v.dtype == dtype else v.astype(dtype)
        else:  # a host number: device_put compiles nothing (jnp.asarray may, once per dtype)
            hp[k] = jax.device_put(np.asarray(v, dtype=dtype))
    return opt_state._replace(hyperparams=hp)


def get_hyperparams(opt_state: Any) -> dict[str, jax.Array]:
    """The traced hyperparameters held in a :meth:`Optimizer.to_optax` state.

    Examples:
        >>> import jax.numpy as jnp
        >>> import mxjax as mx
        >>> tx = mx.optimizer.SGD(learning_rate=0.5).to_optax()
        >>> float(mx.optimizer.get_hyperparams(tx.init({"w": jnp.ones(1)}))["learning_rate"])
        0.5
    """
    if isinstance(opt_state, _b.MultiPrecisionState):
        return get_hyperparams(opt_state.inner_state)
    if _find_hyperparams(opt_state) is None:
        raise ValueError(
            "get_hyperparams: expected the state of Optimizer.to_optax, "
            f"got {type(opt_state).__name__}"
        )
    return dict(opt_state.hyperparams)


register = Optimizer.register
create = Optimizer.create_optimizer
