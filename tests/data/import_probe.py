"""A dataset whose module imports names that exist only through the parent's alias and hook.

Imported by ``test_workers_resolve_module_aliases_and_import_hooks`` after it has set
``sys.modules['_mxjax_alias_json'] = json`` and installed ``helpers.VirtualModules``.
"""

import _mxjax_alias_json
import _mxjax_alias_json.decoder
import _mxjax_virtual
import numpy as np


class ProbeDataset:
    """Sample i is ``[i, len(json.dumps([i])), VALUE, is-decoder-json's]``."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        dec = _mxjax_alias_json.decoder.JSONDecoder is __import__("json").decoder.JSONDecoder
        n = len(_mxjax_alias_json.dumps([i]))
        return np.array([i, n, _mxjax_virtual.VALUE, dec], np.int64)
