"""The cockpit pages render for each role, with the figures the services compute."""

from __future__ import annotations

import pytest

from tests.factories import enterprise, user, values


@pytest.fixture
def small(plan):
    a = enterprise(1, "370500")
    b = enterprise(2, "370200")
    for ent, revenue in ((a, 20e9), (b, 5e9)):
        values(ent, "2023", revenue=revenue * 0.9, rd_spend=revenue * 0.02)
        values(ent, "2024", revenue=revenue, rd_spend=revenue * 0.03)
    return {"a": a, "b": b}


def test_cockpit_shows_all_targets_to_a_provincial_officer(client, small):
    client.force_login(user("prov", "province"))
    page = client.get("/cockpit/?year=2024", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for i in range(1, 19):
        assert f'data-code="T{i}"' in html
    assert "250.0" in html  # T10: 25 billion CNY = 250.0 × 100 million


def test_target_detail_and_records(client, small):
    client.force_login(user("prov", "province"))
    assert client.get("/cockpit/T1/?year=2024").status_code == 200
    records = client.get("/cockpit/T10/records/?year=2024")
    assert records.status_code == 200
    assert small["a"].code in records.content.decode()
    csv = client.get("/cockpit/T10/records/?year=2024&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert small["b"].code in csv.content.decode("utf-8-sig")


def test_display_wall_mode(client, small):
    client.force_login(user("prov", "province"))
    html = client.get("/cockpit/?display=wall").content.decode()
    assert 'class="wall"' in html
    assert 'http-equiv="refresh"' in html
