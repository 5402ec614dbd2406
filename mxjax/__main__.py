"""``python -m mxjax`` runs the ``mxjax`` command."""

import sys

from mxjax.cli import main

sys.exit(main())
