"""MXNet's ``mx.contrib.autograd`` (the autograd API of MXNet 0.x, still shipped in 1.9.1).

Examples:
    >>> from mxjax import nd
    >>> from mxjax.contrib import autograd
    >>> [g.asnumpy() for g in autograd.grad(lambda x: x * x)(nd.array([3.0]))]
    [array([6.], dtype=float32)]
"""

from mxjax._src.autograd_contrib import (
    TrainingStateScope as TrainingStateScope,
    backward as backward,
    compute_gradient as compute_gradient,
    grad as grad,
    grad_and_loss as grad_and_loss,
    mark_variables as mark_variables,
    set_is_training as set_is_training,
    test_section as test_section,
    train_section as train_section,
)

__all__ = [
    "TrainingStateScope",
    "backward",
    "compute_gradient",
    "grad",
    "grad_and_loss",
    "mark_variables",
    "set_is_training",
    "test_section",
    "train_section",
]
