"""``nd.linalg``: MXNet's batched linear-algebra operators over the last two axes.

Every operator works on a batch of matrices (leading axes are batch axes),
is differentiable (recorded like any ``nd`` operator) and follows MXNet
1.9.1's conventions: ``potrf`` gives the lower Cholesky factor, ``gelqf``
returns ``(Q, L)`` with ``A = L Q``, ``syevd`` returns eigenvectors as rows
``U`` with ``A = U^T diag(lam) U`` (each row's largest entry positive), and
``extracttrian``/``maketrian`` pack the upper triangle column by column.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd.ndarray import NDArray

__all__ = [
    "det",
    "extractdiag",
    "extracttrian",
    "gelqf",
    "gemm",
    "gemm2",
    "inverse",
    "makediag",
    "maketrian",
    "potrf",
    "potri",
    "slogdet",
    "sumlogdiag",
    "syevd",
    "syrk",
    "trmm",
    "trsm",
]


def _t(a):
    return jnp.swapaxes(a, -1, -2)


def _op(a, transpose):
    return _t(a) if transpose else a


def _matrix(name, a, ndim=2):
    if not isinstance(a, NDArray):
        raise TypeError(f"linalg.{name}: expected an NDArray, got {type(a).__name__}")
    if a.ndim < ndim:
        raise ValueError(
            f"linalg.{name}: expected an array with at least {ndim} axes, got shape {a.shape}"
        )


def _square(name, a):
    _matrix(name, a)
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.{name}: expected square matrices, got shape {a.shape}")


def _vec1(x):
    return x.reshape((1,)) if x.ndim == 0 else x


def _gemm(a, b, c, ta, tb, alpha, beta, axis):
    if axis != -2:
        a, b = jnp.moveaxis(a, axis, -2), jnp.moveaxis(b, axis, -2)
        c = None if c is None else jnp.moveaxis(c, axis, -2)
    r = alpha * jnp.matmul(_op(a, ta), _op(b, tb))
    if c is not None:
        r = r + beta * c
    return r if axis == -2 else jnp.moveaxis(r, -2, axis)


def gemm(A, B, C, transpose_a=False, transpose_b=False, alpha=1.0, beta=1.0, axis=-2):  # noqa: N803
    """``alpha * op(A) @ op(B) + beta * C`` (``op`` transposes when asked).

    Examples:
        >>> from mxjax import nd
        >>> A, B, C = nd.ones((2, 3)), nd.ones((3, 2)), nd.ones((2, 2))
        >>> nd.linalg.gemm(A, B, C, alpha=2.0, beta=10.0).asnumpy()
        array([[16., 16.],
               [16., 16.]], dtype=float32)
    """
    _matrix("gemm", A)
    return _apply(
        _gemm, A, B, C, bool(transpose_a), bool(transpose_b), float(alpha), float(beta), int(axis)
    )


def gemm2(A, B, transpose_a=False, transpose_b=False, alpha=1.0, axis=-2):  # noqa: N803
    """``alpha * op(A) @ op(B)``.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.gemm2(nd.ones((2, 3)), nd.ones((2, 3)), transpose_b=True).asnumpy()
        array([[3., 3.],
               [3., 3.]], dtype=float32)
    """
    _matrix("gemm2", A)
    return _apply(
        _gemm, A, B, None, bool(transpose_a), bool(transpose_b), float(alpha), 0.0, int(axis)
    )


def _potrf(a):
    return jnp.linalg.cholesky(a)


def potrf(A):  # noqa: N803
    """The lower Cholesky factor ``L`` of symmetric positive-definite ``A = L L^T``.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.potrf(nd.array([[4.0, 2.0], [2.0, 5.0]])).asnumpy()
        array([[2., 0.],
               [1., 2.]], dtype=float32)
    """
    _square("potrf", A)
    return _apply(_potrf, A)


def _potri(lo):
    lo = jnp.tril(lo)
    eye = jnp.broadcast_to(jnp.eye(lo.shape[-1], dtype=lo.dtype), lo.shape)
    linv = jax.scipy.linalg.solve_triangular(lo, eye, lower=True)
    return jnp.matmul(_t(linv), linv)


def potri(A):  # noqa: N803
    """The inverse of ``L L^T`` given its lower Cholesky factor ``L`` (``A`` here).

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.potri(nd.array([[2.0, 0.0], [0.0, 0.5]])).asnumpy()
        array([[0.25, 0.  ],
               [0.  , 4.  ]], dtype=float32)
    """
    _square("potri", A)
    return _apply(_potri, A)


def _tri(a, lower):
    return jnp.tril(a) if lower else jnp.triu(a)


def _trmm(a, b, transpose, rightside, lower, alpha):
    a = _op(_tri(a, lower), transpose)
    return alpha * (jnp.matmul(b, a) if rightside else jnp.matmul(a, b))


def trmm(A, B, transpose=False, rightside=False, lower=True, alpha=1.0):  # noqa: N803
    """``alpha * op(A) @ B`` (or ``B @ op(A)`` with ``rightside``) for triangular ``A``.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.trmm(nd.array([[1.0, 9.0], [2.0, 3.0]]), nd.ones((2, 1))).asnumpy()
        array([[1.],
               [5.]], dtype=float32)
    """
    _square("trmm", A)
    return _apply(_trmm, A, B, bool(transpose), bool(rightside), bool(lower), float(alpha))


def _trsm(a, b, transpose, rightside, lower, alpha):
    a = _tri(a, lower)
    b = alpha * b
    if rightside:  # X op(A) = B  <=>  op(A)^T X^T = B^T
        x = jax.scipy.linalg.solve_triangular(a, _t(b), lower=lower, trans=0 if transpose else 1)
        return _t(x)
    return jax.scipy.linalg.solve_triangular(a, b, lower=lower, trans=1 if transpose else 0)


def trsm(A, B, transpose=False, rightside=False, lower=True, alpha=1.0):  # noqa: N803
    """Solves ``op(A) X = alpha * B`` (or ``X op(A) = alpha * B``) for triangular ``A``.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.trsm(nd.array([[2.0, 0.0], [1.0, 1.0]]), nd.array([[2.0], [3.0]])).asnumpy()
        array([[1.],
               [2.]], dtype=float32)
    """
    _square("trsm", A)
    return _apply(_trsm, A, B, bool(transpose), bool(rightside), bool(lower), float(alpha))


def _sumlogdiag(a):
    return _vec1(jnp.sum(jnp.log(jnp.diagonal(a, axis1=-2, axis2=-1)), axis=-1))


def sumlogdiag(A):  # noqa: N803
    """The sum of the logarithms of the diagonal of each matrix.

    Examples:
        >>> from mxjax import nd
        >>> round(float(nd.linalg.sumlogdiag(nd.array([[1.0, 5.0], [5.0, 2.0]])).asscalar()), 4)
        0.6931
    """
    _square("sumlogdiag", A)
    return _apply(_sumlogdiag, A)


def _syrk(a, transpose, alpha):
    return alpha * (jnp.matmul(_t(a), a) if transpose else jnp.matmul(a, _t(a)))


def syrk(A, transpose=False, alpha=1.0):  # noqa: N803
    """``alpha * A @ A^T`` (``alpha * A^T @ A`` with ``transpose``).

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.syrk(nd.array([[1.0, 2.0]])).asnumpy()
        array([[5.]], dtype=float32)
    """
    _matrix("syrk", A)
    return _apply(_syrk, A, bool(transpose), float(alpha))


def _gelqf(a):
    q, r = jnp.linalg.qr(_t(a))  # A^T = Q R  =>  A = R^T Q^T
    return _t(q), _t(r)


def gelqf(A):  # noqa: N803
    """LQ factorization ``A = L Q`` of an ``m x n`` matrix (``m <= n``); returns ``(Q, L)``.

    ``Q`` has orthonormal rows, ``L`` is lower triangular.

    Examples:
        >>> import numpy as np
        >>> from mxjax import nd
        >>> A = nd.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]])
        >>> Q, L = nd.linalg.gelqf(A)
        >>> bool(np.allclose((L.asnumpy() @ Q.asnumpy()), A.asnumpy(), atol=1e-5))
        True
    """
    _matrix("gelqf", A)
    if A.shape[-2] > A.shape[-1]:
        raise ValueError(f"linalg.gelqf: expected rows <= columns, got shape {A.shape}")
    return list(_apply(_gelqf, A))


def _syevd(a):
    lam, v = jnp.linalg.eigh(a)  # columns are eigenvectors
    u = _t(v)
    idx = jnp.argmax(jnp.abs(u), axis=-1)[..., None]
    sign = jnp.sign(jnp.take_along_axis(u, idx, axis=-1))
    return u * jnp.where(sign == 0, 1.0, sign).astype(u.dtype), lam


def syevd(A):  # noqa: N803
    """Eigendecomposition of symmetric ``A = U^T diag(lam) U``; returns ``(U, lam)``, ``lam`` ascending.

    The rows of ``U`` are the eigenvectors, each signed so that its largest
    entry (in absolute value) is positive, as MXNet.

    Examples:
        >>> from mxjax import nd
        >>> U, lam = nd.linalg.syevd(nd.array([[2.0, 0.0], [0.0, 1.0]]))
        >>> lam.asnumpy(), U.asnumpy()
        (array([1., 2.], dtype=float32), array([[0., 1.],
               [1., 0.]], dtype=float32))
    """
    _square("syevd", A)
    return list(_apply(_syevd, A))


def _inverse(a):
    return jnp.linalg.inv(a)


def inverse(A):  # noqa: N803
    """The inverse of each square matrix.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.inverse(nd.array([[2.0, 0.0], [0.0, 4.0]])).asnumpy()
        array([[0.5 , 0.  ],
               [0.  , 0.25]], dtype=float32)
    """
    _square("inverse", A)
    return _apply(_inverse, A)


def _det(a):
    return _vec1(jnp.linalg.det(a))


def det(A):  # noqa: N803
    """The determinant of each square matrix (shape ``(1,)`` for one matrix, as MXNet).

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.det(nd.array([[1.0, 2.0], [3.0, 4.0]])).asnumpy()
        array([-2.], dtype=float32)
    """
    _square("det", A)
    return _apply(_det, A)


def _slogdet(a):
    s, ld = jnp.linalg.slogdet(a)
    return _vec1(s), _vec1(ld)


def slogdet(A):  # noqa: N803
    """``(sign, log|det|)`` of each square matrix.

    Examples:
        >>> from mxjax import nd
        >>> s, ld = nd.linalg.slogdet(nd.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> s.asnumpy(), ld.asnumpy().round(4)
        (array([-1.], dtype=float32), array([0.6931], dtype=float32))
    """
    _square("slogdet", A)
    return list(_apply(_slogdet, A))


def _extractdiag(a, offset):
    return jnp.diagonal(a, offset=offset, axis1=-2, axis2=-1)


def extractdiag(A, offset=0):  # noqa: N803
    """The ``offset``-th diagonal of each matrix (above the main one for ``offset > 0``).

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.extractdiag(nd.array([[1.0, 2.0], [3.0, 4.0]]), offset=1).asnumpy()
        array([2.], dtype=float32)
    """
    _matrix("extractdiag", A)
    return _apply(_extractdiag, A, int(offset))


def _makediag(a, offset):
    n = a.shape[-1] + abs(offset)
    i = jnp.arange(a.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    out = jnp.zeros(a.shape[:-1] + (n, n), a.dtype)
    return out.at[..., rows, cols].set(a)


def makediag(A, offset=0):  # noqa: N803
    """Square matrices with the vectors of ``A`` on their ``offset``-th diagonal.

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.makediag(nd.array([1.0, 2.0])).asnumpy()
        array([[1., 0.],
               [0., 2.]], dtype=float32)
    """
    _matrix("makediag", A, 1)
    return _apply(_makediag, A, int(offset))


def _tri_index(n, offset, lower):
    """Row-major indices of the lower triangle at ``offset <= 0`` (upper ones via the transpose)."""
    off = offset if lower else -offset
    rows, cols = np.tril_indices(n, k=off)
    return (rows, cols) if lower else (cols, rows)


def _lower_flag(offset, lower):
    return offset < 0 or (offset == 0 and lower)


def _extracttrian(a, offset, lower):
    rows, cols = _tri_index(a.shape[-1], offset, lower)
    return a[..., rows, cols]


def extracttrian(A, offset=0, lower=True):  # noqa: N803
    """The triangle of each matrix as a vector (lower: row by row; upper: column by column).

    ``offset < 0`` starts below the main diagonal, ``offset > 0`` above it;
    ``lower`` matters only for ``offset == 0``.

    Examples:
        >>> from mxjax import nd
        >>> A = nd.array([[1.0, 2.0], [3.0, 4.0]])
        >>> nd.linalg.extracttrian(A).asnumpy(), nd.linalg.extracttrian(A, lower=False).asnumpy()
        (array([1., 3., 4.], dtype=float32), array([1., 2., 4.], dtype=float32))
    """
    _square("extracttrian", A)
    return _apply(_extracttrian, A, int(offset), _lower_flag(offset, lower))


def _maketrian(a, offset, lower):
    m = int(round((np.sqrt(8 * a.shape[-1] + 1) - 1) / 2))
    n = m + abs(offset)
    rows, cols = _tri_index(n, offset, lower)
    out = jnp.zeros(a.shape[:-1] + (n, n), a.dtype)
    return out.at[..., rows, cols].set(a)


def maketrian(A, offset=0, lower=True):  # noqa: N803
    """Triangular matrices filled from the vectors of ``A`` (inverse of :func:`extracttrian`).

    Examples:
        >>> from mxjax import nd
        >>> nd.linalg.maketrian(nd.array([1.0, 2.0, 3.0])).asnumpy()
        array([[1., 0.],
               [2., 3.]], dtype=float32)
    """
    _matrix("maketrian", A, 1)
    k = A.shape[-1]
    m = int(round((np.sqrt(8 * k + 1) - 1) / 2))
    if m * (m + 1) // 2 != k:
        raise ValueError(
            f"linalg.maketrian: the last axis must hold a triangle's m(m+1)/2 entries, got {k}"
        )
    return _apply(_maketrian, A, int(offset), _lower_flag(offset, lower))
