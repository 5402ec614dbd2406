"""MXNet's reshape special codes (0, -1, -2, -3, -4) and ``reverse``."""

from __future__ import annotations

import math

__all__ = ["infer_reshape"]


def _err(src, target, why):
    return ValueError(f"reshape: cannot reshape array of shape {src} to {target}: {why}")


def infer_reshape(src: tuple, target: tuple, reverse: bool = False) -> tuple:
    """Resolves an MXNet reshape target against the source shape.

    Codes: ``0`` copies the input dimension, ``-1`` is inferred, ``-2`` copies
    all remaining input dimensions, ``-3`` merges two consecutive input
    dimensions, ``-4`` splits one input dimension into the two values that
    follow it (one of which may be ``-1``). With ``reverse=True`` the codes
    are matched from the right.

    Examples:
        >>> from mxjax._src.nd.shape import infer_reshape
        >>> infer_reshape((2, 3, 4), (-4, 1, 2, -3))
        (1, 2, 12)
        >>> infer_reshape((10, 5, 4), (-1, 0), reverse=True)
        (50, 4)
    """
    src = tuple(int(d) for d in src)
    target = tuple(int(d) for d in target)
    if reverse:
        out = _infer(src[::-1], _reverse_codes(target), src, target)
        out = out[::-1]
    else:
        out = _infer(src, target, src, target)
    if math.prod(out) != math.prod(src):
        raise _err(src, target, f"sizes differ ({math.prod(src)} vs {math.prod(out)})")
    return out


def _reverse_codes(target):
    # Reverse the code list, keeping each ``-4, a, b`` group's split pair in order
    # of the reversed shape (MXNet reverses the whole parameter list).
    return tuple(target[::-1])


def _infer(src, target, osrc, otarget):
    out: list[int] = []
    i = 0  # position in src
    j = 0
    infer_at = None
    n = len(target)
    while j < n:
        t = target[j]
        if t > 0:
            out.append(t)
            i += 1
        elif t == 0:
            if i >= len(src):
                raise _err(osrc, otarget, "code 0 has no input dimension to copy")
            out.append(src[i])
            i += 1
        elif t == -1:
            if infer_at is not None:
                raise _err(osrc, otarget, "more than one -1")
            infer_at = len(out)
            out.append(1)
            i += 1
        elif t == -2:
            out.extend(src[i:])
            i = len(src)
        elif t == -3:
            if i + 1 >= len(src):
                raise _err(osrc, otarget, "code -3 needs two input dimensions")
            out.append(src[i] * src[i + 1])
            i += 2
        elif t == -4:
            if j + 2 >= n or i >= len(src):
                raise _err(osrc, otarget, "code -4 needs an input dimension and two values")
            d, a, b = src[i], target[j + 1], target[j + 2]
            if a == -1 and b > 0:
                a = d // b
            elif b == -1 and a > 0:
                b = d // a
            if a * b != d or a <= 0 or b <= 0:
                raise _err(osrc, otarget, f"cannot split dimension {d} into ({a}, {b})")
            out.extend([a, b])
            i += 1
            j += 2
        else:
            raise _err(osrc, otarget, f"unknown code {t}")
        j += 1
    if infer_at is not None:
        known = math.prod(out)
        total = math.prod(src)
        if known == 0 or total % known:
            raise _err(osrc, otarget, "cannot infer the -1 dimension")
        out[infer_at] = total // known
    return tuple(out)
