"""``mx.mod.Module``: a symbol bound to data shapes, with parameters and an optimizer.

The forward and backward passes of a training batch run as one jitted
program (:class:`~mxjax._src.symbol.executor.GraphProgram`); ``update`` runs
the optimizer's optax transformation (from :mod:`mxjax.optimizer`) as a
second jitted program over all parameters.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from mxjax._src.host_eval import host_eval
from mxjax._src.module.base import BaseModule

__all__ = ["Module"]


def _descs(shapes: Any, what: str) -> list:
    from mxjax._src.io.iterators import DataDesc

    out = []
    for s in shapes or []:
        if isinstance(s, DataDesc):
            out.append(s)
        elif isinstance(s, (tuple, list)) and len(s) == 2 and isinstance(s[0], str):
            out.append(DataDesc(s[0], s[1]))
        else:
            raise TypeError(
                f"bind: each of {what} must be a DataDesc or (name, shape); received {s!r}"
            )
    return out


def _host(a: Any) -> np.ndarray:
    return np.asarray(jax.device_get(a.jax if hasattr(a, "jax") else a))


def _placed(value: Any, like: jax.Array) -> jax.Array:
    """``value`` with ``like``'s dtype, committed to its device (no program: host conversion).

    Committed like the arrays every update returns, so the first step's programs are
    the ones every later step reuses.
    """
    from mxjax._src.host_random import host_cast

    return host_cast(value, like.dtype, next(iter(like.devices())))


def _init_from_attr(spec: str):
    """The initializer named by a variable's ``__init__`` attribute (``'["zero", {}]'``)."""
    from mxjax._src import initializers as I

    try:
        name, kwargs = json.loads(spec)
    except (ValueError, TypeError):
        name, kwargs = spec, {}
    table = {
        "zero": I.Zero,
        "zeros": I.Zero,
        "one": I.One,
        "ones": I.One,
        "constant": I.Constant,
        "uniform": I.Uniform,
        "normal": I.Normal,
        "xavier": I.Xavier,
        "msraprelu": I.MSRAPrelu,
        "orthogonal": I.Orthogonal,
    }
    cls = table.get(str(name).lower())
    if cls is None:  # any other registered initializer, with its arguments
        return I.create(json.dumps([str(name).lower(), kwargs]))
    try:
        return cls(**kwargs)
    except TypeError:
        return cls()


class Module(BaseModule):
    """A symbol plus parameters, trained and run batch by batch (``mx.mod.Module``).

    Args:
        symbol: the network; its outputs are the module's outputs.
        data_names: names of the data inputs (``('data',)``).
        label_names: names of the label inputs (``('softmax_label',)``); missing
            names are ignored, as MXNet does.
        logger: where ``fit`` logs.
        context: a Context or a list of them (the first is used).
        work_load_list: accepted for compatibility.
        fixed_param_names: parameters that are not updated.
        state_names: inputs that are states (neither data nor parameters).

    Examples:
        >>> import numpy as np, mxjax as mx
        >>> data = mx.sym.var("data")
        >>> fc = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
        >>> net = mx.sym.SoftmaxOutput(fc, name="softmax")
        >>> x = np.random.RandomState(0).rand(8, 3).astype("float32")
        >>> it = mx.io.NDArrayIter(x, (x[:, 0] > 0.5).astype("float32"), batch_size=4)
        >>> mod = mx.mod.Module(net, context=mx.cpu())
        >>> mod.fit(it, num_epoch=2, optimizer_params={"learning_rate": 0.1})
        >>> mod.predict(it).shape
        (8, 2)
    """

    def __init__(
        self,
        symbol: Any,
        data_names: Any = ("data",),
        label_names: Any = ("softmax_label",),
        logger: Any = logging,
        context: Any = None,
        work_load_list: Any = None,
        fixed_param_names: Any = None,
        state_names: Any = None,
        group2ctxs: Any = None,
        compression_params: Any = None,
    ):
        from mxjax._src import context as _ctx
        from mxjax._src.symbol.graph import Symbol

        super().__init__(logger)
        del work_load_list, group2ctxs, compression_params
        if not isinstance(symbol, Symbol):
            raise TypeError(
                f"Module: symbol must be an mx.sym.Symbol; received {type(symbol).__name__}"
            )
        if context is None:
            context = _ctx.current_context()
        self._context = list(context) if isinstance(context, (list, tuple)) else [context]
        self._symbol = symbol
        args = symbol.list_arguments()
        data_names = list(data_names or [])
        label_names = [n for n in (label_names or []) if n in args]
        state_names = list(state_names or [])
        for n in data_names + state_names:
            if n not in args:
                raise ValueError(
                    f"Module: {n!r} is not an input of the symbol; its arguments are {args}"
                )
        self._data_names = data_names
        self._label_names = label_names
        self._state_names = state_names
        self._fixed_param_names = list(fixed_param_names or [])
        inputs = set(data_names + label_names + state_names)
        self._param_names = [n for n in args if n not in inputs]
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()
        self._arg_params: dict | None = None
        self._aux_params: dict | None = None
        self._exec = None
        self._program = None
        self._data_shapes: list = []
        self._label_shapes: list = []
        self._optimizer = None
        self._opt_state = None
        self._update_fn = None
        self._preload_opt_states: str | None = None

    # ----------------------------------------------------------------- properties
    @property
    def data_names(self) -> list[str]:
        return self._data_names

    @property
    def label_names(self) -> list[str]:
        return self._label_names

    @property
    def output_names(self) -> list[str]:
        return self._output_names

    @property
    def data_shapes(self) -> list:
        self._need("data_shapes", bound=True)
        return self._data_shapes

    @property
    def label_shapes(self) -> list:
        self._need("label_shapes", bound=True)
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        self._need("output_shapes", bound=True)
        shapes = {d.name: d.shape for d in self._data_shapes + self._label_shapes}
        _, outs, _ = self._symbol.infer_shape(**shapes)
        return list(zip(self._output_names, outs))

    def _need(self, who: str, bound: bool = False, params: bool = False, opt: bool = False) -> None:
        if bound and not self.binded:
            raise ValueError(f"Module.{who}: call bind() first")
        if params and not self.params_initialized:
            raise ValueError(f"Module.{who}: call init_params() first")
        if opt and not self.optimizer_initialized:
            raise ValueError(f"Module.{who}: call init_optimizer() first")

    # ----------------------------------------------------------------- bind
    def bind(
        self,
        data_shapes: Any,
        label_shapes: Any = None,
        for_training: bool = True,
        inputs_need_grad: bool = False,
        force_rebind: bool = False,
        shared_module: Any = None,
        grad_req: Any = "write",
    ) -> None:
        """Allocates the executor for the given input shapes (``[DataDesc]`` or ``[(name, shape)]``)."""
        from mxjax._src.symbol.executor import GraphProgram, simple_bind

        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        data = _descs(data_shapes, "data_shapes")
        labels = _descs(label_shapes, "label_shapes")
        names = [d.name for d in data]
        if sorted(names) != sorted(self._data_names):
            raise ValueError(
                f"Module.bind: data_shapes name {names} but the module's data_names are "
                f"{self._data_names}"
            )
        labels = [d for d in labels if d.name in self._label_names]
        self.for_training = bool(for_training)
        self.inputs_need_grad = bool(inputs_need_grad)
        if shared_module is not None and shared_module.params_initialized:
            self._arg_params, self._aux_params = shared_module.get_params()
            self.params_initialized = True
        reqs = {}
        for n in self._symbol.list_arguments():
            if n in self._param_names:
                fixed = n in self._fixed_param_names or not for_training
                reqs[n] = (
                    "null"
                    if fixed
                    else (grad_req if isinstance(grad_req, str) else grad_req.get(n, "write"))
                )
            elif n in self._data_names:
                reqs[n] = "write" if (inputs_need_grad and for_training) else "null"
            else:
                reqs[n] = "null"
        shapes = {d.name: d.shape for d in data + labels}
        types = {d.name: np.dtype(getattr(d, "dtype", np.float32)) for d in data + labels}
        if self._program is None:
            self._program = GraphProgram.for_symbol(self._symbol)
        ctx = self._context[0]
        self._exec = simple_bind(self._symbol, ctx, reqs, types, shapes, program=self._program)
        self._data_shapes, self._label_shapes = data, labels
        self.binded = True
        if self.params_initialized:
            self._exec.copy_params_from(self._arg_params, self._aux_params, allow_extra_params=True)

    def reshape(self, data_shapes: Any, label_shapes: Any = None) -> None:
        """Re-binds for new input shapes, keeping parameters."""
        self._need("reshape", bound=True)
        if self.params_initialized:
            self._sync_params_from_exec()
        self.bind(
            data_shapes, label_shapes, self.for_training, self.inputs_need_grad, force_rebind=True
        )

    # ----------------------------------------------------------------- parameters
    def init_params(
        self,
        initializer: Any = None,
        arg_params: Any = None,
        aux_params: Any = None,
        allow_missing: bool = False,
        force_init: bool = False,
        allow_extra: bool = False,
    ) -> None:
        """Initializes parameters: from ``arg_params``/``aux_params`` where given, else ``initializer``.

        Raises:
            ValueError: a parameter is missing from ``arg_params`` and
                ``allow_missing`` is False, or a given array has the wrong shape.
        """
        from mxjax._src import initializers as I
        from mxjax._src.nd.random import next_host_rng

        if self.params_initialized and not force_init:
            warnings.warn(
                "Parameters already initialized and force_init=False. init_params call ignored.",
                stacklevel=2,
            )
            return
        self._need("init_params", bound=True)
        if initializer is None:
            initializer = I.Uniform(0.01)
        initializer = (
            I.create(initializer) if not isinstance(initializer, I.Initializer) else initializer
        )
        attrs = self._symbol.attr_dict()
        # drawn on the host from mx.random's initialization stream, as Gluon's initialize():
        # no program per parameter shape
        rng = next_host_rng()
        for what, names, given, target in (
            ("arg", self._param_names, arg_params, self._exec.arg_dict),
            ("aux", self._aux_names, aux_params, self._exec.aux_dict),
        ):
            if given is not None and not allow_extra:
                extra = sorted(set(given) - set(names))
                if extra and what == "arg":
                    extra = [e for e in extra if e not in self._symbol.list_arguments()]
                if extra:
                    raise ValueError(
                        f"init_params: {what}_params has names {extra} that are not "
                        f"{what} parameters of the symbol (pass allow_extra=True to ignore)"
                    )
            for name in names:
                arr = target[name]
                if given is not None and name in given:
                    value = given[name]
                    value = value.jax if hasattr(value, "jax") else np.asarray(value)
                    if tuple(value.shape) != tuple(arr.shape):
                        raise ValueError(
                            f"init_params: {name!r} has shape {tuple(arr.shape)} in the bound "
                            f"module; {what}_params gives {tuple(value.shape)}"
                        )
                elif given is not None and not allow_missing:
                    raise ValueError(
                        f"init_params: {name!r} is not in {what}_params (pass allow_missing=True "
                        f"to initialize it with the initializer)"
                    )
                else:
                    spec = attrs.get(name, {}).get("__init__")
                    if spec:
                        value = _init_from_attr(spec)(rng, arr.shape, arr.dtype)
                    else:
                        value = initializer.init_named(name, rng, arr.shape, arr.dtype)
                from mxjax._src.gluon import _bridge as B

                B.assign(arr, _placed(value, arr.jax))
        self.params_initialized = True
        self._sync_params_from_exec()

    def _sync_params_from_exec(self) -> None:
        self._arg_params = {n: self._exec.arg_dict[n].copy() for n in self._param_names}
        self._aux_params = {n: self._exec.aux_dict[n].copy() for n in self._aux_names}

    def get_params(self) -> tuple[dict, dict]:
        """``(arg_params, aux_params)``: copies of the current parameters (NDArrays)."""
        self._need("get_params", bound=True, params=True)
        self._sync_params_from_exec()
        return dict(self._arg_params), dict(self._aux_params)

    def set_params(
        self,
        arg_params: Mapping,
        aux_params: Mapping | None = None,
        allow_missing: bool = False,
        force_init: bool = True,
        allow_extra: bool = False,
    ) -> None:
        """Sets parameters by name (see :meth:`init_params`)."""
        if not allow_missing:
            self.init_params(
                initializer=None,
                arg_params=arg_params,
                aux_params=aux_params or {},
                allow_missing=allow_missing,
                force_init=force_init,
                allow_extra=allow_extra,
            )
            return
        if self.params_initialized and not force_init:
            warnings.warn(
                "Parameters already initialized and force_init=False. set_params call ignored.",
                stacklevel=2,
            )
            return
        self._exec.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)
        self.params_initialized = True
        self._sync_params_from_exec()

    # ----------------------------------------------------------------- optimizer
    def init_optimizer(
        self,
        kvstore: Any = "local",
        optimizer: Any = "sgd",
        optimizer_params: Any = (("learning_rate", 0.01),),
        force_init: bool = False,
    ) -> None:
        """Creates the optimizer; gradients are rescaled by ``1/batch_size`` (MXNet's rule).

        ``kvstore`` names (``'local'``, ``'device'``, ``'dist_sync'`` ...) are
        accepted; a single process updates directly.
        """
        from mxjax import optimizer as _opt
        from mxjax._src.optim.facade import Optimizer

        self._need("init_optimizer", bound=True, params=True)
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if kvstore is not None and not isinstance(kvstore, str) and not hasattr(kvstore, "type"):
            raise TypeError(
                f"init_optimizer: kvstore must be a name or a KVStore; received {kvstore!r}"
            )
        batch_size = self._data_shapes[0].shape[
            max(self._data_shapes[0].layout.find("N"), 0)
            if hasattr(self._data_shapes[0], "layout")
            else 0
        ]
        rescale_grad = 1.0 / batch_size
        idx2name = dict(enumerate(self._param_names))
        if isinstance(optimizer, str):
            params = dict(optimizer_params)
            params.setdefault("rescale_grad", rescale_grad)
            optimizer = _opt.create(optimizer, param_idx2name=idx2name, **params)
            # MXNet passes sym=symbol: the variables' __lr_mult__/__wd_mult__ attributes
            attrs = self._symbol.attr_dict()
            lr = {
                n: float(attrs[n]["__lr_mult__"])
                for n in self._param_names
                if "__lr_mult__" in attrs.get(n, {})
            }
            wd = {
                n: float(attrs[n]["__wd_mult__"])
                for n in self._param_names
                if "__wd_mult__" in attrs.get(n, {})
            }
            optimizer.set_lr_mult(lr)
            optimizer.set_wd_mult(wd)
        elif isinstance(optimizer, Optimizer):
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn(
                    "Optimizer created manually outside Module but rescale_grad is not normalized "
                    f"to 1.0/batch_size/num_workers ({optimizer.rescale_grad} vs. "
                    f"{rescale_grad}). Is this intended?",
                    stacklevel=2,
                )
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        else:
            raise TypeError(
                f"init_optimizer: optimizer must be a name or an mx.optimizer.Optimizer; received "
                f"{type(optimizer).__name__}"
            )
        self._optimizer = optimizer
        self._build_update()
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def _trainable(self) -> list[str]:
        return [n for n in self._param_names if n in self._exec.grad_dict]

    def _build_update(self) -> None:
        import optax

        from mxjax._src.optim.facade import set_hyperparams

        names = self._trainable()
        tx = self._optimizer.to_optax(names)
        params = {n: self._exec.arg_dict[n].jax for n in names}
        # made on the host (no program); committed like the states every update returns
        # (else the second update compiles again)
        state = host_eval(tx.init, params)
        devices = {d for v in params.values() for d in v.devices()}
        self._opt_state = jax.device_put(state, devices.pop()) if len(devices) == 1 else state

        def update(params, grads, state, hp):
            state = set_hyperparams(state, **hp)
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        self._update_fn = jax.jit(update)
        self._update_names = names

    def borrow_optimizer(self, shared_module: Module) -> None:
        """Uses the optimizer of another module."""
        self._optimizer = shared_module._optimizer
        self._build_update()
        self.optimizer_initialized = True

    # ----------------------------------------------------------------- computation
    def forward(self, data_batch: Any, is_train: bool | None = None) -> None:
        """Runs the network on a ``DataBatch`` (re-binding if its shapes differ)."""
        from mxjax._src.io.iterators import DataDesc

        self._need("forward", bound=True, params=True)
        if is_train is None:
            is_train = self.for_training
        data = list(data_batch.data)
        if len(data) != len(self._data_names):
            raise ValueError(
                f"Module.forward: the batch has {len(data)} data arrays; the module's data_names "
                f"are {self._data_names}"
            )
        names = [d.name for d in self._data_shapes]
        new_shapes = [tuple(a.shape) for a in data]
        if new_shapes != [tuple(d.shape) for d in self._data_shapes]:
            lab = list(data_batch.label or [])
            self.reshape(
                [DataDesc(n, s, a.dtype) for n, s, a in zip(names, new_shapes, data)],
                [DataDesc(d.name, tuple(a.shape), a.dtype) for d, a in zip(self._label_shapes, lab)]
                or None,
            )
        feed = dict(zip(names, data))
        if data_batch.label is not None and self._label_shapes:
            feed.update(zip([d.name for d in self._label_shapes], data_batch.label))
        self._exec.forward(is_train=bool(is_train), **feed)

    def backward(self, out_grads: Any = None) -> None:
        """Computes gradients (loss outputs need no ``out_grads``)."""
        self._need("backward", bound=True, params=True)
        if not self.for_training:
            raise ValueError("Module.backward: bind with for_training=True first")
        self._exec.backward(out_grads=out_grads)

    def update(self) -> None:
        """Applies one optimizer step to all trainable parameters (one jitted program)."""
        from mxjax._src.gluon import _bridge as B

        self._need("update", bound=True, params=True, opt=True)
        ad, gd = self._exec.arg_dict, self._exec.grad_dict
        params = {n: ad[n].jax for n in self._update_names}
        grads = {n: gd[n].jax for n in self._update_names}
        hp = self._optimizer.next_hyperparams()
        new, self._opt_state = self._update_fn(params, grads, self._opt_state, hp)
        for n in self._update_names:
            B.assign(ad[n], new[n])

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """The outputs of the last forward pass (NDArrays)."""
        self._need("get_outputs", bound=True, params=True)
        outs = list(self._exec.outputs)
        return outs if merge_multi_context else [[o] for o in outs]

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients with respect to the data inputs (bind with ``inputs_need_grad=True``)."""
        self._need("get_input_grads", bound=True, params=True)
        if not self.inputs_need_grad:
            raise ValueError("Module.get_input_grads: bind with inputs_need_grad=True first")
        grads = [self._exec.grad_dict[n] for n in self._data_names]
        return grads if merge_multi_context else [[g] for g in grads]

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The state inputs (``state_names``)."""
        states = [self._exec.arg_dict[n] for n in self._state_names]
        return states if merge_multi_context else [[s] for s in states]

    def set_states(self, states: Any = None, value: Any = None) -> None:
        """Sets the state inputs from arrays or a scalar ``value``."""
        from mxjax._src.gluon import _bridge as B

        for i, n in enumerate(self._state_names):
            arr = self._exec.arg_dict[n]
            v = np.full(arr.shape, value) if states is None else _host(states[i])
            B.assign(arr, jax.numpy.asarray(v, arr.dtype))

    def update_metric(self, eval_metric: Any, labels: Any, pre_sliced: bool = False) -> None:
        """Updates ``eval_metric`` with ``labels`` and the last outputs."""
        del pre_sliced
        eval_metric.update(list(labels), self.get_outputs())

    def install_monitor(self, mon: Any) -> None:
        """Monitors are not supported; raises."""
        raise NotImplementedError("Module.install_monitor: monitors are not supported by mxjax")

    # ----------------------------------------------------------------- checkpoints
    def save_checkpoint(
        self,
        prefix: str,
        epoch: int,
        save_optimizer_states: bool = False,
        remove_amp_cast: bool = True,
    ) -> None:
        """Writes ``prefix-symbol.json`` and ``prefix-%04d.params`` (and ``.states``)."""
        from mxjax._src.module.model import save_checkpoint

        arg, aux = self.get_params()
        save_checkpoint(prefix, epoch, self._symbol, arg, aux, remove_amp_cast)
        if save_optimizer_states:
            self.save_optimizer_states(f"{prefix}-{epoch:04d}.states")

    def save_optimizer_states(self, fname: str) -> None:
        """Writes the optimizer state as an MXNet NDArray-list file (no pickle)."""
        from mxjax._src.io.params import save_params

        self._need("save_optimizer_states", opt=True)
        leaves = jax.tree_util.tree_leaves(self._opt_state)
        arrays = {f"state:{i}": _host(x) for i, x in enumerate(leaves)}
        arrays["meta:num_update"] = np.asarray([self._optimizer.num_update], np.int64)
        save_params(fname, arrays)

    def load_optimizer_states(self, fname: str) -> None:
        """Reads a file written by :meth:`save_optimizer_states`."""
        from mxjax._src.io.params import load_params

        self._need("load_optimizer_states", opt=True)
        data = load_params(fname)
        leaves, tdef = jax.tree_util.tree_flatten(self._opt_state)
        n = sum(1 for k in data if k.startswith("state:"))
        if n != len(leaves):
            raise ValueError(
                f"load_optimizer_states: {fname!r} holds {n} state arrays; this optimizer has "
                f"{len(leaves)}"
            )
        new = [
            jax.numpy.asarray(data[f"state:{i}"], dtype=leaf.dtype).reshape(leaf.shape)
            for i, leaf in enumerate(leaves)
        ]
        self._opt_state = jax.tree_util.tree_unflatten(tdef, new)
        if "meta:num_update" in data:
            self._optimizer.num_update = int(data["meta:num_update"][0])

    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False, **kwargs: Any) -> Module:
        """A module from ``prefix-symbol.json`` and ``prefix-%04d.params`` (parameters set on bind)."""
        from mxjax._src.module.model import load_checkpoint

        sym, args, auxs = load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return mod
