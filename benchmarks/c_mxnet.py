"""MXNet 1.9.1 contender: the same Gluon loop as ``c_gluon`` run by real MXNet (its own venv)."""

from __future__ import annotations

from c_gluon import build_loop


def build(w, x, y):
    import mxnet as mx

    return build_loop(mx, w, x, y, hybridize=True)
