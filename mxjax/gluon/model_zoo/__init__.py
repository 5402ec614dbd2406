"""``gluon.model_zoo``: MXNet's model zoo networks (``vision``) and pretrained-weight store.

Examples:
    >>> from mxjax.gluon import model_zoo
    >>> type(model_zoo.vision.get_model("mlp")).__name__
    'MLP'
"""

from mxjax.gluon.model_zoo import model_store as model_store, vision as vision
from mxjax.gluon.model_zoo.vision import get_model as get_model

__all__ = ["get_model", "model_store", "vision"]
