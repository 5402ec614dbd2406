"""The ``mxjax`` command."""
