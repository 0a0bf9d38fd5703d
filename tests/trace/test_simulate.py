"""The demo simulator: deterministic tyre lives sent through the real capture endpoint."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from tirebrain.demo.generator import generate
from tirebrain.trace.lifecycle import lifecycle
from tirebrain.trace.models import CaptureJob, Event, Location, StageCount
from tirebrain.trace.simulate import documents, simulate_events
from tirebrain.trace.validation import validate_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(plan):
    generate("tests", enterprises=20, seed=7)


def test_same_seed_same_events_and_every_document_valid(demo):
    first = list(simulate_events(300, seed=3, until=date(2026, 10, 31)))
    second = list(simulate_events(300, seed=3, until=date(2026, 10, 31)))
    assert first == second
    assert first != list(simulate_events(300, seed=4, until=date(2026, 10, 31)))
    for doc in documents(iter(first), size=200):
        assert validate_document(doc) == []
    assert all(e["eventTime"] <= "2026-10-31T18:00:00+08:00" for e in first)
    steps = {e["bizStep"] for e in first}
    assert {"commissioning", "shipping", "retail_selling", "installing"} <= steps


def test_simulate_command_captures_through_the_endpoint_and_is_idempotent(demo):
    out = StringIO()
    call_command("trace", "simulate", "--tyres", "400", "--seed", "5", stdout=out)
    assert "stored" in out.getvalue()
    stored = Event.objects.count()
    assert stored > 400
    assert CaptureJob.objects.filter(success=True).exists()
    assert set(Event.objects.values_list("organisation__kind", flat=True)) == {"province"}
    assert Location.objects.filter(is_demo=True).count() > 20
    produced = StageCount.objects.filter(stage="produced")
    assert sum(produced.values_list("tyres", flat=True)) == 400
    call_command("trace", "simulate", "--tyres", "400", "--seed", "5", stdout=StringIO())
    assert Event.objects.count() == stored
    assert {s.code for s in lifecycle().stages} >= set(
        StageCount.objects.values_list("stage", flat=True)
    )
