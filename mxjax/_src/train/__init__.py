"""Training engine: one jitted train/eval step, the fit loop, callbacks, history."""
