"""Product pages: scoped for officers and enterprises, public fields only for everyone else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import enterprise, user
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, save_product


@pytest.fixture
def products(plan):
    dongying, qingdao = enterprise(1, "370500"), enterprise(2, "370200")
    made = {}
    for key, ent, gtin in (("dy", dongying, "4006381333931"), ("qd", qingdao, None)):
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
                gtin=gtin and "0" + gtin,
                test_report="SECRET-REPORT-42",
                outputs={2024: 123456},
            ),
        )
    made["dongying"] = dongying
    return made


@pytest.mark.parametrize(
    ("role", "scope", "sees"),
    [
        ("province", None, {"dy", "qd"}),
        ("city", "370500", {"dy"}),
        ("city", "370200", {"qd"}),
    ],
)
def test_product_list_and_detail_are_scoped(client, products, role, scope, sees):
    client.force_login(user("u", role, scope))
    html = client.get("/products/").content.decode()
    assert {k for k in ("dy", "qd") if f"Brand{k}" in html} == sees
    for key in ("dy", "qd"):
        status = client.get(f"/products/{products[key].pk}/").status_code
        assert status == (200 if key in sees else 404)


@pytest.mark.parametrize("text", ["测试轮胎1", "test tyre 1", "Test Tyre 1", "BRANDDY", "91V"])
def test_the_product_search_finds_by_enterprise_name_in_either_language(client, products, text):
    client.force_login(user("u", "province", None))
    html = client.get("/products/", {"q": text}).content.decode()
    assert ("Branddy" in html, "Brandqd" in html) == (True, text == "91V")


def test_enterprise_user_sees_only_its_products(client, products):
    client.force_login(user("firm", "enterprise", products["dongying"].code))
    assert client.get(f"/products/{products['dy'].pk}/").status_code == 200
    assert client.get(f"/products/{products['qd'].pk}/").status_code == 404


def test_public_page_shows_no_non_public_field(client, products):
    page = client.get("/01/04006381333931/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Branddy" in html and "205/55 R16 91V" in html
    assert "SECRET-REPORT-42" not in html and "123456" not in html and "123,456" not in html
    by_id = client.get(f"/p/{products['qd'].pk}/").content.decode()
    assert "SECRET-REPORT-42" not in by_id


def test_public_lookup_by_gtin_redirects_to_the_digital_link(client, products):
    response = client.get("/lookup/?gtin=4006381333931")
    assert response.status_code == 302 and response["Location"] == "/01/04006381333931/"
    assert "Branddy" in client.get("/lookup/?size=205/55&brand=Branddy").content.decode()


def test_public_lookup_queries_do_not_grow_with_its_results(client, products):
    def queries(brand: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            html = client.get("/lookup/", {"size": "205/55", "brand": brand}).content.decode()
        assert "Branddy" in html
        return len(captured)

    assert queries("Brand") == queries("Branddy")  # two results, one result


def test_label_is_an_svg_with_the_classes_and_a_qr_code(client, products):
    response = client.get(f"/products/{products['dy'].pk}/label.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "205/55 R16 91V" in svg and "segno" in svg
    assert "SECRET-REPORT-42" not in svg


def test_public_page_shows_the_measured_values(client, products):
    html = client.get("/01/04006381333931/").content.decode()
    assert "6.5" in html and "1.55" in html and "68" in html


def csv_file(rows: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "credit_code,brand,pattern,size,product_line,rolling_resistance,wet_grip,output_2024\n"
    return SimpleUploadedFile("p.csv", ("\n".join([text.strip(), *rows]) + "\n").encode())


def test_product_import_page_all_or_nothing(client, products):
    client.force_login(user("prov", "province"))
    code = products["dongying"].code
    bad = csv_file(
        [
            f"{code},New,P1,225/45R17 94W,semi_steel_radial,7.0,1.4,500",
            f"{code},New,P2,225/45R17 94X,semi_steel_radial,7.0,1.4,500",
        ]
    )
    page = client.post("/products/import/", {"file": bad})
    html = page.content.decode()
    assert page.status_code == 200 and "“X”" in html  # row 3's unknown speed symbol is named
    assert not Product.objects.filter(brand="New").exists()
    good = csv_file([f"{code},New,P1,225/45R17 94W,semi_steel_radial,7.0,1.4,500"])
    assert client.post("/products/import/", {"file": good}).status_code == 302
    assert Product.objects.get(brand="New").outputs.get().units == 500


def test_an_enterprise_imports_only_its_own_products(client, products):
    client.force_login(user("firm", "enterprise", products["dongying"].code))
    other = enterprise(3, "370200")
    page = client.post(
        "/products/import/",
        {"file": csv_file([f"{other.code},X,P1,225/45R17 94W,semi_steel_radial,7.0,1.4,500"])},
    )
    assert page.status_code == 200
    assert not Product.objects.filter(brand="X").exists()


def test_city_officers_cannot_import_products(client, products):
    client.force_login(user("dy", "city", "370500"))
    assert client.get("/products/import/").status_code == 404


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_search_mentions_enterprises_only_to_those_who_see_several(client, products, lang):
    placeholders = {
        "zh-hans": ("规格、品牌、花纹或企业", "规格、品牌或花纹"),
        "en": ("Size, brand, pattern or enterprise", "Size, brand or pattern"),
    }
    officers, enterprise_users = placeholders[lang]
    client.force_login(user("prov", "province"))
    html = client.get("/products/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'placeholder="{officers}"' in html
    client.force_login(user("firm", "enterprise", products["dongying"].code))
    html = client.get("/products/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'placeholder="{enterprise_users}"' in html
    assert officers not in html
