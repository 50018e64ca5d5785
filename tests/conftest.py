"""Shared test settings."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Deterministic, reasonably quick property tests; the machine has 2 shared cores.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
