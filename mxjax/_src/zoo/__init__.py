"""Gluon model zoo networks (implementation of ``mxjax.gluon.model_zoo``)."""
