"""MXNet's ``Convolution`` and ``Deconvolution`` operators on NDArrays.

The parameters are parsed and checked by the symbolic API's operator table and the maths
is the functional core's (``mxjax.layers.Conv2D``, ``Conv2DTranspose`` ...), so
``nd.Convolution``, ``sym.Convolution`` and ``gluon.nn.Conv2D`` run the same code.
"""

from __future__ import annotations

from typing import Any

from mxjax._src.dispatch import apply as _apply
from mxjax._src.nd.creation import res_into
from mxjax._src.symbol.attrs import to_str
from mxjax._src.symbol.optable import get_op
from mxjax._src.symbol.registry import Ctx

__all__ = ["Convolution", "Deconvolution"]

_CTX = Ctx(train=False, key=None)


def _attrs(name: str, params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The operator's parameters as sorted ``(name, string)`` pairs, checked by parsing them."""
    op = get_op(name)
    unknown = sorted(set(params) - set(op.params))
    if unknown:
        raise TypeError(
            f"nd.{name}: unexpected argument(s) {unknown}; its parameters are {sorted(op.params)}"
        )
    attrs = tuple(sorted((k, to_str(v)) for k, v in params.items() if v is not None))
    op.parse(dict(attrs))  # raises on a missing or malformed parameter, naming it
    return attrs


def _run(name, attrs, data, weight, bias):
    op = get_op(name)
    inputs = (data, weight) if bias is None else (data, weight, bias)
    return op.compute(op.parse(dict(attrs)), _CTX, *inputs)


def _call(name, data, weight, bias, out, params):
    attrs = _attrs(name, params)
    no_bias = get_op(name).parse(dict(attrs)).no_bias
    if not no_bias and bias is None:
        raise ValueError(f"nd.{name}: bias is required unless no_bias=True")
    res = _apply(_run, name, attrs, data, weight, None if no_bias else bias)
    return res if out is None else res_into(out, res)


def Convolution(data, weight, bias=None, out=None, name=None, **params):  # noqa: N802
    """MXNet's Convolution operator: 1-D, 2-D or 3-D cross-correlation plus bias.

    Parameters as MXNet 1.9.1: ``kernel`` and ``num_filter`` (required), ``stride``,
    ``dilate``, ``pad``, ``num_group``, ``no_bias``, ``layout`` (``None``: channels-first);
    ``workspace``, ``cudnn_tune`` and ``cudnn_off`` are accepted and have no effect.
    ``weight`` is ``(num_filter, C/num_group, *kernel)`` (channels-last layouts:
    ``(num_filter, *kernel, C/num_group)``). The same code as ``gluon.nn.Conv2D``, including
    one matrix product when the kernel covers (nearly) the whole padded input.

    Args:
        data: ``(N, C, *spatial)`` (or channels-last) input.
        weight: the kernel.
        bias: ``(num_filter,)``; required unless ``no_bias=True``.
        out: optional NDArray receiving the result.
        name: ignored (MXNet's node name).
        **params: the operator's parameters listed above.

    Returns:
        ``(N, num_filter, *out_spatial)`` (or channels-last).

    Raises:
        TypeError: an unknown parameter.
        ValueError: a missing or malformed parameter, a missing bias, or shapes that do not
            fit the kernel.

    Examples:
        >>> from mxjax import nd
        >>> x, w = nd.ones((2, 3, 5, 5)), nd.ones((4, 3, 5, 5))
        >>> nd.Convolution(x, w, kernel=(5, 5), num_filter=4, no_bias=True).reshape((2, 4))
        <BLANKLINE>
        [[75. 75. 75. 75.]
         [75. 75. 75. 75.]]
        <NDArray 2x4 @cpu(0)>
    """
    del name
    return _call("Convolution", data, weight, bias, out, params)


def Deconvolution(data, weight, bias=None, out=None, name=None, **params):  # noqa: N802
    """MXNet's Deconvolution operator: the gradient of Convolution with respect to its input.

    Parameters as MXNet 1.9.1: ``kernel`` and ``num_filter`` (required), ``stride``,
    ``dilate``, ``pad``, ``adj``, ``target_shape``, ``num_group``, ``no_bias`` (default
    True), ``layout``; ``workspace``, ``cudnn_tune`` and ``cudnn_off`` have no effect.
    ``weight`` is ``(C, num_filter/num_group, *kernel)``. The same code as
    ``gluon.nn.Conv2DTranspose``.

    Args:
        data: ``(N, C, *spatial)`` (or channels-last) input.
        weight: the kernel.
        bias: ``(num_filter,)``; used only with ``no_bias=False``.
        out: optional NDArray receiving the result.
        name: ignored (MXNet's node name).
        **params: the operator's parameters listed above.

    Returns:
        ``(N, num_filter, *out_spatial)`` with ``out = (in - 1)*stride - 2*pad +
        dilate*(kernel - 1) + 1 + adj``.

    Raises:
        TypeError: an unknown parameter.
        ValueError: a missing or malformed parameter, a missing bias, or an empty output.

    Examples:
        >>> from mxjax import nd
        >>> y = nd.Deconvolution(nd.ones((1, 2, 3, 3)), nd.ones((2, 4, 2, 2)), kernel=(2, 2),
        ...                      stride=(2, 2), num_filter=4)
        >>> y.shape, float(y.sum().asscalar())
        ((1, 4, 6, 6), 288.0)
    """
    del name
    return _call("Deconvolution", data, weight, bias, out, params)
