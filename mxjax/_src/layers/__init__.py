"""Functional layers: frozen dataclasses with pure ``init``/``apply``."""
