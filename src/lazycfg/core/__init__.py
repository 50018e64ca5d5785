"""The Lazy node and its one tree walk, target names, value reprs and error types."""
