"""Gluon's ``Block``, ``HybridBlock``, ``Sequential`` and ``HybridSequential``.

A Block owns Parameters and child Blocks; calling it runs ``forward`` on
NDArrays. ``HybridBlock.hybridize()`` compiles the whole block: its Python
forward is traced once per input signature with every Parameter replaced by
a traced value (see ``_bridge.trace``), and the resulting pure function is
handed as one kernel (see ``mxjax._src.kernel``) to the dispatcher
(``mxjax._src.dispatch``), which runs it compiled, records it on the tape or
defers it into the step program. Kernels live in the facade's compile cache.
"""

from __future__ import annotations

import contextlib
import re
import threading
import warnings
import weakref
from collections import OrderedDict
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.compile_cache import cached
from mxjax._src.gluon import _bridge as B
from mxjax._src.gluon.block_checks import check_hybrid_inputs, unregistered_containers
from mxjax._src.gluon.keras import KerasMixin
from mxjax._src.gluon.op_hook import outer_call, run_op_hook
from mxjax._src.gluon.parameter import DeferredInitializationError, Parameter
from mxjax._src.gluon.parameter_dict import ParameterDict, _assign
from mxjax._src.gluon.summary import summary as _summary

__all__ = ["Block", "HybridBlock", "HybridSequential", "Sequential"]

_global_counter: dict[str, int] = {}
_counter_lock = threading.Lock()


class _BlockScope:
    """Naming scope of a Block (Gluon's ``_BlockScope``): per-class child counters."""

    _current = threading.local()

    def __init__(self, block: Block):
        self._block = block
        self._counter: dict[str, int] = {}
        self._old = None

    @staticmethod
    def create(prefix: str | None, params: ParameterDict | None, hint: str):
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                with _counter_lock:
                    count = _global_counter.get(hint, 0)
                    _global_counter[hint] = count + 1
                prefix = f"{hint}{count}_"
            params = (
                ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            )
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        self._old = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        return self

    def __exit__(self, *exc):
        _BlockScope._current.value = self._old


class _HookHandle:
    def __init__(self, hooks: OrderedDict, key: int):
        self._hooks, self._key = hooks, key

    def detach(self) -> None:
        """Removes the hook."""
        self._hooks.pop(self._key, None)


class Block(KerasMixin):
    """Base class of all Gluon blocks (imperative ``forward``).

    Args:
        prefix: name prefix of this block's parameters and children
            (default: class name + counter, e.g. ``dense0_``).
        params: a ParameterDict to share parameters with.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> class Model(mx.gluon.Block):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         with self.name_scope():
        ...             self.fc = nn.Dense(2, in_units=3)
        ...     def forward(self, x):
        ...         return self.fc(x)
        >>> net = Model(prefix="model_")
        >>> net.initialize()
        >>> net(mx.nd.ones((4, 3))).shape
        (4, 2)
        >>> list(net.collect_params().keys())
        ['model_dense0_weight', 'model_dense0_bias']
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        object.__setattr__(self, "_children", OrderedDict())
        object.__setattr__(self, "_reg_params", OrderedDict())
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._forward_hooks: OrderedDict = OrderedDict()
        self._forward_pre_hooks: OrderedDict = OrderedDict()
        self._hook_id = 0

    def _alias(self) -> str:
        return type(self).__name__.lower()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        for key, child in self._children.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({key}): {body}")
        return "\n".join(lines) + "\n)" if self._children else f"{type(self).__name__}()"

    def __setattr__(self, name: str, value: Any) -> None:
        existing = self.__dict__.get(name)
        if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
            raise TypeError(
                f"Changing attribute type for {name} from {type(existing)} to {type(value)} "
                "is not allowed."
            )
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            self._reg_params[name] = value
        object.__setattr__(self, name, value)

    def _check_container_with_block(self) -> None:
        """Warns, as MXNet, about list/tuple/dict attributes holding unregistered Blocks."""
        for k in unregistered_containers(self, Block):
            warnings.warn(
                f'"{type(self).__name__}.{k}" is an unregistered container with Blocks. '
                "Note that Blocks inside the list, tuple or dict will not be registered "
                "automatically. Make sure to register them using register_child() or "
                "switching to nn.Sequential/nn.HybridSequential instead.",
                stacklevel=3,
            )

    # ----------------------------------------------------------------- naming
    @property
    def prefix(self) -> str:
        """The prefix of this block's names (``dense0_``)."""
        return self._prefix

    @property
    def name(self) -> str:
        """The block's name (prefix without the trailing ``_``)."""
        return self._name

    @property
    def params(self) -> ParameterDict:
        """This block's own ParameterDict (without children's)."""
        return self._params

    def name_scope(self):
        """A context in which child blocks get this block's prefix.

        Examples:
            >>> from mxjax.gluon import nn
            >>> net = nn.HybridSequential(prefix="net_")
            >>> with net.name_scope():
            ...     net.add(nn.Dense(2))
            >>> net[0].prefix
            'net_dense0_'
        """
        if self._empty_prefix:
            return contextlib.nullcontext()
        return self._scope

    def register_child(self, block: Block, name: str | None = None) -> None:
        """Registers ``block`` as a child (attribute assignment does this for you)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook):
        """Registers ``hook(block, inputs)`` called before forward; returns a handle."""
        self._hook_id += 1
        self._forward_pre_hooks[self._hook_id] = hook
        return _HookHandle(self._forward_pre_hooks, self._hook_id)

    def register_forward_hook(self, hook):
        """Registers ``hook(block, inputs, outputs)`` called after forward; returns a handle."""
        self._hook_id += 1
        self._forward_hooks[self._hook_id] = hook
        return _HookHandle(self._forward_hooks, self._hook_id)

    def apply(self, fn):
        """Applies ``fn`` to every child recursively, then to self; returns self."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------- parameters
    def collect_params(self, select: str | None = None) -> ParameterDict:
        """All parameters of this block and its children, optionally filtered by regex.

        Args:
            select: a regular expression matched (``re.match``) against names.
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        pattern = re.compile(select) if select else None
        own = OrderedDict(
            (k, v) for k, v in self.params.items() if pattern is None or pattern.match(k)
        )
        for p in self._reg_params.values():
            if p.name not in own and (pattern is None or pattern.match(p.name)):
                own[p.name] = p
        for k, v in own.items():
            ret._params[k] = v
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix: str = "") -> dict[str, Parameter]:
        if prefix:
            prefix += "."
        ret = {prefix + k: v for k, v in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def initialize(self, init=None, ctx=None, verbose: bool = False, force_reinit: bool = False):
        """Initializes all parameters (``collect_params().initialize(...)``)."""
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def zero_grad(self) -> None:
        """Zeroes the gradients of all parameters."""
        self.collect_params().zero_grad()

    def reset_ctx(self, ctx) -> None:
        """Moves all parameters to ``ctx``."""
        self.collect_params().reset_ctx(ctx)

    def cast(self, dtype) -> None:
        """Casts all parameters to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for p in self.params.values():
            p.cast(dtype)
        for p in self._reg_params.values():
            if p.name not in self.params:
                p.cast(dtype)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Hybridizes the HybridBlock children (a plain Block itself stays imperative)."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    def save_params(self, filename: str) -> None:
        """Deprecated MXNet API: saves ``collect_params()`` under full names minus this prefix.

        Use :meth:`save_parameters` (structural names) or ``export``; kept because
        MXNet 1.x scripts and files use it.
        """
        warnings.warn(
            "save_params is deprecated. Please use save_parameters. Note that if you want "
            "load from SymbolBlock later, please use export instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_params(
        self,
        filename: str,
        ctx: Any = None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
    ) -> None:
        """Deprecated MXNet API: :meth:`load_parameters` (reads both name styles)."""
        warnings.warn(
            "load_params is deprecated. Please use load_parameters.",
            DeprecationWarning,
            stacklevel=2,
        )
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def save_parameters(self, filename: str, deduplicate: bool = False) -> None:
        """Saves parameters under structural names (``0.weight``, ``fc.bias``) as ``.params``.

        Args:
            filename: destination path (written atomically).
            deduplicate: save a shared parameter once, under its first name.
        """
        import mxjax.io as mio

        params = self._collect_params_with_prefix()
        if deduplicate:
            reverse = {}
            for k, v in params.items():
                reverse.setdefault(id(v), (k, v))
            params = dict(reverse.values())
        arrays = {}
        for k, p in params.items():
            p._check_initialized()
            vals = [np.asarray(jax.device_get(d.jax)) for d in p._data]
            arrays[k] = vals[0] if len(vals) == 1 else (sum(vals) / len(vals)).astype(vals[0].dtype)
        mio.save_params(filename, arrays)

    def load_parameters(
        self,
        filename: str,
        ctx=None,
        allow_missing: bool = False,
        ignore_extra: bool = False,
        cast_dtype: bool = False,
        dtype_source: str = "current",
    ) -> None:
        """Loads a ``.params`` file written by :meth:`save_parameters` (or MXNet's).

        Raises:
            ValueError: for missing/extra parameters (see ``allow_missing``,
                ``ignore_extra``) or a shape mismatch.
        """
        import mxjax.io as mio

        loaded = mio.load_params(filename)
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in k for k in loaded):
            self.collect_params().load(
                filename, ctx, allow_missing, ignore_extra, self.prefix, cast_dtype, dtype_source
            )
            return
        loaded = {k[4:] if k.startswith(("arg:", "aux:")) else k: v for k, v in loaded.items()}
        if not allow_missing:
            # a shared parameter may be saved once, under any of its names (deduplicate=True)
            found = {id(params[k]) for k in loaded if k in params}
            missing = [k for k, p in params.items() if id(p) not in found]
            if missing:
                raise ValueError(
                    f"Parameter {missing[0]!r} is missing in file {filename!r}, which contains "
                    f"parameters: {sorted(loaded)[:10]}. Set allow_missing=True to ignore "
                    "missing parameters."
                )
        _assign(params, loaded, filename, ctx, True, ignore_extra, cast_dtype, dtype_source)

    # ---------------------------------------------------------------- calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and type(args[0]).__name__ == "Symbol":  # mx.sym inputs: the block's graph
            from mxjax._src.symbol.export import block_to_symbol

            return block_to_symbol(self, *args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            hook(self, args)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            hook(self, args, out)
        return out

    def forward(self, *args: Any) -> Any:
        """Override to define the computation."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def summary(self, *inputs: Any) -> None:
        """Prints Gluon's table of layers, output shapes and parameter counts.

        Without ``inputs`` the shapes come from the first layer's
        ``input_shape=`` (or ``in_units``); uninitialized parameters are then
        initialized with Xavier, as ``fit`` would.

        Examples:
            >>> import mxjax as mx
            >>> from mxjax.gluon import nn
            >>> net = nn.Dense(2, in_units=3)
            >>> net.initialize()
            >>> net.summary(mx.nd.ones((1, 3)))  # doctest: +ELLIPSIS
            ---...
            ...Total params: 8
            ...
        """
        _summary(self, inputs)


class HybridBlock(Block):
    """A Block that can be compiled with :meth:`hybridize`.

    Subclasses define either ``forward(x, ...)`` over NDArrays or Gluon's
    ``hybrid_forward(F, x, ..., **params)``, where ``F`` is ``mxjax.nd`` and
    ``params`` holds this block's registered Parameters as NDArrays.

    Examples:
        >>> import mxjax as mx
        >>> class Scale(mx.gluon.HybridBlock):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.s = self.params.get("s", shape=(1,), init=mx.init.Constant(2.0))
        ...     def hybrid_forward(self, F, x, s):
        ...         return F.broadcast_mul(x, s)
        >>> net = Scale()
        >>> net.initialize()
        >>> net.hybridize()
        >>> net(mx.nd.ones((2,))).asnumpy().tolist()
        [2.0, 2.0]
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        super().__init__(prefix, params)
        self._active = False
        self._plans: dict = {}  # parameter list, SyncBatchNorm below (not compiled programs)
        self._generation = _Generation()
        self._op_hook: tuple | None = None

    def register_op_hook(self, callback: Any, monitor_all: bool = False) -> None:
        """Calls ``callback(name, op_name, array)`` for each operator output of a hybridized call.

        ``name`` and ``op_name`` are bytes, as MXNet's. Names are MXNet's (``dense0_fwd_output``; with ``monitor_all=True`` also
        each operator's inputs first, ``dense0_fwd_data``, ``dense0_fwd_weight``).
        Each hooked call evaluates the block's operator graph once more,
        uncompiled (see :mod:`mxjax._src.gluon.op_hook`). Applies to the children too.

        Examples:
            >>> import mxjax as mx
            >>> net = mx.gluon.nn.Dense(2, in_units=3, prefix="fc_")
            >>> net.initialize()
            >>> net.hybridize()
            >>> seen = []
            >>> net.register_op_hook(lambda name, op, arr: seen.append((name, op, arr.shape)))
            >>> _ = net(mx.nd.ones((4, 3)))
            >>> seen
            [(b'fc_fwd_output', b'FullyConnected', (4, 2))]
        """
        if not callable(callback):
            raise TypeError(
                f"register_op_hook: callback must be callable; received {type(callback).__name__}"
            )
        self._op_hook = (callback, bool(monitor_all))
        for child in self._children.values():
            child.register_op_hook(callback, monitor_all)

    def hybridize(
        self,
        active: bool = True,
        static_alloc: bool = False,
        static_shape: bool = False,
        **kwargs: Any,
    ) -> None:
        """Compiles forward and backward with ``jax.jit`` (cached per input signature).

        ``static_alloc``/``static_shape`` are accepted for compatibility (XLA
        always plans memory statically).
        """
        del static_alloc, static_shape
        self._active = bool(active)
        self._plans = {}
        self._generation = _Generation()  # compiled programs of the previous one are not reused
        super().hybridize(active, **kwargs)

    def register_child(self, block: Block, name: str | None = None) -> None:
        """Registers a HybridBlock child; a compiled program of this block is rebuilt.

        Raises:
            ValueError: when ``block`` is not a HybridBlock (as MXNet).
        """
        if not isinstance(block, HybridBlock):
            raise ValueError(
                f"Children of HybridBlock must also be HybridBlock, but {block} has type "
                f"{type(block)}. If you are using Sequential, please try HybridSequential instead."
            )
        super().register_child(block, name)
        self._plans = {}
        self._generation = _Generation()  # the structure changed: stale programs are not reused

    def _holds_sync(self) -> bool:
        """Whether a SyncBatchNorm below needs this block to run child by child."""
        sync = self._plans.get("sync")
        if sync is None:
            found: list = []
            self.apply(lambda b: found.append(getattr(b, "_num_devices", 1) > 1))
            sync = self._plans["sync"] = any(found) and not getattr(self, "_is_sync", False)
        return sync

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args:
            check_hybrid_inputs(args, self._active)
        if (
            self._active
            and not kwargs
            and not (args and type(args[0]).__name__ == "Symbol")
            and B.current_trace() is None
            and not (self._holds_sync() and B.is_recording() and B.is_training())
        ):
            for hook in list(self._forward_pre_hooks.values()):
                hook(self, args)
            with outer_call() as outermost:
                out = self._call_compiled(*args)
            if self._op_hook is not None and outermost:
                run_op_hook(self, args, *self._op_hook)
            for hook in list(self._forward_hooks.values()):
                hook(self, args, out)
            return out
        return super().__call__(*args, **kwargs)

    def forward(self, x: Any, *args: Any) -> Any:
        """Runs ``hybrid_forward(mxjax.nd, x, *args, **params)`` (override either one)."""
        if type(self).hybrid_forward is HybridBlock.hybrid_forward:
            raise NotImplementedError(
                f"{type(self).__name__} must implement forward() or hybrid_forward()"
            )
        ctx = B.context_of(x)
        try:
            params = {k: p.data(ctx) for k, p in self._reg_params.items()}
        except DeferredInitializationError:
            _infer_param_shapes(self, (x, *args))  # MXNet's deferred shape inference
            params = {k: p.data(ctx) for k, p in self._reg_params.items()}
        return self.hybrid_forward(B.nd(), x, *args, **params)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Override to define the computation with ``F`` (``mxjax.nd``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement hybrid_forward()")

    def infer_shape(self, *args: Any) -> None:
        """Finishes deferred initialization: an abstract pass (compiles nothing), else a forward."""
        with contextlib.suppress(Exception):  # a block it cannot trace runs the forward below
            _infer_shapes(self, args)
        if any(p._data is None for p in self.collect_params().values()):
            with _pause():
                Block.__call__(self, *args)

    # ------------------------------------------------------------- compiled
    @staticmethod
    def _uses_randomness(uses: list) -> bool:
        """Whether the traced program draws random numbers (unknown before the first trace)."""
        return uses[0] is not False

    def _plan(self):
        plist = self._plans.get("plist")
        if plist is None:
            plist = list(OrderedDict((id(p), p) for p in self.collect_params().values()).values())
            self._plans["plist"] = plist
        diff = tuple(p for p in plist if p.grad_req != "null")
        const = tuple(p for p in plist if p.grad_req == "null")
        return plist, diff, const

    def _pure(self, diff, const, train, uses: list | None = None, tree: Any = None):
        return B.pure_forward(self, diff, const, train, uses, tree)

    def _kernel(self, train: bool, diff: tuple, const: tuple, tree: Any = None):
        """The whole block as one kernel, from the compile cache; and whether it draws randomness.

        Key: the block's hybridize generation (its structure as hybridized),
        the training mode, its Parameters split by ``grad_req`` and the nesting
        of its inputs. ``dargs = (*diff params, *inputs)``,
        ``cargs = (*const params, base_key, counter)``.
        """
        key = ("hybrid", self._generation, train, tuple(map(id, diff)), tuple(map(id, const)), tree)
        return cached(key, lambda: _hybrid_kernel(self, train, diff, const, tree))

    def _call_compiled(self, *args: Any) -> Any:
        plist, diff, const = self._plan()
        if any(p._data is None for p in plist):
            # Deferred shapes: an abstract pass (jax.eval_shape: nothing runs or compiles)
            # initializes the parameters; then this call runs compiled like later ones.
            self._plans.pop("plist", None)
            _infer_shapes(self, args)
            plist, diff, const = self._plan()
            if any(p._data is None for p in plist):
                return Block.__call__(self, *args)
        if any(a is None or isinstance(a, (list, tuple)) for a in args):  # lstm(x, [h, c])
            leaves, tree = B.flatten_args(args)
            return self._call_flat(leaves, tree, plist, diff, const)
        return self._call_flat(list(args), None, plist, diff, const)

    def _call_flat(self, args: list, tree: Any, plist: list, diff: tuple, const: tuple) -> Any:
        train = B.is_training()
        kernel, uses = self._kernel(train, diff, const, tree)
        # the context only picks a replica when parameters live on several contexts
        ctx = B.context_of(args[0]) if args and plist and len(plist[0]._data) > 1 else None
        dnd = [p.data(ctx) for p in diff]
        cnd = [p.data(ctx) for p in const]
        # A fresh key only when the traced program draws random numbers (dropout in training,
        # F.random.* in either mode).
        key = B.key_args() if self._uses_randomness(uses) else B.const_key_args()
        inputs = dnd + [a if B.is_ndarray(a) else B.as_jnp(a) for a in args]
        res = B.call(kernel, inputs, cnd + list(key), cnd)
        return B.restore_outputs(list(res) if isinstance(res, list) else res, uses)

    def export(self, path: str, epoch: int = 0, remove_amp_cast: bool = True) -> tuple[str, str]:
        """Writes MXNet's ``path-symbol.json`` and ``path-%04d.params`` (``arg:``/``aux:`` names).

        Real MXNet loads the pair with ``gluon.SymbolBlock.imports`` or
        ``mx.model.load_checkpoint``; see :mod:`mxjax._src.symbol.export`.
        Returns the two file names.

        Examples:
            >>> import os, tempfile
            >>> from mxjax.gluon import nn
            >>> net = nn.Dense(2, in_units=3)
            >>> net.initialize()
            >>> d = tempfile.mkdtemp()
            >>> [os.path.basename(f) for f in net.export(os.path.join(d, "m"))]
            ['m-symbol.json', 'm-0000.params']
        """
        from mxjax._src.symbol.export import export_block

        del remove_amp_cast
        return export_block(self, path, epoch)


class _Generation:
    """Identifies one hybridization of one block in compile-cache keys (holds no reference to it)."""

    __slots__ = ("__weakref__",)


def _hybrid_kernel(block: Any, train: bool, diff: tuple, const: tuple, tree: Any = None):
    """``(kernel, uses)`` of a hybridized block; the kernel holds only weak references to it."""
    ref = weakref.ref(block)
    drefs = tuple(weakref.ref(p) for p in diff)
    crefs = tuple(weakref.ref(p) for p in const)
    nd, nc = len(diff), len(const)
    uses: list = [None]

    def f(d, c):  # runs only while jax traces (once per input signature)
        blk = ref()
        if blk is None:  # pragma: no cover - an entry of a dead block is never looked up
            raise RuntimeError("mxjax internal error: the hybridized block was deleted")
        pure = B.pure_forward(
            blk, tuple(r() for r in drefs), tuple(r() for r in crefs), train, uses, tree
        )
        return pure(d[:nd], c[:nc], (c[nc], c[nc + 1]), *d[nd:])

    return B.Kernel(f), uses


def _infer_param_shapes(block: Any, args: tuple) -> None:
    """Finishes deferred initialization from the shapes MXNet's graph inference gives.

    A parameter declared with unknown dimensions (``shape=(5, 0)``) and used by an
    operator of ``hybrid_forward`` (``F.FullyConnected``) gets its shape from the
    block's operator graph applied to the inputs' shapes, as in MXNet.
    """
    from mxjax._src.symbol.export import trace_block

    if not args or not all(B.is_ndarray(a) for a in args):
        return  # graph inference needs every input's shape; the layer reports the error
    sym = trace_block(block, len(args))
    names = ["data"] if len(args) == 1 else [f"data{i}" for i in range(len(args))]
    arg_shapes, _, aux_shapes = sym.infer_shape(**{n: a.shape for n, a in zip(names, args)})
    shapes = dict(zip(sym.list_arguments(), arg_shapes or []))
    shapes.update(zip(sym.list_auxiliary_states(), aux_shapes or []))
    for p in block.collect_params().values():
        if p._data is None and p._deferred is not None and shapes.get(p.name):
            p._finish_deferred_init(tuple(shapes[p.name]))


class _LiveValues(dict):
    """A shape-only pass's parameter values: each parameter's own, once it is initialized.

    Under the pass's trace, reads see the concrete values and writes (state
    updates such as BatchNorm statistics) go to the discarded trace.
    """

    def __contains__(self, p: Any) -> bool:
        return p._data is not None

    def __getitem__(self, p: Any) -> Any:
        return p._data[0].jax


def _infer_shapes(block: HybridBlock, args: tuple) -> None:
    """Initializes deferred parameters with a shape-only forward in inference mode.

    The forward is traced by ``jax.eval_shape``, so no layer runs and no
    program is compiled; parameters initialize to concrete values as their
    shapes become known (see ``Parameter._init_now``).
    """
    leaves, tree = B.flatten_args(args)
    specs = [jax.ShapeDtypeStruct(tuple(a.shape), jnp.dtype(a.dtype)) for a in leaves]

    def shape_only(key, *xs):
        inputs = jax.tree_util.tree_unflatten(tree, B.wrap(list(xs)))
        with B.trace(_LiveValues(), key, False), _pause(False):
            block.forward(*inputs)  # the outputs are not needed

    jax.eval_shape(shape_only, B.key_spec(), *specs)


_pause = B.pause


class Sequential(Block):
    """Stacks Blocks sequentially (Gluon's ``nn.Sequential``).

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> net = nn.Sequential()
        >>> net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
        >>> net.initialize()
        >>> net(mx.nd.ones((3, 5))).shape
        (3, 2)
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks: Block) -> None:
        """Appends blocks."""
        for b in blocks:
            if not isinstance(b, Block):
                raise TypeError(
                    f"{type(self).__name__}.add: expected a Block; received {type(b).__name__}"
                )
            self.register_child(b)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Hybridizes the children; warns, as MXNet, when all of them are HybridBlocks."""
        if (
            not isinstance(self, HybridBlock)
            and self._children
            and all(isinstance(c, HybridBlock) for c in self._children.values())
        ):
            warnings.warn(
                f"All children of this Sequential layer '{self.prefix}' are HybridBlocks. "
                "Consider using HybridSequential for the best performance.",
                stacklevel=2,
            )
        super().hybridize(active, **kwargs)

    def forward(self, x: Any, *args: Any) -> Any:
        for block in self._children.values():
            x = block(x, *args)
            args = ()
            if isinstance(x, (list, tuple)) and len(x) == 1:
                x = x[0]
        return x

    def __getitem__(self, key):
        layers = list(self._children.values())[key]
        if isinstance(layers, list):
            net = type(self)(prefix=self._prefix)
            with net.name_scope():
                net.add(*layers)
            return net
        return layers

    def __len__(self) -> int:
        return len(self._children)

    def __iter__(self):
        return iter(self._children.values())


class HybridSequential(Sequential, HybridBlock):
    """Stacks HybridBlocks sequentially; hybridizes as one compiled function.

    Examples:
        >>> import mxjax as mx
        >>> from mxjax.gluon import nn
        >>> net = nn.HybridSequential()
        >>> net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
        >>> net.initialize()
        >>> net.hybridize()
        >>> net(mx.nd.ones((3, 5))).shape
        (3, 2)
    """

    def __init__(self, prefix: str | None = None, params: ParameterDict | None = None):
        HybridBlock.__init__(self, prefix=prefix, params=params)

    def forward(self, x: Any, *args: Any) -> Any:
        return Sequential.forward(self, x, *args)


__all__ += ["DeferredInitializationError"]
