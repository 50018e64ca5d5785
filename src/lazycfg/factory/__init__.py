"""``@factory``: the decorator, the call runtime, the source rewrite and knobs."""
