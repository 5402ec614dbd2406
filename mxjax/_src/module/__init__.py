"""MXNet's Module API (``mx.mod``), ``mx.model`` checkpoints and ``mx.callback``."""
