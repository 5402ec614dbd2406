"""Data pipeline implementation."""
