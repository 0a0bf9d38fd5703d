"""The product form: the import's rules, field by field; who may create and edit; edits change
the product in place, re-derive its classes and verdict, and are audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import enterprise, user
from tirebrain.core.models import AuditEntry
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, save_product


@pytest.fixture
def world(plan):
    """Two enterprises in Dongying and Qingdao, each with one high-end product."""
    dongying, qingdao = enterprise(1, "370500"), enterprise(2, "370200")
    made = {"dongying": dongying, "qingdao": qingdao}
    for key, ent in (("dy", dongying), ("qd", qingdao)):
        made[key] = save_product(
            "tests",
            ProductInput(
                enterprise=ent.code,
                brand=f"Brand{key}",
                pattern="EcoA",
                size="205/55R16 91V",
                product_line="semi_steel_radial",
                rolling_resistance=Decimal("6.5"),
                wet_grip=Decimal("1.55"),
                noise_db=68,
                outputs={2024: 1000, 2025: 2000},
            ),
        )
    return made


def post_data(ent, **changes) -> dict[str, str]:
    fields = {
        "credit_code": ent.code,
        "brand": "New",
        "pattern": "Sport1",
        "size": "225/45R17 94W",
        "product_line": "semi_steel_radial",
        "rolling_resistance": "7.0",
        "wet_grip": "1.40",
        "noise_db": "70",
        "wear_km_per_mm": "",
        "gtin": "4006381333931",
        "test_report": "R-1",
        "output_2024": "500",
        "output_2025": "",
    }
    return fields | changes


def snapshot() -> list[tuple]:
    return list(
        Product.objects.order_by("pk").values_list("pk", "brand", "pattern", "size", "gtin")
    )


@pytest.mark.parametrize("role", ["province", "enterprise"])
def test_create_a_product(client, world, role):
    ent = world["dongying"]
    client.force_login(user("u", role, ent.code if role == "enterprise" else None))
    assert client.get("/products/new/").status_code == 200
    response = client.post("/products/new/", post_data(ent, categories=["ev_nev"], snow="on"))
    p = Product.objects.get(brand="New")
    assert response.status_code == 302 and response["Location"] == f"/products/{p.pk}/"
    assert (p.enterprise, p.size, p.tyre_class, p.gtin) == (
        ent,
        "225/45 R17 94W",
        "C1",
        "04006381333931",
    )
    assert (p.rr_class, p.wet_class, p.snow, p.ice) == ("B", "B", True, False)
    assert list(p.categories.values_list("code", flat=True)) == ["ev_nev"]
    assert list(p.outputs.values_list("year", "units")) == [(2024, 500)]
    assert (p.is_high_end, p.high_end_gap) == (True, 0)
    entry = AuditEntry.objects.get(object_type="product", object_id=str(p.pk))
    assert (entry.action, entry.actor_name, entry.before) == ("create", "u", None)
    # the message after the redirect names the product
    assert "New Sport1 225/45 R17 94W" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("role", ["province", "enterprise"])
def test_edit_changes_the_product_in_place_and_rederives_it(client, world, role):
    p, ent = world["dy"], world["dongying"]
    client.force_login(user("u", role, ent.code if role == "enterprise" else None))
    form = client.get(f"/products/{p.pk}/edit/").context["form"]
    assert form.initial["size"] == "205/55 R16 91V" and form.initial["rolling_resistance"] == "6.5"
    data = post_data(
        ent,
        brand="Branddy",
        pattern="EcoB",
        size="195/65R15 91H",
        rolling_resistance="9.5",
        wet_grip="1.25",
        gtin="",
        output_2024="1000",
        output_2025="",
    )
    response = client.post(f"/products/{p.pk}/edit/", data)
    assert response.status_code == 302
    assert Product.objects.count() == 2  # changed, not added
    p.refresh_from_db()
    assert (p.pattern, p.size, p.aspect_ratio) == ("EcoB", "195/65 R15 91H", 65)
    assert (p.rr_class, p.is_high_end, p.high_end_rules) == ("D", False, [])
    # series 65 misses 55 by 10 / 55; RRC 9.5 misses 9.0 by 0.5 / 9.0; G 1.25 is met
    assert p.high_end_gap == pytest.approx(1000 / 55 + 50 / 9)
    assert list(p.outputs.values_list("year", "units")) == [(2024, 1000)]  # 2025 emptied
    entry = AuditEntry.objects.get(object_type="product", object_id=str(p.pk), action="update")
    assert (entry.before["size"], entry.after["size"]) == ("205/55 R16 91V", "195/65 R15 91H")
    assert (entry.before["is_high_end"], entry.after["is_high_end"]) == (True, False)
    assert entry.before["outputs"] == {"2024": 1000, "2025": 2000}
    assert entry.after["outputs"] == {"2024": 1000}


def test_an_edit_keeps_the_enterprise(client, world):
    client.force_login(user("prov", "province"))
    p = world["dy"]
    data = post_data(world["qingdao"], brand="Branddy", pattern="EcoA", gtin="")
    assert client.post(f"/products/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.enterprise == world["dongying"]


def test_an_enterprise_cannot_create_for_another(client, world):
    client.force_login(user("firm", "enterprise", world["dongying"].code))
    before = snapshot()
    page = client.post("/products/new/", post_data(world["qingdao"]))  # a tampered POST
    assert page.status_code == 200 and "credit_code" in page.context["form"].errors
    assert snapshot() == before


def test_an_enterprise_cannot_edit_another_enterprises_product(client, world):
    client.force_login(user("firm", "enterprise", world["dongying"].code))
    other = world["qd"]
    before = snapshot()
    assert client.get(f"/products/{other.pk}/edit/").status_code == 404
    data = post_data(world["qingdao"], brand="Hacked")
    assert client.post(f"/products/{other.pk}/edit/", data).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(("role", "scope"), [("city", "370500"), ("department", "dept-com")])
def test_city_and_department_officers_may_not_create_or_edit(client, world, role, scope):
    client.force_login(user("u", role, scope))
    before = snapshot()
    p = world["dy"]
    assert client.get("/products/new/").status_code == 404
    assert client.post("/products/new/", post_data(world["dongying"])).status_code == 404
    assert client.get(f"/products/{p.pk}/edit/").status_code == 404
    assert client.post(f"/products/{p.pk}/edit/", post_data(world["dongying"])).status_code == 404
    assert snapshot() == before
    assert "/products/new/" not in client.get("/products/").content.decode()
    assert f"/products/{p.pk}/edit/" not in client.get(f"/products/{p.pk}/").content.decode()


def test_the_public_is_sent_to_log_in(client, world):
    assert client.get("/products/new/").status_code == 302
    assert client.post(f"/products/{world['dy'].pk}/edit/", {}).status_code == 302
    assert not Product.objects.filter(brand="New").exists()


@pytest.mark.parametrize(
    ("changes", "field", "english", "chinese"),
    [
        ({"size": "225/45R17 94X"}, "size", "unknown speed symbol “X”", "未知速度符号“X”"),
        (
            {"gtin": "4006381333932"},
            "gtin",
            "the check digit of 4006381333932 should be 1",
            "4006381333932 的校验位应为 1",
        ),
        (
            {"rolling_resistance": "31"},
            "rolling_resistance",
            "31 is out of range (0 to 30)",
            "31 超出范围（0 至 30）",
        ),
        ({"wet_grip": "1.405"}, "wet_grip", "1.405 has more than 2 decimals", None),
        ({"output_2024": "-5"}, "output_2024", "-5 is out of range", None),
    ],
)
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_saved(
    client, world, changes, field, english, chinese
):
    client.force_login(user("prov", "province"))
    before = snapshot()
    for lang, words in (("en", english), ("zh-hans", chinese)):
        page = client.post(
            "/products/new/", post_data(world["dongying"], **changes), HTTP_ACCEPT_LANGUAGE=lang
        )
        assert page.status_code == 200
        errors = page.context["form"].errors
        assert list(errors) == [field]
        if words:
            assert words in errors[field][0]
            assert words in page.content.decode()
    assert snapshot() == before


def test_a_bad_edit_changes_nothing(client, world):
    client.force_login(user("prov", "province"))
    p = world["dy"]
    before = snapshot()
    data = post_data(world["dongying"], size="205/55R16", rolling_resistance="abc")
    page = client.post(f"/products/{p.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert set(page.context["form"].errors) == {"rolling_resistance"}
    assert snapshot() == before
    assert Product.objects.get(pk=p.pk).rolling_resistance == Decimal("6.5")


def test_an_edit_onto_another_products_name_is_refused(client, world):
    client.force_login(user("prov", "province"))
    other = save_product(
        "tests",
        ProductInput(
            enterprise=world["dongying"].code,
            brand="Branddy",
            pattern="EcoB",
            size="205/55R16 91V",
            product_line="semi_steel_radial",
        ),
    )
    before = snapshot()
    data = post_data(world["dongying"], brand="Branddy", pattern="EcoB", size="205/55 R16 91V")
    page = client.post(f"/products/{world['dy'].pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "another product of this brand" in page.context["form"].errors["size"][0]
    assert snapshot() == before and other.pk in [row[0] for row in before]


def test_a_gtin_another_product_holds_is_refused(client, world):
    client.force_login(user("prov", "province"))
    world["qd"].gtin = "04006381333931"
    world["qd"].save()
    before = snapshot()
    page = client.post("/products/new/", post_data(world["dongying"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "belongs to another product" in page.context["form"].errors["gtin"][0]
    assert snapshot() == before


def test_the_form_offers_the_plan_years_and_the_products_own(client, world):
    client.force_login(user("prov", "province"))
    p = world["dy"]
    save_product(
        "tests",
        ProductInput(
            enterprise=world["dongying"].code,
            brand="Branddy",
            pattern="EcoA",
            size="205/55R16 91V",
            product_line="semi_steel_radial",
            outputs={2019: 10},
        ),
    )
    new = client.get("/products/new/").context["form"]
    edit = client.get(f"/products/{p.pk}/edit/").context["form"]
    plan_years = list(range(2024, min(2027, dt.date.today().year) + 1))  # the plan: 2024–2027
    assert new.years == plan_years
    assert edit.years == [2019, *plan_years]
    assert edit.initial["output_2019"] == "10"


def test_an_enterprise_user_is_offered_only_itself(client, world):
    client.force_login(user("firm", "enterprise", world["dongying"].code))
    form = client.get("/products/new/").context["form"]
    assert [code for code, _name in form.fields["credit_code"].choices] == [world["dongying"].code]


def test_an_edit_of_a_product_changed_meanwhile_is_refused(client, world):
    client.force_login(user("prov", "province"))
    p = world["dy"]
    seen = client.get(f"/products/{p.pk}/edit/").context["form"].initial["seen"]
    # the enterprise changes the product while the officer has the form open
    save_product(
        "firm",
        ProductInput(
            enterprise=world["dongying"].code,
            brand="Branddy",
            pattern="EcoA",
            size="205/55R16 91V",
            product_line="semi_steel_radial",
            rolling_resistance=Decimal("7.0"),
        ),
        product=p,
    )
    data = post_data(world["dongying"], brand="Branddy", pattern="EcoA", gtin="", seen=seen)
    page = client.post(f"/products/{p.pk}/edit/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "changed this product since you opened it" in page.content.decode()
    p.refresh_from_db()
    assert (p.size, p.rolling_resistance) == ("205/55 R16 91V", Decimal("7.0"))
    # with what is stored now in view, the edit goes through
    data["seen"] = client.get(f"/products/{p.pk}/edit/").context["form"].initial["seen"]
    assert client.post(f"/products/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.size == "225/45 R17 94W"
