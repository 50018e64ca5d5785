"""Lazy tree <-> plain Hydra config: emitting, reading back, renamed arguments."""
