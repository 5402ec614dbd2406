"""``nd.linalg``: batched linear algebra (MXNet's ``mx.nd.linalg``).

Examples:
    >>> from mxjax import nd
    >>> nd.linalg.gemm2(nd.ones((2, 2)), nd.ones((2, 2))).asnumpy()
    array([[2., 2.],
           [2., 2.]], dtype=float32)
"""

from mxjax._src.nd.linalg import (
    det as det,
    extractdiag as extractdiag,
    extracttrian as extracttrian,
    gelqf as gelqf,
    gemm as gemm,
    gemm2 as gemm2,
    inverse as inverse,
    makediag as makediag,
    maketrian as maketrian,
    potrf as potrf,
    potri as potri,
    slogdet as slogdet,
    sumlogdiag as sumlogdiag,
    syevd as syevd,
    syrk as syrk,
    trmm as trmm,
    trsm as trsm,
)

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
