"""Hydra apps with checked overrides: ``from lazycfg.app import main`` (see `lazycfg.hydra.app`).

Kept at this path because users import it by name; the code lives in `lazycfg.hydra.app`."""

from lazycfg.hydra.app import App, Checked, OverrideError, Task, check_config, checked, main, task

__all__ = ["App", "Checked", "OverrideError", "Task", "check_config", "checked", "main", "task"]
