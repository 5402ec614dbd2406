"""Gluon's ``Parameter`` and ``Constant`` over jax arrays (``ParameterDict``: ``parameter_dict``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import initializers
from mxjax._src.errors import CheckError
from mxjax._src.gluon import _bridge as B
from mxjax._src.nd.ndarray import storage_class
from mxjax._src.nd.sparse import pulled_rows  # also registers the sparse storage classes

__all__ = ["Constant", "DeferredInitializationError", "Parameter"]

_GRAD_REQS = ("write", "add", "null")
_STYPES = ("default", "row_sparse", "csr")


class DeferredInitializationError(RuntimeError):
    """Raised when a deferred-initialized Parameter is read before the first forward.

    Examples:
        >>> from mxjax import gluon
        >>> net = gluon.nn.Dense(2)
        >>> net.initialize()
        >>> try:
        ...     net.weight.data()
        ... except gluon.DeferredInitializationError:
        ...     print("not yet")
        not yet
    """


def _ctx_list(ctx: Any) -> list:
    if ctx is None:
        try:
            import mxjax.context as _c

            return [_c.current_context()]
        except ImportError:
            return [None]
    if isinstance(ctx, (list, tuple)):
        if not ctx:
            raise ValueError("initialize: ctx must be a context or a non-empty list of contexts")
        return list(ctx)
    return [ctx]


def _norm_shape(shape: Any) -> tuple[int, ...] | None:
    if shape is None:
        return None
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _dtype_type(dtype: Any) -> type:
    """The NumPy scalar type of ``dtype`` (``np.float32`` ...), as Gluon's ``Parameter.dtype``.

    64-bit types become 32-bit ones unless JAX's x64 mode is on (as ``nd.array``'s).
    """
    return np.dtype(jax.dtypes.canonicalize_dtype(jnp.dtype(dtype))).type


def _merge_shapes(old: Any, new: Any) -> tuple | None:
    """MXNet's ParameterDict.get shape merge: unknown dims (0/-1) take the other's; None if
    two known dims differ."""
    if old is None or new is None:
        return new if old is None else old
    if len(old) != len(new):
        return None
    out = []
    for a, b in zip(old, new):
        if a > 0 and b > 0 and a != b:
            return None
        out.append(a if a > 0 else b)
    return tuple(out)


def _known(shape) -> bool:
    return shape is not None and all(s > 0 for s in shape)


class Parameter:
    """A named array of a Block, replicated on one or more contexts (Gluon's Parameter).

    Args:
        name: the parameter's full name (``dense0_weight``).
        grad_req: ``'write'``, ``'add'`` or ``'null'``.
        shape: the shape; ``0`` or None entries are inferred at the first forward.
        dtype: the dtype; :attr:`dtype` holds it as a NumPy type (``np.float32``).
        lr_mult: learning-rate multiplier used by the Trainer.
        wd_mult: weight-decay multiplier used by the Trainer.
        init: this parameter's own initializer (wins over the global one).
        allow_deferred_init: allow initialization to wait for an unknown shape.
        differentiable: False forces ``grad_req='null'``.
        stype: storage type of the data: ``'default'``, ``'row_sparse'`` or
            ``'csr'`` (sparse arrays are containers over dense values, see
            ``mx.nd.sparse``); a ``'row_sparse'`` parameter is read with
            :meth:`row_sparse_data` once a Trainer holds it.
        grad_stype: storage type of the gradient (``'row_sparse'`` for
            ``Embedding(sparse_grad=True)``).

    Examples:
        >>> import mxjax as mx
        >>> p = mx.gluon.Parameter("w", shape=(2, 3), init=mx.init.One())
        >>> p.initialize()
        >>> p.data().asnumpy().tolist()
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """

    def __init__(
        self,
        name: str,
        grad_req: str = "write",
        shape: Any = None,
        dtype: Any = np.float32,
        lr_mult: float = 1.0,
        wd_mult: float = 1.0,
        init: Any = None,
        allow_deferred_init: bool = False,
        differentiable: bool = True,
        stype: str = "default",
        grad_stype: str = "default",
    ):
        if not isinstance(name, str):
            raise TypeError(f"Parameter: name must be a str; received {type(name).__name__}")
        for what, st in (("stype", stype), ("grad_stype", grad_stype)):
            if st not in _STYPES:
                raise CheckError(
                    f"Parameter {name!r}: {what} must be one of {_STYPES}; received {st!r}"
                )
        self._stype, self._grad_stype = stype, grad_stype
        self._trainer = None
        self._var = None
        self.name = name
        self._shape = _norm_shape(shape)
        self.dtype = _dtype_type(dtype if dtype is not None else np.float32)
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.init = init
        self.allow_deferred_init = allow_deferred_init
        self._differentiable = differentiable
        self._grad_req = "null"
        self._data: list | None = None
        self._ctx: list | None = None
        self._deferred: tuple | None = None
        self._seen_grads: list | None = None
        self.grad_req = grad_req if differentiable else "null"

    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...] | None:
        """The shape (``0`` marks an unknown dimension until the first forward)."""
        return self._shape

    @shape.setter
    def shape(self, new_shape: Any) -> None:
        new_shape = _norm_shape(new_shape)
        if self._shape is not None and new_shape is not None:
            ok = len(self._shape) == len(new_shape) and all(
                a in (0, -1, b) for a, b in zip(self._shape, new_shape)
            )
            if not ok:
                raise ValueError(
                    f"Parameter {self.name!r}: expected shape {self._shape} (0 = unknown); "
                    f"received incompatible shape {new_shape}"
                )
        self._shape = new_shape

    @property
    def grad_req(self) -> str:
        """``'write'``, ``'add'`` or ``'null'``."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in _GRAD_REQS:
            raise ValueError(
                f"Parameter {self.name!r}: grad_req must be one of {_GRAD_REQS}; received {req!r}"
            )
        if not self._differentiable:
            req = "null"
        self._grad_req = req
        if self._data is not None:
            for d in self._data:
                self._attach(d)

    def _attach(self, arr) -> None:
        if self._grad_req != "null" and hasattr(arr, "attach_grad"):
            arr.attach_grad(self._grad_req, stype=self._grad_stype)

    @property
    def _grad(self) -> list | None:
        """The gradient arrays on every context (None without data or with ``grad_req='null'``)."""
        if self._data is None or self._grad_req == "null":
            return None
        return [d.grad for d in self._data]

    def _set_trainer(self, trainer: Any) -> None:
        """Records the Trainer that updates this parameter (one Trainer per sparse parameter)."""
        if self._stype != "default" and self._trainer not in (None, trainer) and trainer:
            raise RuntimeError(
                f"Failed to set the trainer for Parameter {self.name!r} because it was already "
                f"set. More than one trainers for a {self._stype} Parameter is not supported."
            )
        self._trainer = trainer

    # -------------------------------------------------------------- initialization
    def initialize(
        self,
        init: Any = None,
        ctx: Any = None,
        default_init: Any = None,
        force_reinit: bool = False,
    ) -> None:
        """Initializes the data (Gluon's precedence: ``init`` > ``self.init`` > ``default_init``).

        As in MXNet's Gluon, the chosen initializer fills the whole array whatever
        the parameter's name (``x``, ``fc_bias`` ...): name suffix rules apply only
        to initializers of the functional core (:func:`mxjax.init.init_param`).
        ``Block.initialize(init)`` passes ``init`` as ``default_init``, so a
        parameter's own initializer (``bias_initializer='zeros'``) wins there.

        Args:
            init: the initializer for this call (wins over ``self.init``).
            ctx: a context or a list of contexts to replicate on.
            default_init: used when neither ``init`` nor ``self.init`` is given;
                ``Uniform(0.07)`` if None.
            force_reinit: re-initialize an initialized parameter.

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("x", shape=(2,))
            >>> p.initialize(init=mx.init.Zero())
            >>> p.data().asnumpy().tolist()
            [0.0, 0.0]
        """
        if self._data is not None and not force_reinit:
            return
        self._data = None
        ctxs = _ctx_list(ctx)
        if default_init is None:
            default_init = initializers.Uniform(0.07)
        if init is None:
            init = self.init if self.init is not None else default_init
        glob = init
        if not _known(self._shape):
            if not self.allow_deferred_init:
                raise ValueError(
                    f"Parameter {self.name!r}: cannot initialize with unknown shape "
                    f"{self._shape}; give the full shape or allow_deferred_init=True"
                )
            self._deferred = (glob, ctxs)
            return
        self._init_now(glob, ctxs)

    def _init_now(self, init: Any, ctxs: list) -> None:
        # A host generator, not a JAX key: initial values are drawn with NumPy (nothing
        # compiles per shape) and stay reproducible under mx.random.seed.
        # Concrete values even when the shape became known inside a trace (a hybridized
        # block's shape-only pass): the parameter must not hold a tracer afterwards.
        with jax.ensure_compile_time_eval():
            value = initializers.create(init)(B.new_host_rng(), self._shape, self.dtype)
            self._deferred = None
            self._set_all(value, ctxs)

    def _finish_deferred_init(self, shape: tuple[int, ...]) -> None:
        """Completes a deferred initialization once the shape is known."""
        self.shape = shape
        if self._deferred is not None and self._data is None:
            glob, ctxs = self._deferred
            self._init_now(glob, ctxs)

    def _set_all(self, value: Any, ctxs: list | None = None) -> None:
        ctxs = ctxs if ctxs is not None else self._ctx
        value = jnp.asarray(value)
        self._ctx = list(ctxs)
        self._data = []
        for c in self._ctx:
            # Commit the value to the context's device: a jitted step then sees the
            # same placement on its first and later calls (no second compilation).
            dev = getattr(c, "jax_device", None)
            arr = B.wrap(jax.device_put(value, dev) if dev is not None else value, c)
            if self._stype != "default":
                arr.__class__ = storage_class(self._stype, "Parameter")
            self._attach(arr)
            self._data.append(arr)
        self._seen_grads = None
        trainer = self._trainer
        if trainer is not None and trainer._kv_initialized and trainer._update_on_kvstore:
            if self not in trainer._params_to_init:
                trainer._reset_kvstore()  # new values: the store must be set up again (MXNet)

    # ------------------------------------------------------------------- accessors
    def _check_initialized(self) -> None:
        if self._data is not None:
            return
        if self._deferred is not None:
            raise DeferredInitializationError(
                f"Parameter {self.name!r} has not been initialized yet because initialization "
                "was deferred. Actual initialization happens during the first forward pass. "
                "Please pass one batch of data through the network before accessing Parameters."
            )
        raise RuntimeError(
            f"Parameter {self.name!r} has not been initialized. Note that you should initialize "
            "parameters and create Trainer with Block.collect_params() instead of Block.params "
            "because the later does not include Parameters of nested child Blocks"
        )

    def _index(self, ctx: Any) -> int:
        if len(self._data) == 1:
            return 0
        if ctx is None:
            import mxjax.context as _c

            ctx = _c.current_context()
            return self._ctx.index(ctx) if ctx in self._ctx else 0
        for i, c in enumerate(self._ctx):
            if c == ctx:
                return i
        raise RuntimeError(
            f"Parameter {self.name!r} was not initialized on context {ctx}; it lives on {self._ctx}"
        )

    def data(self, ctx: Any = None):
        """The NDArray on ``ctx`` (the first context if None).

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("w", shape=(1,), init=mx.init.Constant(3.0))
            >>> p.initialize()
            >>> float(p.data().asscalar())
            3.0
        """
        tr = B.current_trace()
        if tr is not None and self in tr.values:
            return B.wrap(tr.updates.get(self, tr.values[self]))
        self._check_dense("data", ctx)
        return self._check_and_get(self._data, ctx)

    def _check_dense(self, what: str, ctx: Any = None) -> None:
        if self._stype != "default":
            raise RuntimeError(
                f"Cannot return a copy of Parameter {self.name!r} on ctx {ctx} via {what}() "
                f"because its storage type is {self._stype}. Please use row_sparse_data() "
                "instead."
            )

    def _check_and_get(self, arr_list: list | None, ctx: Any):
        """The array of ``arr_list`` on ``ctx`` (all of them if ``ctx is list``), as MXNet's."""
        if arr_list is None:
            self._check_initialized()
        if ctx is list:
            return list(arr_list)
        return arr_list[self._index(ctx)]

    def list_data(self) -> list:
        """The NDArrays on every context.

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("fc_weight", shape=(1,))
            >>> p.initialize(ctx=[mx.cpu(0)])
            >>> len(p.list_data())
            1
        """
        self._check_dense("list_data")
        return self._check_and_get(self._data, list)

    def row_sparse_data(self, row_id: Any):
        """The rows ``row_id`` of a ``'row_sparse'`` parameter (others zero), on ``row_id``'s context.

        As MXNet's (the parameter's storage after a ``row_sparse_pull``), the
        result carries the parameter's gradient: a forward recorded through it
        and ``backward()`` fill :meth:`grad`, and ``Trainer.step`` updates the
        weight. The parameter must be held by a Trainer.

        Raises:
            RuntimeError: for a dense parameter, or before a Trainer holds it.
            TypeError: ``row_id`` is not an NDArray.

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("w", shape=(3, 2), stype="row_sparse",
            ...                        grad_stype="row_sparse", init=mx.init.One())
            >>> p.initialize()
            >>> trainer = mx.gluon.Trainer([p], "sgd")
            >>> w = p.row_sparse_data(mx.nd.array([0, 2]))
            >>> w.stype, w.asnumpy().tolist()
            ('row_sparse', [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
            >>> with mx.autograd.record():
            ...     y = mx.nd.Embedding(mx.nd.array([0, 2, 2]), w, input_dim=3, output_dim=2,
            ...                         sparse_grad=True)
            >>> y.backward()
            >>> p.grad().stype, p.grad().asnumpy().tolist()
            ('row_sparse', [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]])
        """
        return self._get_row_sparse("row_sparse_data", row_id, row_id.context)

    def list_row_sparse_data(self, row_id: Any) -> list:
        """:meth:`row_sparse_data` on every context of the parameter, in :meth:`list_ctx` order.

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("w", shape=(2, 2), stype="row_sparse")
            >>> p.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
            >>> trainer = mx.gluon.Trainer([p], "sgd")
            >>> len(p.list_row_sparse_data(mx.nd.array([1])))
            2
        """
        return self._get_row_sparse("list_row_sparse_data", row_id, list)

    def _get_row_sparse(self, what: str, row_id: Any, ctx: Any):
        if self._stype != "row_sparse":
            raise RuntimeError(
                f"Cannot return copies of Parameter {self.name!r} via {what}() because its "
                f"storage type is {self._stype}. Please use data() instead."
            )
        if not B.is_ndarray(row_id):
            raise TypeError(f"{what}: row_id must be an NDArray; received {type(row_id).__name__}")
        if self._trainer is None:
            raise RuntimeError(
                f"Cannot get row_sparse data for Parameter {self.name!r} when no Trainer is "
                "created with it."
            )
        if ctx is list:
            return [pulled_rows(_with_stype(a, "row_sparse"), row_id) for a in self._data]
        return pulled_rows(_with_stype(self._check_and_get(self._data, ctx), "row_sparse"), row_id)

    def grad(self, ctx: Any = None):
        """The gradient NDArray on ``ctx``.

        Raises:
            RuntimeError: when ``grad_req='null'``.

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("fc_weight", shape=(2,), init="zeros")
            >>> p.initialize()
            >>> p.grad().asnumpy().tolist()
            [0.0, 0.0]
        """
        self._check_initialized()
        if self._grad_req == "null":
            raise RuntimeError(
                f"Cannot get gradient array for Parameter {self.name!r} because grad_req='null'"
            )
        return _with_stype(self._data[self._index(ctx)].grad, self._grad_stype)

    def list_grad(self) -> list:
        """The gradients on every context."""
        return [self.grad(c) for c in self.list_ctx()]

    def list_ctx(self) -> list:
        """The contexts this parameter lives on."""
        if self._data is None:
            if self._deferred is not None:
                return list(self._deferred[1])
            self._check_initialized()
        return list(self._ctx)

    def set_data(self, data: Any) -> None:
        """Sets the value on every context (shape must match).

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("fc_weight", shape=(2,), init="zeros")
            >>> p.initialize()
            >>> p.set_data(mx.nd.array([1, 2]))
            >>> p.data().asnumpy().tolist()
            [1.0, 2.0]
        """
        value = B.as_jnp(data)
        tr = B.current_trace()
        if tr is not None and self in tr.values:
            tr.updates[self] = value.astype(tr.values[self].dtype)
            return
        self.shape = value.shape
        if self._data is None:
            if self._deferred is None:
                self._check_initialized()
            ctxs = self._deferred[1]
            self._deferred = None
            self._set_all(value.astype(self.dtype), ctxs)
            return
        self._set_all(value.astype(self.dtype))

    def _set_values(self, values: list) -> None:
        """Writes new per-context values in place, keeping attached gradients (Trainer)."""
        for arr, v in zip(self._data, values):
            dev = next(iter(arr.jax.devices()))
            if next(iter(v.devices())) != dev:
                v = jax.device_put(v, dev)
            B.assign(arr, v)

    def zero_grad(self) -> None:
        """Sets the gradients to zero (for ``grad_req='add'``)."""
        if self._data is None or self._grad_req == "null":
            return
        for d in self._data:
            _copy_grad(d, B.wrap(jnp.zeros(d.shape, d.dtype)))

    def reset_ctx(self, ctx: Any) -> None:
        """Moves the data to new context(s).

        Examples:
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("fc_weight", shape=(2,), init="zeros")
            >>> p.initialize()
            >>> p.reset_ctx(mx.cpu(0))
            >>> p.list_ctx()
            [cpu(0)]
        """
        ctxs = _ctx_list(ctx)
        if self._data is None:
            if self._deferred is not None:
                self._deferred = (self._deferred[0], ctxs)
                return
            self._check_initialized()
        self._set_all(self._data[0].jax, ctxs)

    def cast(self, dtype: Any) -> None:
        """Casts the data (and gradient) to ``dtype``.

        Examples:
            >>> import numpy as np
            >>> import mxjax as mx
            >>> p = mx.gluon.Parameter("fc_weight", shape=(2,), init="zeros")
            >>> p.initialize()
            >>> p.cast("float16")
            >>> p.dtype is np.float16, p.data().asnumpy().dtype.name
            (True, 'float16')
        """
        self.dtype = _dtype_type(dtype)
        if self._data is not None:
            self._set_all(self._data[0].jax.astype(self.dtype))

    def var(self):
        """The ``mx.sym`` variable of this parameter (name, shape, dtype, multipliers, stype).

        Examples:
            >>> import mxjax as mx
            >>> v = mx.gluon.Parameter("w", shape=(2, 3)).var()
            >>> v.name, v.attr("__shape__")
            ('w', '(2, 3)')
        """
        if self._var is None:
            from mxjax._src.symbol.graph import var

            self._var = var(
                self.name,
                shape=self.shape,
                dtype=self.dtype,
                lr_mult=self.lr_mult,
                wd_mult=self.wd_mult,
                init=self.init,
                stype=self._stype,
            )
        return self._var

    def _value(self, ctx: Any = None):
        """The jax value (traced inside a hybridized call)."""
        return B.to_jax(self.data(ctx))


def _with_stype(arr: Any, stype: str) -> Any:
    """``arr`` itself, seen again as storage type ``stype`` (a deferred update computes a dense one)."""
    if stype != "default" and arr.stype != stype:
        B.to_jax(arr)  # computes a deferred value (the array becomes a plain NDArray)
        arr.__class__ = storage_class(stype, "Parameter")
    return arr


def _copy_grad(arr, g) -> None:
    """Writes ``g`` into ``arr.grad`` in place."""
    B.assign(arr.grad, B.to_jax(g))


class Constant(Parameter):
    """A Parameter with a fixed value and ``grad_req='null'``.

    Examples:
        >>> import mxjax as mx
        >>> c = mx.gluon.Constant("c", [1.0, 2.0])
        >>> c.initialize()
        >>> c.data().asnumpy().tolist()
        [1.0, 2.0]
    """

    def __init__(self, name: str, value: Any):
        value = np.asarray(B.to_jax(value) if not isinstance(value, np.ndarray) else value)
        if value.dtype == np.float64:
            value = value.astype(np.float32)
        self.value = value
        super().__init__(
            name,
            grad_req="null",
            shape=value.shape,
            dtype=value.dtype,
            init=initializers._Value(value),
            differentiable=False,
        )

    @Parameter.grad_req.setter
    def grad_req(self, req: str) -> None:
        if req != "null":
            raise ValueError(f"Constant {self.name!r}: grad_req must be 'null'; received {req!r}")
        self._grad_req = "null"
