"""MXNet 1.9.1's evaluation metrics (``mx.metric``), accumulated on the host in float64.

``update(labels, preds)`` takes lists of arrays or single arrays: NumPy
arrays, ``jax.Array`` s or anything with ``.asnumpy()`` (the facade's NDArray).
The metrics ``fit`` also computes (accuracy, top-k accuracy, MSE, MAE,
cross-entropy) are host-side views of the jittable functions in
:mod:`mxjax._src.metric.functions`, so every path reports the same number.
Modules: ``base`` (EvalMetric, registry, ``create``), ``classification``,
``regression``, ``custom``, ``functions``; the public names are re-exported
by :mod:`mxjax.metric`.
"""
