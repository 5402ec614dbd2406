"""MXNet optimizers as optax transformations (implementation package)."""
