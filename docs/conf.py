"""Sphinx configuration for mxjax."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("JAX_PLATFORMS", "cpu")

project = "mxjax"
author = "The mxjax authors"
copyright = "2026, The mxjax authors"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
autosummary_generate = True
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "none"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
# Re-exported dataclass fields and NamedTuple fields are documented on their classes.
suppress_warnings = ["autosummary.import_cycle"]
nitpicky = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
