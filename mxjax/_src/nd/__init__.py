"""Implementation of the ``mx.nd`` facade."""
