"""Tracking configs: flatten/diff/fingerprint, graphs, notebook display, show/diff commands."""
