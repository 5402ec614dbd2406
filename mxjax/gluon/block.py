"""Gluon ``Block`` and ``HybridBlock``.

Examples:
    >>> from mxjax.gluon.block import HybridBlock
    >>> HybridBlock(prefix="b_").prefix
    'b_'
"""

from mxjax._src.gluon.block import Block as Block, HybridBlock as HybridBlock

__all__ = ["Block", "HybridBlock"]
