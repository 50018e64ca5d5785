"""Hydra integration: ConfigStore, checked overrides, apps, tasks and the LogConfig callback."""
