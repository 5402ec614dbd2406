"""``nd.sparse``: CSR and row-sparse arrays (API-compatible containers over dense values).

Examples:
    >>> from mxjax import nd
    >>> nd.sparse.csr_matrix([[0.0, 1.0]]).stype
    'csr'
"""

from mxjax._src.nd.sparse import (
    CSRNDArray as CSRNDArray,
    RowSparseNDArray as RowSparseNDArray,
    csr_matrix as csr_matrix,
    retain as retain,
    row_sparse_array as row_sparse_array,
    zeros as zeros,
)

__all__ = ["CSRNDArray", "RowSparseNDArray", "csr_matrix", "retain", "row_sparse_array", "zeros"]
