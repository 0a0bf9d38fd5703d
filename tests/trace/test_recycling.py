"""The recycling picture: stage counts by city and year kept by capture, the ratios, the
events behind each figure, the cockpit panel, and recounting after the rules change."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import values
from tests.roles import DONGYING, QINGDAO
from tests.trace.documents import document, object_event, sgtin
from tirebrain.orgs.models import Organisation
from tirebrain.trace import recycling
from tirebrain.trace.lifecycle import lifecycle
from tirebrain.trace.models import Location, LocationRole, StageCount

pytestmark = pytest.mark.django_db
VOC = "https://voc.tirebrain.sd.gov.cn/bizstep/"


@pytest.fixture
def places(world):
    city = {c.code: c for c in Organisation.objects.cities()}
    made = {}
    for n, (key, role, code) in enumerate(
        [
            ("factory", LocationRole.FACTORY, DONGYING),
            ("depot", LocationRole.DISTRIBUTOR, DONGYING),
            ("collector_dy", LocationRole.COLLECTOR, DONGYING),
            ("collector_qd", LocationRole.COLLECTOR, QINGDAO),
            ("pyrolysis", LocationRole.RECYCLER, QINGDAO),
        ],
        start=1,
    ):
        made[key] = f"urn:epc:id:sgln:0299999.{n:05d}.0"
        Location.objects.create(identifier=made[key], name_zh=key, role=role, city=city[code])
    return made


@pytest.fixture
def reported(epcis, places):
    tyres = [sgtin(n) for n in range(1, 11)]
    events = [
        object_event(1, epcs=tyres, time="2024-02-01T08:00:00+08:00", location=places["factory"]),
        # shipping from the factory puts ten tyres on the market; from a depot it does not
        object_event(
            2,
            epcs=tyres,
            time="2024-02-03T08:00:00+08:00",
            biz_step="shipping",
            disposition="in_transit",
            action="OBSERVE",
            location=places["factory"],
        ),
        object_event(
            3,
            epcs=tyres[:4],
            time="2024-03-03T08:00:00+08:00",
            biz_step="shipping",
            disposition="in_transit",
            action="OBSERVE",
            location=places["depot"],
        ),
        object_event(
            4,
            epcs=tyres[:3],
            time="2025-05-01T08:00:00+08:00",
            biz_step="collecting",
            disposition="inactive",
            action="OBSERVE",
            location=places["collector_dy"],
        ),
        object_event(
            5,
            epcs=tyres[3:5],
            time="2025-06-01T08:00:00+08:00",
            biz_step="collecting",
            disposition="inactive",
            action="OBSERVE",
            location=places["collector_qd"],
        ),
        {
            "type": "TransformationEvent",
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000006",
            "eventTime": "2025-07-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputEPCList": tyres[:4],
            "outputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:0299999.000003.202507",
                    "quantity": 20,
                    "uom": "KGM",
                }
            ],
            "bizStep": VOC + "pyrolysing",
            "bizLocation": {"id": places["pyrolysis"]},
        },
    ]
    epcis.job(epcis.capture(document(*events), role="province"), role="province")


def snapshot() -> set[tuple]:
    return set(StageCount.objects.values_list("stage", "city_code", "year", "tyres"))


EXPECTED = {
    ("produced", DONGYING, 2024, 10),
    ("on_market", DONGYING, 2024, 10),
    ("collected", DONGYING, 2025, 3),
    ("collected", QINGDAO, 2025, 2),
    ("pyrolysis", QINGDAO, 2025, 4),
}


def test_capture_counts_tyres_into_stages_by_city_and_year(reported):
    assert snapshot() == EXPECTED


def test_a_resent_document_is_not_counted_twice(epcis, reported):
    from tirebrain.trace.models import Event

    before = Event.objects.count()
    epcis.job(
        epcis.capture(
            document(object_event(1, epcs=[sgtin(n) for n in range(1, 11)])), role="province"
        ),
        role="province",
    )
    assert Event.objects.count() == before
    assert snapshot() == EXPECTED


def test_restage_rebuilds_the_same_counts(reported):
    StageCount.objects.all().delete()
    recycling.restage()
    assert snapshot() == EXPECTED


def test_ratios(reported):
    values = {r.ratio.code: r for r in recycling.ratios(recycling.counts()[2025])}
    assert values["recycling_rate"].numerator == 4
    assert values["recycling_rate"].denominator == 5
    assert values["pyrolysis_share"].value == 1.0
    assert values["collection_rate"].value is None  # nothing put on the market in 2025


def test_a_side_of_several_stages_is_bracketed():
    ratio = {r.code: r for r in lifecycle().ratios}
    with translation.override("en"):
        assert recycling.formula(ratio["collection_rate"]) == "collected ÷ put on the market"
        assert (
            recycling.formula(ratio["pyrolysis_share"])
            == "pyrolysis ÷ (reclaimed rubber + crumb rubber + pyrolysis)"
        )
        assert (
            recycling.formula(ratio["recycling_rate"])
            == "(reclaimed rubber + crumb rubber + pyrolysis) ÷ collected"
        )
    assert recycling.formula(ratio["pyrolysis_share"]) == "热裂解 ÷ (再生胶 + 胶粉 + 热裂解)"


def test_the_recycling_page_writes_the_formulas_with_brackets(client, world, reported):
    client.force_login(world.users["province"])
    page = client.get("/trace/recycling/", {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "<span>pyrolysis ÷ (reclaimed rubber + crumb rubber + pyrolysis)</span>" in html
    assert "<span>collected ÷ put on the market</span>" in html


def test_the_events_behind_a_figure(reported):
    events = recycling.stage_events("collected", 2025, QINGDAO)
    assert list(events.values_list("event_id", flat=True)) == [
        "urn:uuid:00000000-0000-4000-8000-000000000005"
    ]
    assert recycling.stage_events("on_market", 2024).count() == 1


def test_recycling_page_and_drill_down(client, world, reported):
    client.force_login(world.users["province"])
    page = client.get("/trace/recycling/", {"year": 2025}).content.decode()
    assert f"/trace/recycling/collected/2025/?city={QINGDAO}" in page
    events = client.get(f"/trace/recycling/collected/2025/?city={QINGDAO}").content.decode()
    assert "urn:uuid:00000000-0000-4000-8000-000000000005" in events
    assert "urn:uuid:00000000-0000-4000-8000-000000000004" not in events


def test_a_department_sees_the_figures_but_not_the_events(client, world, reported):
    client.force_login(world.users["department"])
    assert client.get("/trace/recycling/").status_code == 200
    events = client.get("/trace/recycling/collected/2025/").content.decode()
    assert "urn:uuid:" not in events


def test_the_cockpit_shows_the_recycling_panel(client, world, reported):
    values(world.ents["a1"], "2025", revenue=1e9)  # the cockpit shows years with data
    client.force_login(world.users["province"])
    page = client.get("/cockpit/", {"year": 2025}).content.decode()
    assert "recycling-panel" in page
    assert "/trace/recycling/?year=2025" in page


def test_a_city_officer_sees_only_their_city_figures(client, world, reported):
    client.force_login(world.users["qingdao"])
    page = client.get("/trace/recycling/", {"year": 2025}).content.decode()
    assert f"?city={QINGDAO}" in page
    assert f"?city={DONGYING}" not in page
