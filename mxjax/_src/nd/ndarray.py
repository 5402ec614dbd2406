"""The facade's ``NDArray``: a thin, mutable handle on one ``jax.Array``.

This is a leaf module: it imports nothing from autograd, the deferred graphs
or the dispatcher. Operators on an NDArray call the installed dispatcher
(:func:`set_dispatch`, done once by ``mxjax._src.dispatch``), which decides
how to run them; the ``nd`` namespace registers its array methods
(``x.relu()``) with :func:`register_methods`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src import context as _ctx
from mxjax._src.errors import AutogradError
from mxjax._src.host_random import copy_array
from mxjax._src.io import params as _params
from mxjax._src.nd import _fns as F
from mxjax._src.nd._mode import _state
from mxjax._src.nd.shape import infer_reshape

__all__ = [
    "NDArray",
    "from_jax",
    "register_methods",
    "register_storage",
    "set_dispatch",
    "storage_class",
]
_INPLACE = (
    "Assigning to NDArrays that are already in a computational graph will cause undefined "
    "behavior when evaluating gradients. Please call backward first to clear the graph or do "
    "this out of a record section. (in-place operation on an array that {why})"
)


class NDArray:
    """An n-dimensional array on a device, MXNet style, backed by a ``jax.Array``.

    ``NDArray(data)`` wraps ``data`` without copying; :attr:`jax` returns it.
    NDArrays flow into ``jax.numpy`` functions (``__jax_array__``) and are
    pytrees whose single leaf is the ``jax.Array``.

    Args:
        data: a ``jax.Array`` (NumPy arrays and Python scalars are converted).

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import nd
        >>> x = nd.array([[1, 2]])
        >>> x
        <BLANKLINE>
        [[1. 2.]]
        <NDArray 1x2 @cpu(0)>
        >>> float(jnp.sum(x))
        3.0
    """

    __slots__ = (
        "_data",
        "_entry",
        "_grad",
        "_grad_req",
        "_fresh",
        "_lazy",
        "_ctx",
        "_view",
        "__weakref__",
    )
    __array_priority__ = 1000.0

    def __init__(self, data):
        if type(data) is np.ndarray:
            # device_put, not jnp.asarray: on JAX >= 0.10 the latter compiles a program per shape.
            data = jax.device_put(data)
        elif isinstance(data, (np.ndarray, np.generic, int, float, bool, list, tuple)):
            data = jnp.asarray(data)
        self._data = data
        self._entry = None
        self._grad = None
        self._grad_req = None
        self._fresh = False
        self._ctx = None
        self._view = None  # (parent, key, shape): basic-index result that writes through

    # ------------------------------------------------------------------ basics
    @property
    def jax(self) -> jax.Array:
        """The underlying ``jax.Array`` (no copy)."""
        return self._data

    def __jax_array__(self):
        return self._data

    @property
    def shape(self) -> tuple:
        """The shape as a tuple of ints."""
        return tuple(self._data.shape)

    @property
    def dtype(self):
        """The NumPy scalar type (``numpy.float32``, ...), as in MXNet."""
        return np.dtype(self._data.dtype).type

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(self._data.size)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    @property
    def stype(self) -> str:
        """Storage type; always ``'default'`` (dense)."""
        return "default"

    @property
    def context(self) -> _ctx.Context:
        """The :class:`~mxjax.context.Context` holding the data.

        The context the array was placed on (``cpu(1)``, ``cpu_pinned(0)``), else
        the one naming its device.
        """
        label = getattr(self, "_ctx", None)
        if label is not None:
            return label
        if isinstance(self._data, jax.core.Tracer):
            # no committed device inside jit/vmap/grad; asking raises an error whose
            # message JAX builds by walking the whole trace (most of a large network's
            # tracing time)
            return _ctx.current_context()
        try:
            devs = self._data.devices()
        except Exception:
            return _ctx.current_context()
        return _ctx.context_of_device(next(iter(devs)))

    ctx = context

    @property
    def T(self) -> NDArray:
        """The transpose (reversed axes)."""
        return _apply(jnp.transpose, self)

    @property
    def grad(self) -> NDArray | None:
        """The gradient buffer set up by :meth:`attach_grad` (None before)."""
        return self._grad

    @property
    def _fresh_grad(self) -> bool:
        return self._fresh

    @_fresh_grad.setter
    def _fresh_grad(self, value: bool) -> None:
        self._fresh = bool(value)

    def asnumpy(self) -> np.ndarray:
        """Copies the data into a new NumPy array."""
        return np.array(self._data)

    def asscalar(self):
        """The value of a size-1 array as a NumPy scalar.

        Raises:
            ValueError: if the array has more than one element.
        """
        if self.size != 1:
            raise ValueError(
                f"NDArray.asscalar: the array must have exactly one element, got shape {self.shape}"
            )
        return self.asnumpy().reshape(())[()]

    def astype(self, dtype, copy: bool = True) -> NDArray:
        """Returns the array cast to ``dtype`` (self when ``copy=False`` and unchanged)."""
        dtype = np.dtype(dtype)
        if not copy and dtype == self._data.dtype:
            return self
        return _apply(F.astype, self, dtype)

    def as_in_context(self, context) -> NDArray:
        """Returns the array on ``context`` (self if it already lives there)."""
        if context == self.context:
            return self
        return self.copyto(context)

    as_in_ctx = as_in_context

    def copyto(self, other):
        """Copies into another NDArray (returned) or onto a context (a new array)."""
        if isinstance(other, _ctx.Context):
            dev = other.jax_device
            out = _apply(lambda a: jax.device_put(a, dev), self)
            if other != _ctx.context_of_device(dev):
                out._ctx = other  # cpu(1) on a 1-device host, cpu_pinned(0) ...
            if self.stype != "default":
                out.__class__ = storage_class(self.stype, "NDArray.copyto")
            return out
        if isinstance(other, NDArray):
            if other is self:
                return self
            if other.shape != self.shape:
                raise ValueError(
                    f"NDArray.copyto: shape mismatch, source {self.shape} vs target {other.shape}"
                )
            _check_inplace(other)
            dev = next(iter(other._data.devices()))
            other._data = jax.device_put(self._data.astype(other._data.dtype), dev)
            other._entry = None
            other._write_back()
            return other
        raise TypeError(f"NDArray.copyto: expected an NDArray or Context, got {type(other)}")

    def copy(self) -> NDArray:
        """A copy on the same context, of the same storage type."""
        data = self._data
        if _state.recording or isinstance(data, jax.core.Tracer):
            out = _apply(jnp.copy, self)
        else:  # nothing to record: a new buffer, without a program per shape
            out = NDArray(copy_array(data))
        out._ctx = self._ctx
        if self.stype != "default":
            out.__class__ = storage_class(self.stype, "NDArray.copy")
        return out

    def detach(self) -> NDArray:
        """The same data, cut from the computational graph."""
        return type(self)(self._data)

    def __reduce__(self):
        # pickles and copies keep the data only (no tape entry or gradient), as MXNet's
        return (NDArray, (self._data,))

    def __getstate__(self) -> dict:
        """MXNet's pickle state: ``{'handle': bytes}`` in MXNet's raw NDArray format."""
        return {"handle": bytearray(_params.array_to_bytes(np.asarray(self._data)))}

    def __setstate__(self, state: dict) -> None:
        """Restores from MXNet's pickle state (also one saved by MXNet, any context)."""
        buf = state.get("handle") if isinstance(state, dict) else None
        if buf is None:
            raise ValueError("NDArray.__setstate__: state must be a dict with a 'handle' entry")
        _check_inplace(self)
        a = _params.array_from_bytes(buf)
        self._data = jax.device_put(np.zeros((0,), np.float32) if a is None else a)
        self._entry = None

    def to_dlpack_for_read(self):
        """A DLPack capsule viewing the data (zero-copy); see :func:`mxjax.nd.to_dlpack_for_read`."""
        self.wait_to_read()
        return self._data.__dlpack__()

    def to_dlpack_for_write(self):
        """A DLPack capsule of the data; JAX arrays are immutable, so writes through it are
        not seen by this array (see the "Differences from MXNet" page)."""
        return self.to_dlpack_for_read()

    def wait_to_read(self) -> None:
        """Blocks until the data is computed."""
        jax.block_until_ready(self._data)

    def tostype(self, stype: str) -> NDArray:
        """A copy in storage type ``stype``: ``'default'``, ``'row_sparse'`` or ``'csr'``.

        Sparse arrays are API-compatible containers over dense values
        (``mxjax.nd.sparse``); operators treat them as dense arrays.

        Examples:
            >>> from mxjax import nd
            >>> nd.ones((2, 2)).tostype("csr").stype
            'csr'
        """
        cls = storage_class(stype, "NDArray.tostype")
        res = _apply(jnp.copy, self)
        return res if cls is NDArray else cls(res._data)

    def attach_grad(self, grad_req: str = "write", stype=None) -> None:
        """Allocates a zero gradient buffer and marks the array as a variable.

        Args:
            grad_req: ``'write'`` (overwrite), ``'add'`` (accumulate) or ``'null'``.
            stype: the gradient's storage type (None: the array's own).
        """
        if grad_req not in ("write", "add", "null"):
            raise ValueError(
                f"NDArray.attach_grad: grad_req must be 'write', 'add' or 'null', got {grad_req!r}"
            )
        cls = type(self) if stype is None else storage_class(stype, "NDArray.attach_grad")
        self._grad = cls(_zeros_like(self._data))
        self._grad_req = grad_req
        self._entry = None

    def backward(self, out_grad=None, retain_graph: bool = False, train_mode: bool = True):
        """Backpropagates from this array; see :func:`mxjax.autograd.backward`."""
        _backward([self], None if out_grad is None else [out_grad], retain_graph, train_mode)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape, reverse: bool = False, **kwargs) -> NDArray:
        """Reshapes with MXNet's codes (0 copy, -1 infer, -2 rest, -3 merge, -4 split)."""
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        if kwargs:
            raise TypeError(f"NDArray.reshape: unexpected arguments {sorted(kwargs)}")
        new = infer_reshape(self.shape, tuple(shape), reverse)
        return _apply(jnp.reshape, self, new)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d NDArray")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        n = self.size
        if n == 0:
            return False
        if n == 1:
            return bool(self.asnumpy().reshape(()))
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self._data)
        return a if dtype is None else a.astype(dtype)

    def __dlpack__(self, *args, **kwargs):
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __repr__(self) -> str:
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()}\n<NDArray {shape} @{self.context}>"

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key) -> NDArray:
        key = _index(key)
        out = _apply(F.getitem, self, key)
        shape = out.shape
        if out.ndim == 0:
            out = _apply(F.reshape1, out)
        if _is_basic(key) and not _state.recording and type(out) is NDArray:
            # MXNet returns a view for basic indexing: writes into ``out`` reach ``self``
            out._view = (self, key, shape)
        return out

    def __setitem__(self, key, value) -> None:
        _check_inplace(self)
        key = _index(key)
        v = value._data if isinstance(value, NDArray) else value
        self._data = F.setitem(self._data, key, v)
        self._entry = None
        self._write_back()

    @staticmethod
    def _basic_indexing_slice_is_contiguous(slc_key, shape) -> bool:
        """Whether slicing an array of ``shape`` with ``slc_key`` (one slice per axis) selects
        one contiguous block in C order (MXNet's helper; NumPy's ``flags.contiguous``).

        Examples:
            >>> from mxjax import nd
            >>> nd.NDArray._basic_indexing_slice_is_contiguous((slice(1, 2), slice(None)), (3, 4))
            True
            >>> nd.NDArray._basic_indexing_slice_is_contiguous((slice(None), slice(1, 3)), (3, 4))
            False
        """
        ranges = [range(*k.indices(n)) for k, n in zip(slc_key, shape)]
        lens = [len(r) for r in ranges]
        if int(np.prod(lens)) <= 1:
            return True
        first = next(i for i, n in enumerate(lens) if n > 1)  # earlier axes select one index
        if ranges[first].step != 1:
            return False
        return all(
            n == d and (n == 1 or r.step == 1)
            for r, n, d in zip(ranges[first + 1 :], lens[first + 1 :], shape[first + 1 :])
        )

    def _write_back(self) -> None:
        """After an in-place write: writes the new value into the array this one was indexed from.

        ``x[1][0] = v`` changes ``x`` as in MXNet, whose basic indexing returns views.
        Only writes travel: the parent's later writes are not seen by the result.
        """
        view = getattr(self, "_view", None)  # lazy arrays are made without __init__
        if view is not None:
            parent, key, shape = view
            parent[key] = NDArray(self._data.reshape(shape))

    # ------------------------------------------------------------------ operators
    def __neg__(self):
        return _apply(jnp.negative, self)

    def __abs__(self):
        return _apply(jnp.abs, self)

    def __add__(self, o):
        return _apply(F.add, self, o)

    def __radd__(self, o):
        return _apply(F.add, o, self)

    def __sub__(self, o):
        return _apply(F.sub, self, o)

    def __rsub__(self, o):
        return _apply(F.sub, o, self)

    def __mul__(self, o):
        return _apply(F.mul, self, o)

    def __rmul__(self, o):
        return _apply(F.mul, o, self)

    def __truediv__(self, o):
        return _apply(F.div, self, o)

    def __rtruediv__(self, o):
        return _apply(F.div, o, self)

    def __floordiv__(self, o):
        return _apply(F.floordiv, self, o)

    def __rfloordiv__(self, o):
        return _apply(F.floordiv, o, self)

    def __mod__(self, o):
        return _apply(F.mod, self, o)

    def __rmod__(self, o):
        return _apply(F.mod, o, self)

    def __pow__(self, o):
        return _apply(F.power, self, o)

    def __rpow__(self, o):
        return _apply(F.power, o, self)

    def __matmul__(self, o):
        return _apply(jnp.matmul, self, o)

    def __eq__(self, o):  # type: ignore[override]
        return _apply(F.cmp, self, o, "eq")

    def __ne__(self, o):  # type: ignore[override]
        return _apply(F.cmp, self, o, "ne")

    def __lt__(self, o):
        return _apply(F.cmp, self, o, "lt")

    def __le__(self, o):
        return _apply(F.cmp, self, o, "le")

    def __gt__(self, o):
        return _apply(F.cmp, self, o, "gt")

    def __ge__(self, o):
        return _apply(F.cmp, self, o, "ge")

    def _inplace(self, fn, o):
        _check_inplace(self)
        r = fn(self._data, o._data if isinstance(o, NDArray) else o)
        if r.shape != self._data.shape:
            raise ValueError(
                f"NDArray: in-place operation cannot change the shape {self.shape} of the "
                f"target; the result has shape {tuple(r.shape)}"
            )
        self._data = r.astype(self._data.dtype)
        self._entry = None
        self._write_back()
        return self

    def __iadd__(self, o):
        return self._inplace(F.add, o)

    def __isub__(self, o):
        return self._inplace(F.sub, o)

    def __imul__(self, o):
        return self._inplace(F.mul, o)

    def __itruediv__(self, o):
        return self._inplace(F.div, o)

    def __imod__(self, o):
        return self._inplace(F.mod, o)

    # ------------------------------------------------------------------ reductions
    def _reduce(self, name, axis=None, keepdims=False, exclude=False):
        return _apply(F.reduce, self, name, F.norm_axis(axis, self.ndim, exclude), keepdims)

    def sum(self, axis=None, keepdims=False, exclude=False):
        """Sum over ``axis`` (all axes if None; all but ``axis`` if ``exclude``)."""
        return self._reduce("sum", axis, keepdims, exclude)

    def mean(self, axis=None, keepdims=False, exclude=False):
        """Mean over ``axis``; see :meth:`sum`."""
        return self._reduce("mean", axis, keepdims, exclude)

    def max(self, axis=None, keepdims=False, exclude=False):
        """Maximum over ``axis``; see :meth:`sum`."""
        return self._reduce("max", axis, keepdims, exclude)

    def min(self, axis=None, keepdims=False, exclude=False):
        """Minimum over ``axis``; see :meth:`sum`."""
        return self._reduce("min", axis, keepdims, exclude)

    def prod(self, axis=None, keepdims=False, exclude=False):
        """Product over ``axis``; see :meth:`sum`."""
        return self._reduce("prod", axis, keepdims, exclude)

    def argmax(self, axis=None, keepdims=False, out=None):
        """Indices of maxima along ``axis`` as float32 (MXNet's convention), into ``out`` if given.

        ``numpy.argmax(x, axis)`` calls this method, so it returns an NDArray too.
        """
        res = NDArray(F.argreduce(self._data, "max", axis, keepdims))
        return res if out is None else res.copyto(out)

    def argmin(self, axis=None, keepdims=False, out=None):
        """Indices of minima along ``axis`` as float32 (MXNet's convention), into ``out`` if given.

        ``numpy.argmin(x, axis)`` calls this method, so it returns an NDArray too.
        """
        res = NDArray(F.argreduce(self._data, "min", axis, keepdims))
        return res if out is None else res.copyto(out)

    def norm(self, ord=2, axis=None, keepdims=False):  # noqa: A002
        """The L1 or L2 norm over ``axis`` (all elements if None)."""
        if ord not in (1, 2):
            raise ValueError(f"NDArray.norm: ord must be 1 or 2, got {ord!r}")
        return _apply(F.norm, self, ord, F.norm_axis(axis, self.ndim, False), keepdims)

    def __getattr__(self, name):
        # The rest of the ``nd`` namespace as methods (x.relu(), x.flatten(), ...).
        if name.startswith("_"):
            raise AttributeError(name)
        fn = _METHODS.get(name)
        if fn is None:
            raise AttributeError(f"'NDArray' object has no attribute {name!r}")
        return lambda *a, **k: fn(self, *a, **k)


def _check_inplace(arr: NDArray) -> None:
    if _state.recording:
        if arr._entry is not None:
            raise AutogradError(_INPLACE.format(why="was computed while recording"))
        if arr._grad_req is not None:
            raise AutogradError(_INPLACE.format(why="has an attached gradient"))


def _is_basic(key) -> bool:
    """Whether ``key`` is basic indexing (ints, slices, ``...``, None), as MXNet defines it."""
    keys = key if isinstance(key, tuple) else (key,)
    return all(
        k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))
        for k in keys
        if not isinstance(k, bool)
    ) and not any(isinstance(k, bool) for k in keys)


def _index_part(k):
    """One index entry: NDArrays become int32 arrays and lists NumPy arrays (MXNet and NumPy
    read ``x[[0, 2]]`` as advanced indexing; JAX refuses plain lists)."""
    if isinstance(k, NDArray):
        return k._data.astype(jnp.int32)
    if isinstance(k, list):
        return np.asarray(k)
    return k


def _index(key):
    if isinstance(key, tuple):
        return tuple(_index_part(k) for k in key)
    return _index_part(key)


def from_jax(a) -> NDArray:
    """Wraps a ``jax.Array`` without copying or changing its dtype.

    Examples:
        >>> import jax.numpy as jnp
        >>> from mxjax import nd
        >>> nd.from_jax(jnp.arange(3)).dtype
        <class 'numpy.int32'>
    """
    return NDArray(a)


jax.tree_util.register_pytree_node(
    NDArray, lambda x: ((x._data,), None), lambda _, children: NDArray(children[0])
)


# ----------------------------------------------------------------------------- hooks
def _eager_apply(fn, *inputs):
    """Runs ``fn`` on the arrays inside ``inputs`` now (the dispatcher before one is installed)."""
    out = fn(*(a._data if isinstance(a, NDArray) else a for a in inputs))
    if isinstance(out, (tuple, list)):
        return tuple(NDArray(o) for o in out)
    return NDArray(out)


def _no_backward(*args, **kwargs):
    raise AutogradError("NDArray.backward: no dispatcher is installed (import mxjax first)")


_apply = _eager_apply
_backward = _no_backward
_METHODS: dict = {}


_STORAGE: dict = {}  # stype -> NDArray subclass, filled by mxjax._src.nd.sparse


def register_storage(stype: str, cls: type) -> None:
    """Registers the NDArray subclass of a sparse storage type (``mxjax._src.nd.sparse`` does).

    Examples:
        >>> from mxjax._src.nd import ndarray
        >>> from mxjax import nd
        >>> ndarray.storage_class("csr", "example").__name__
        'CSRNDArray'
    """
    _STORAGE[stype] = cls


def storage_class(stype, where: str) -> type:
    """The NDArray class of storage type ``stype`` (``'default'`` or None: NDArray).

    Examples:
        >>> from mxjax._src.nd.ndarray import storage_class
        >>> storage_class("default", "example").__name__
        'NDArray'
    """
    if stype in (None, "default"):
        return NDArray
    cls = _STORAGE.get(stype)
    if cls is None:
        raise ValueError(f"{where}: stype must be 'default', 'row_sparse' or 'csr', got {stype!r}")
    return cls


def set_dispatch(apply, backward) -> None:
    """Installs the functions every NDArray operator and ``backward()`` call go through.

    ``apply(fn, *inputs)`` runs a pure function of ``jax.Array`` values on
    NDArray inputs and returns NDArray outputs; ``backward(heads, head_grads,
    retain_graph, train_mode)`` backpropagates. ``mxjax._src.dispatch``
    installs its dispatcher once, when it is imported.

    Examples:
        >>> from mxjax._src.nd import ndarray
        >>> ndarray._apply.__module__
        'mxjax._src.dispatch'
    """
    global _apply, _backward
    _apply, _backward = apply, backward


def register_methods(methods: dict) -> None:
    """Makes ``methods`` (name -> function of an NDArray first) available as ``x.name(...)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.array([-1.0, 2.0]).relu().asnumpy()
        array([0., 2.], dtype=float32)
    """
    _METHODS.update(methods)


def _zeros_like(x):
    """Zeros like ``x``, filled on the host: ``jnp.zeros_like`` compiles a program per shape."""
    if isinstance(x, jax.core.Tracer) or not getattr(x, "is_fully_addressable", False):
        return jnp.zeros_like(x)
    return jax.device_put(np.zeros(x.shape, x.dtype), x.sharding)
