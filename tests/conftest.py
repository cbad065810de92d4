"""Shared pytest configuration for the whole suite."""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
