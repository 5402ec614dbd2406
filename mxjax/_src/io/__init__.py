"""MXNet file formats."""
