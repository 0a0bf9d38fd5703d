"""Products API: parse, grade, and products with public or scoped fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import enterprise, user
from tirebrain.accounts.services import create_token
from tirebrain.products.services import ProductInput, save_product


def test_parse_a_size(client, db):
    r = client.get("/api/v1/sizes/parse", {"text": "295/80R22.5 152/149M"})
    assert r.status_code == 200
    body = r.json()
    assert (body["tyre_class"], body["rim_diameter_in"], body["load_indices"]) == (
        "C3",
        22.5,
        [152, 149],
    )


def test_a_bad_size_says_where(client, db):
    r = client.get("/api/v1/sizes/parse", {"text": "205/55R16 91X"})
    assert r.status_code == 422
    assert (r.json()["reason"], r.json()["position"]) == ("unknown_speed_symbol", 12)


def test_grade_values(client, db):
    r = client.post(
        "/api/v1/grades",
        {
            "tyre_class": "C1",
            "rolling_resistance": 6.6,
            "wet_grip": 1.54,
            "noise_db": 68,
            "section_width_mm": 205,
        },
        content_type="application/json",
    )
    assert r.status_code == 200
    assert (r.json()["rr_class"], r.json()["wet_class"], r.json()["noise_class"]) == ("B", "B", "A")
    bad = client.post("/api/v1/grades", {"tyre_class": "C9"}, content_type="application/json")
    assert bad.status_code == 422


@pytest.fixture
def product(plan):
    ent = enterprise(1, "370500")
    return save_product(
        "tests",
        ProductInput(
            enterprise=ent.code,
            brand="B",
            pattern="P",
            size="205/55R16 91V",
            product_line="semi_steel_radial",
            rolling_resistance=Decimal("7.0"),
            wet_grip=Decimal("1.3"),
            test_report="SECRET-7",
            outputs={2024: 999},
        ),
    )


def test_anonymous_sees_public_fields_only(client, product):
    body = client.get(f"/api/v1/products/{product.pk}").json()
    assert body["size"] == "205/55 R16 91V" and body["rr_class"] == "B"
    assert "test_report" not in body and "outputs" not in body
    listed = client.get("/api/v1/products", {"size": "205/55"}).json()
    assert listed["count"] == 1 and "test_report" not in listed["items"][0]


def test_scope_decides_full_fields(client, product):
    key = create_token("tests", user("dy", "city", "370500").username)
    body = client.get(f"/api/v1/products/{product.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["test_report"] == "SECRET-7" and body["outputs"] == {"2024": 999}
    other = create_token("tests", user("qd", "city", "370200").username)
    body = client.get(f"/api/v1/products/{product.pk}", HTTP_AUTHORIZATION=f"Bearer {other}").json()
    assert "test_report" not in body  # another city's product: public fields only
    assert (
        client.get(
            f"/api/v1/products/{product.pk}", HTTP_AUTHORIZATION="Bearer nonsense"
        ).status_code
        == 401
    )
