"""pytest plugin for Hydra's own instantiate tests: run every case against `lazycfg.instantiate`.

Hydra's ``instantiate_func`` fixture reads ``hydra._internal.instantiate._instantiate2.instantiate``
when the test module is imported; this plugin (``-p lazycfg_swap``) is imported before that and
puts `lazycfg.instantiate` there. ``hydra.utils.instantiate`` itself is left alone.
"""

from __future__ import annotations

import hydra._internal.instantiate._instantiate2 as _instantiate2

import lazycfg

_instantiate2.instantiate = lazycfg.instantiate  # type: ignore[assignment]
