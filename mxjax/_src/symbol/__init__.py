"""The symbolic API: graphs of MXNet operators over the functional core."""
