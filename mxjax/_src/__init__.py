"""Private implementation modules; import from the public packages instead."""
