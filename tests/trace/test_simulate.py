"""The demo simulator: deterministic tyre lives sent through the real capture endpoint."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from tirebrain.demo.generator import generate
from tirebrain.trace.lifecycle import lifecycle
from tirebrain.trace.models import CaptureJob, Event, Location, StageCount
from tirebrain.trace.simulate import documents, ensure_places, simulate_events
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


def test_demo_places_carry_the_demo_marker_once(demo):
    places = ensure_places()
    factory = next(iter(places.factories.values()))
    ent = factory.enterprise
    assert ent.name_zh.endswith("有限公司（示例）") and ent.name_en.endswith("Co., Ltd. (demo)")
    assert factory.name_zh == ent.name_zh.removesuffix("（示例）") + "工厂（示例）"
    assert factory.name_en == ent.name_en.removesuffix(" (demo)") + " factory (demo)"
    for loc in Location.objects.filter(is_demo=True):
        assert loc.name_zh.count("示例") == 1 and loc.name_en.count("demo") == 1, loc.name_zh
        assert loc.name_zh.endswith("（示例）") and loc.name_en.endswith(" (demo)")


def test_demo_places_named_with_the_doubled_marker_are_renamed(demo):
    factory = next(iter(ensure_places().factories.values()))
    Location.objects.filter(pk=factory.pk).update(
        name_zh=factory.enterprise.name_zh + "工厂（示例）",
        name_en=factory.enterprise.name_en + " factory (demo)",
    )
    ensure_places()
    factory.refresh_from_db()
    assert factory.name_zh.count("示例") == 1 and factory.name_en.count("demo") == 1
