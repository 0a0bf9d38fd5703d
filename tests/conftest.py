"""Shared fixtures: reference data, the plan, and users of every role."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from tirebrain.core.reference import load_reference
from tirebrain.plan.services import load_plan


def load_plan_and_reference():
    """Reference data and the repository's plan file (version 1); returns the version."""
    load_reference("tests")
    return load_plan("tests", settings.PLAN_FILE).version


@pytest.fixture
def reference(db):
    """Cities, data elements, honour types and product lines, as in production."""
    load_reference("tests")


@pytest.fixture
def plan(reference):
    """The repository's plan file, loaded as version 1."""
    return load_plan("tests", settings.PLAN_FILE).version


@pytest.fixture
def english():
    """Messages in English, for tests that compare them (use with ``usefixtures``)."""
    with translation.override("en"):
        yield
