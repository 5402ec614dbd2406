"""Gluon losses applied to Symbols: MXNet 1.9.1's loss formulas as ``mx.sym`` graphs.

``gluon.loss.SoftmaxCrossEntropyLoss()(output_symbol, label_symbol)`` builds
the same graph as MXNet's ``hybrid_forward`` with ``F = mx.sym`` (used by
symbolic training with ``mx.sym.make_loss`` and ``Module``, and by export).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["loss_to_symbol"]


def _sym():
    import mxjax.symbol as S

    return S


def _weighting(loss, weight, sample_weight):
    S = _sym()
    if sample_weight is not None:
        loss = S.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if not isinstance(weight, (int, float)):
            raise ValueError(f"loss on Symbols: weight must be a number; received {weight!r}")
        loss = loss * float(weight)
    return loss


def loss_to_symbol(core: Any, pred: Any, label: Any, *rest: Any) -> Any:
    """The graph of a :mod:`mxjax.losses` object applied to symbols (per-sample loss)."""
    S = _sym()
    kind = type(core).__name__
    if kind == "TripletLoss":  # (pred, positive, negative, sample_weight=None)
        negative, sample_weight = rest[0], (rest[1] if len(rest) > 1 else None)
        loss = S.sum(
            S.square(label - pred) - S.square(negative - pred),
            axis=getattr(core, "batch_axis", 0),
            exclude=True,
        )
        loss = S.relu(loss + core.margin)
        return _weighting(loss, getattr(core, "weight", None), sample_weight)
    if kind == "CTCLoss":  # (pred, label, pred_lengths, label_lengths, sample_weight)
        pred_lengths, label_lengths, sample_weight = (list(rest) + [None] * 3)[:3]
        if core.layout == "NTC":
            pred = S.swapaxes(pred, dim1=0, dim2=1)
        if core.label_layout == "TN":
            label = S.swapaxes(label, dim1=0, dim2=1)
        lengths = [x for x in (pred_lengths, label_lengths) if x is not None]
        loss = S.CTCLoss(
            pred,
            label,
            *lengths,
            use_data_lengths=pred_lengths is not None,
            use_label_lengths=label_lengths is not None,
            blank_label="last",
        )
        return _weighting(loss, getattr(core, "weight", None), sample_weight)
    if kind == "PoissonNLLLoss":  # (pred, target, sample_weight=None, epsilon=1e-08)
        sample_weight, epsilon = (list(rest) + [None, 1e-08])[:2]
        target = S.reshape_like(label, pred)
        if core.from_logits:
            loss = S.exp(pred) - target * pred
        else:
            loss = pred - target * S.log(pred + epsilon)
        if core.compute_full:  # Stirling's term where target > 1 (finite at 0, as mxjax's nd form)
            safe = S.relu(target - 1.0) + 1.0  # max(target, 1)
            stirling = safe * S.log(safe) - safe + 0.5 * S.log(2 * math.pi * safe)
            loss = loss + stirling * (target > 1)
        return S.mean(_weighting(loss, getattr(core, "weight", None), sample_weight))
    sample_weight = rest[0] if rest else None
    pos_weight = rest[1] if len(rest) > 1 else None
    w = getattr(core, "weight", None)
    batch_axis = getattr(core, "batch_axis", 0)
    if kind == "SoftmaxCrossEntropyLoss":
        p = pred if core.from_logits else S.log_softmax(pred, axis=core.axis)
        if core.sparse_label:
            loss = -S.pick(p, label, axis=core.axis, keepdims=True)
        else:
            loss = -S.sum(p * S.reshape_like(label, p), axis=core.axis, keepdims=True)
    elif kind == "L2Loss":
        loss = S.square(S.reshape_like(label, pred) - pred)
        w = (1.0 if w is None else w) / 2
    elif kind == "L1Loss":
        loss = S.abs(S.reshape_like(label, pred) - pred)
    elif kind == "SigmoidBinaryCrossEntropyLoss":
        lab = S.reshape_like(label, pred)
        if not core.from_sigmoid and pos_weight is None:
            loss = S.relu(pred) - pred * lab + S.Activation(-S.abs(pred), act_type="softrelu")
        elif not core.from_sigmoid:
            log_weight = 1.0 + S.broadcast_mul(pos_weight - 1.0, lab)
            loss = (
                pred
                - pred * lab
                + log_weight * (S.Activation(-S.abs(pred), act_type="softrelu") + S.relu(-pred))
            )
        else:
            eps = 1e-12
            pos = S.log(pred + eps) * lab
            if pos_weight is not None:
                pos = S.broadcast_mul(pos, pos_weight)
            loss = -(pos + S.log(1.0 - pred + eps) * (1.0 - lab))
    elif kind == "KLDivLoss":
        p = pred if core.from_logits else S.log_softmax(pred, axis=core.axis)
        loss = label * (S.log(label + 1e-12) - p)
        loss = _weighting(loss, w, sample_weight)
        return S.sum(loss, axis=batch_axis, exclude=True)  # MXNet 1.9.1 sums here
    elif kind == "HuberLoss":
        diff = S.abs(S.reshape_like(label, pred) - pred)
        loss = S.where(diff > core.rho, diff - 0.5 * core.rho, (0.5 / core.rho) * S.square(diff))
    elif kind in ("HingeLoss", "SquaredHingeLoss"):
        loss = S.relu(core.margin - pred * S.reshape_like(label, pred))
        if kind == "SquaredHingeLoss":
            loss = S.square(loss)
    elif kind == "LogisticLoss":  # MXNet 1.9.1 maps signed labels to {0, 1}
        lab = S.reshape_like(label, pred)
        if core.label_format == "signed":
            lab = (lab + 1.0) / 2.0
        loss = S.relu(pred) - pred * lab + S.Activation(-S.abs(pred), act_type="softrelu")
    else:
        raise ValueError(
            f"{kind} has no symbolic form in mxjax; use SoftmaxCrossEntropyLoss, L1Loss, L2Loss, "
            f"SigmoidBinaryCrossEntropyLoss, KLDivLoss, HuberLoss, HingeLoss, SquaredHingeLoss, "
            f"LogisticLoss, TripletLoss, CTCLoss or PoissonNLLLoss on Symbols"
        )
    loss = _weighting(loss, w, sample_weight)
    return S.mean(loss, axis=batch_axis, exclude=True)
