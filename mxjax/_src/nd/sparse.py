"""Sparse storage types (``'csr'``, ``'row_sparse'``) as API-compatible containers over dense values.

:class:`CSRNDArray` and :class:`RowSparseNDArray` are NDArrays whose
``stype`` is ``'csr'``/``'row_sparse'`` and which offer MXNet's sparse
attributes (``data``, ``indices``, ``indptr``), computed from the dense
values. Operators treat them as dense arrays (results are dense), so every
result is correct; memory and speed are those of dense arrays.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mxjax._src.nd.creation import array
from mxjax._src.nd.ndarray import NDArray, register_storage

__all__ = ["CSRNDArray", "RowSparseNDArray", "csr_matrix", "retain", "row_sparse_array", "zeros"]


class CSRNDArray(NDArray):
    """A 2-D array in compressed sparse row format (values kept dense).

    Examples:
        >>> from mxjax import nd
        >>> a = nd.array([[0, 1], [2, 0]]).tostype("csr")
        >>> a.stype, a.data.asnumpy().tolist(), a.indices.asnumpy().tolist(), a.indptr.asnumpy().tolist()
        ('csr', [1.0, 2.0], [1, 0], [0, 1, 2])
    """

    __slots__ = ()

    @property
    def stype(self) -> str:
        """``'csr'``."""
        return "csr"

    def _nz(self):
        return np.nonzero(np.asarray(self._data))

    @property
    def data(self) -> NDArray:
        """The non-zero values, row by row."""
        d = np.asarray(self._data)
        return array(d[self._nz()], dtype=d.dtype)

    @property
    def indices(self) -> NDArray:
        """The column index of each stored value."""
        return array(self._nz()[1].astype(np.int32), dtype=np.int32)

    @property
    def indptr(self) -> NDArray:
        """Where each row's values start in :attr:`data` (``rows + 1`` entries)."""
        counts = np.count_nonzero(np.asarray(self._data), axis=1)
        return array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32), dtype=np.int32)


class RowSparseNDArray(NDArray):
    """An array storing only its non-zero rows (values kept dense).

    Examples:
        >>> from mxjax import nd
        >>> a = nd.array([[0, 0], [1, 2]]).tostype("row_sparse")
        >>> a.stype, a.indices.asnumpy().tolist(), a.data.asnumpy().tolist()
        ('row_sparse', [1], [[1.0, 2.0]])
    """

    __slots__ = ()

    @property
    def stype(self) -> str:
        """``'row_sparse'``."""
        return "row_sparse"

    def _rows(self):
        d = np.asarray(self._data)
        return np.nonzero(d.reshape(d.shape[0], -1).any(axis=1))[0] if d.ndim else np.zeros(0, int)

    @property
    def indices(self) -> NDArray:
        """The indices of the stored (non-zero) rows."""
        return array(self._rows().astype(np.int32), dtype=np.int32)

    @property
    def data(self) -> NDArray:
        """The stored rows."""
        d = np.asarray(self._data)
        return array(d[self._rows()], dtype=d.dtype)


register_storage("csr", CSRNDArray)
register_storage("row_sparse", RowSparseNDArray)


def _dtype(dtype, default):
    return np.dtype(default if dtype is None else dtype)


def csr_matrix(arg1, shape=None, ctx=None, dtype=None) -> CSRNDArray:
    """A CSRNDArray from a dense array-like, a ``scipy.sparse`` matrix or ``(data, indices, indptr)``.

    Examples:
        >>> from mxjax import nd
        >>> a = nd.sparse.csr_matrix(([5.0, 6.0], [2, 0], [0, 1, 2]), shape=(2, 3))
        >>> a.asnumpy()
        array([[0., 0., 5.],
               [6., 0., 0.]], dtype=float32)
    """
    if isinstance(arg1, tuple) and len(arg1) == 3:
        data, indices, indptr = (
            np.asarray(a.asnumpy() if isinstance(a, NDArray) else a) for a in arg1
        )
        if shape is None:
            shape = (len(indptr) - 1, int(indices.max()) + 1 if indices.size else 0)
        dense = np.zeros(
            shape, dtype=_dtype(dtype, data.dtype if data.dtype.kind == "f" else "float32")
        )
        rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        dense[rows, indices.astype(np.int64)] = data
    else:
        if hasattr(arg1, "tocsr") and hasattr(arg1, "toarray"):  # a scipy.sparse matrix
            arg1 = arg1.toarray()
        dense = np.asarray(arg1.asnumpy() if isinstance(arg1, NDArray) else arg1)
        dense = dense.astype(_dtype(dtype, dense.dtype if dense.dtype.kind == "f" else "float32"))
        if shape is not None and tuple(shape) != dense.shape:
            raise ValueError(
                f"sparse.csr_matrix: shape {tuple(shape)} does not match the data's {dense.shape}"
            )
    if dense.ndim != 2:
        raise ValueError(f"sparse.csr_matrix: expected a 2-D array, got shape {dense.shape}")
    return CSRNDArray(array(dense, ctx=ctx, dtype=dense.dtype)._data)


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None) -> RowSparseNDArray:
    """A RowSparseNDArray from a dense array-like or from ``(data, indices)`` (the non-zero rows).

    Examples:
        >>> from mxjax import nd
        >>> a = nd.sparse.row_sparse_array(([[1.0, 2.0]], [2]), shape=(3, 2))
        >>> a.asnumpy()
        array([[0., 0.],
               [0., 0.],
               [1., 2.]], dtype=float32)
    """
    if isinstance(arg1, tuple) and len(arg1) == 2:
        data, indices = (np.asarray(a.asnumpy() if isinstance(a, NDArray) else a) for a in arg1)
        if shape is None:
            raise ValueError("sparse.row_sparse_array: shape is required with (data, indices)")
        dense = np.zeros(
            shape, dtype=_dtype(dtype, data.dtype if data.dtype.kind == "f" else "float32")
        )
        dense[indices.astype(np.int64)] = data
    else:
        dense = np.asarray(arg1.asnumpy() if isinstance(arg1, NDArray) else arg1)
        dense = dense.astype(_dtype(dtype, dense.dtype if dense.dtype.kind == "f" else "float32"))
    return RowSparseNDArray(array(dense, ctx=ctx, dtype=dense.dtype)._data)


def zeros(stype, shape, ctx=None, dtype=None) -> NDArray:
    """Zeros of storage type ``stype``.

    Examples:
        >>> from mxjax import nd
        >>> nd.sparse.zeros("row_sparse", (2, 3)).stype
        'row_sparse'
    """
    dense = np.zeros(shape, dtype=_dtype(dtype, "float32"))
    return array(dense, ctx=ctx, dtype=dense.dtype).tostype(stype)


def retain(data, indices) -> RowSparseNDArray:
    """The rows of a row-sparse array whose indices are in ``indices``; other rows become zero.

    Args:
        data: a ``RowSparseNDArray``.
        indices: the row indices to keep (an NDArray or array-like of ints).

    Examples:
        >>> from mxjax import nd
        >>> a = nd.array([[1, 2], [3, 4], [5, 6]]).tostype("row_sparse")
        >>> r = nd.sparse.retain(a, nd.array([0, 2]))
        >>> r.stype, r.asnumpy().tolist()
        ('row_sparse', [[1.0, 2.0], [0.0, 0.0], [5.0, 6.0]])
    """
    if not isinstance(data, RowSparseNDArray):
        raise TypeError(
            f"sparse.retain: data must be a RowSparseNDArray; received {type(data).__name__} "
            f"(stype {getattr(data, 'stype', None)!r})"
        )
    out = RowSparseNDArray(_retained(data, indices))
    out._ctx = data._ctx  # same (possibly aliased) context as data
    return out


def _retained(data: NDArray, indices):
    rows = np.asarray(indices.asnumpy() if isinstance(indices, NDArray) else indices)
    keep = np.zeros((data.shape[0],) + (1,) * (data.ndim - 1), dtype=bool)
    keep[rows.astype(np.int64).ravel()] = True
    return jnp.where(keep, data.jax, jnp.zeros((), data.jax.dtype))


class _PulledRows(RowSparseNDArray):
    """The rows of a row-sparse variable that ``Parameter.row_sparse_data`` pulled.

    Its gradient buffer and ``grad_req`` are the variable's own, and autograd's
    "gradient written" flag goes to the variable: a forward recorded through
    it and ``backward()`` fill the variable's gradient, as through MXNet's
    pulled array (which is the parameter's own storage).
    """

    __slots__ = ("_owner",)

    def __init__(self, value, owner: NDArray):
        self._owner = None  # NDArray.__init__ resets the flag: not the owner's
        super().__init__(value)
        self._owner = owner
        self._grad, self._grad_req, self._ctx = owner._grad, owner._grad_req, owner._ctx

    @property
    def _fresh(self) -> bool:  # shadows NDArray's slot
        return False if self._owner is None else self._owner._fresh

    @_fresh.setter
    def _fresh(self, value: bool) -> None:
        if self._owner is not None:
            self._owner._fresh = value


def pulled_rows(var: NDArray, indices) -> RowSparseNDArray:
    """The rows ``indices`` of the attached variable ``var`` (others zero), differentiable into ``var``.

    What ``Parameter.row_sparse_data`` returns (MXNet's ``row_sparse_pull``):
    the gradient of a computation recorded on the result is written into
    ``var.grad``.

    Examples:
        >>> from mxjax import autograd, nd
        >>> from mxjax._src.nd.sparse import pulled_rows
        >>> w = nd.ones((3, 2)).tostype("row_sparse"); w.attach_grad(stype="row_sparse")
        >>> r = pulled_rows(w, nd.array([1]))
        >>> r.asnumpy().tolist()
        [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
        >>> with autograd.record():
        ...     y = 3 * r
        >>> y.backward(); w.grad.asnumpy().tolist()
        [[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]
    """
    return _PulledRows(_retained(var, indices), var)
