"""Shared pytest configuration: the deterministic hypothesis profile.

Profile ``ci`` (the default): ``derandomize=True`` (the examples are a function of
the test alone, so a run is reproducible and a failure replays), a fixed
``max_examples`` for tests that do not set their own, no deadline (the machine's
load must not fail a test) and no example database.  Select another profile with
``HYPOTHESIS_PROFILE=dev`` (random examples, for local exploration).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=50, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
