"""The label's scope (Regulation (EU) 2020/740 Art. 2): which tyres get no label classes, and
how the derivation, the label, the pages, the analysis and the grading API say so.

Bounds as the article writes them: "speed rating less than 80 km/h" (80 is in scope), "nominal
rim diameter does not exceed 254 mm [10″] or is 635 mm [25″] or more" (10″ and 25″ are out).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import enterprise
from tirebrain.products import analysis
from tirebrain.products.grading import (
    GradingError,
    SchemeFileError,
    get_scheme,
    label_scope,
    load_scheme_file,
    scope_facts,
)
from tirebrain.products.models import Product
from tirebrain.products.services import ProductInput, product_label_scope, save_product
from tirebrain.products.sizes import parse_size

EU = "eu-2020-740"
SHIPPED = Path(__file__).parents[2] / "data" / "grading" / "eu-2020-740.yaml"
SPEED, RIM = "speed_below_minimum", "rim_diameter_outside"


def codes(**facts) -> tuple[str, ...]:
    return label_scope(EU, facts).codes


# -- the rules ---------------------------------------------------------------------------------


def test_the_shipped_scope():
    scope = get_scheme(EU).scope
    assert scope.min_speed_kmh == 80
    assert (scope.rim_min_exclusive_in, scope.rim_max_exclusive_in) == (10, 25)
    assert [e.reason.code for e in scope.exclusions] == [
        "not_c1_c2_c3",
        "professional_off_road",
        "temporary_spare",
        "retreaded",
        "vintage",
        "studded",
        "racing",
        "used",
    ]
    assert [e.reason.article for e in scope.exclusions] == [
        "Art. 2(1)",
        "Art. 2(2)(a)",
        "Art. 2(2)(c)",
        "Art. 2(1)",
        "Art. 2(2)(b)",
        "Art. 2(2)(f)",
        "Art. 2(2)(g)",
        "Art. 2(2)(h)",
    ]
    assert all(e.status in ("verified", "provisional") for e in scope.exclusions)
    data = get_scheme(EU).data["scope"]
    assert "gesetze.legal/eu/vo_eu_2020_740/2" in data["source"]
    for rule in (data["speed"], data["rim_diameter"], *data["exclusions"]):
        assert "Art. 2" in rule["evidence"], rule["code"]


@pytest.mark.parametrize(
    ("speed", "expected"),
    [(70, (SPEED,)), (79, (SPEED,)), (79.9, (SPEED,)), (80, ()), (81, ()), (300, ())],
)
def test_speed_below_80_kmh_is_out_and_80_is_in(speed, expected):
    assert codes(speed_kmh=speed) == expected


@pytest.mark.parametrize(
    ("rim", "expected"),
    [
        (8, (RIM,)),
        (9.5, (RIM,)),
        (10, (RIM,)),  # 254 mm "does not exceed 254 mm": out
        (10.5, ()),
        (11, ()),
        (24.5, ()),
        (25, (RIM,)),  # 635 mm "or more": out
        (25.5, (RIM,)),
        (57, (RIM,)),
    ],
)
def test_rim_of_10_or_less_and_25_or_more_is_out(rim, expected):
    assert codes(rim_diameter_in=rim) == expected


def test_unknown_speed_and_rim_exclude_nothing():
    assert codes() == ()
    assert codes(speed_kmh=None, rim_diameter_in=None) == ()
    assert label_scope(EU, {}).in_scope


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("205/55R16 91V", ()),
        ("295/80R22.5 152/149F", ()),  # 80 km/h: in
        ("295/80R22.5 152/149E", (SPEED,)),  # 70 km/h: out
        ("145/70R10 68T", (RIM,)),
        ("145/70R10.5 68T", ()),
        ("155/70R11 68T", ()),
        ("295/80R24.5 152/149M", ()),
        ("205/55R25 91V", (RIM, "professional_off_road")),
        ("40.00R57", (RIM, "professional_off_road")),
        ("T125/80D16 97M", ("temporary_spare",)),
        ("480/70R38", (RIM, "not_c1_c2_c3")),
        ("46x17R20 30PR", ("not_c1_c2_c3",)),
        ("3.50-10 51J", (RIM,)),
    ],
)
def test_what_the_size_tells(size, expected):
    assert label_scope(EU, scope_facts(parse_size(size))).codes == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"categories": ["non_pneumatic"]}, ("not_c1_c2_c3",)),
        ({"categories": ["aviation"]}, ("not_c1_c2_c3",)),
        ({"categories": ["agricultural_radial"]}, ("not_c1_c2_c3",)),
        ({"categories": ["self_sealing", "ev_nev", "wide_base"]}, ()),
        ({"product_line": "retread"}, ("retreaded",)),
        ({"product_line": "motorcycle"}, ("not_c1_c2_c3",)),
        ({"product_line": "otr"}, ("professional_off_road",)),
        ({"product_line": "semi_steel_radial"}, ()),
        ({"flags": ["professional_off_road"]}, ("professional_off_road",)),
        ({"flags": ["vintage"]}, ("vintage",)),
        ({"flags": ["temporary_spare"]}, ("temporary_spare",)),
        ({"flags": ["studded"]}, ("studded",)),
        ({"flags": ["racing"]}, ("racing",)),
        ({"flags": ["used"]}, ("used",)),
        ({"flags": ["studded", "racing"]}, ("studded", "racing")),
    ],
)
def test_categories_lines_and_flags(facts, expected):
    size = parse_size("205/55R16 91V")
    assert label_scope(EU, scope_facts(size, **facts)).codes == expected


def test_reasons_carry_their_article_and_messages_in_both_languages(settings):
    from django.utils import translation

    (speed,) = label_scope(EU, {"speed_kmh": 70}).reasons
    assert (speed.code, speed.article) == (SPEED, "Art. 2(2)(d)")
    assert speed.label_zh == "速度级别低于 80 km/h"
    assert speed.label_en == "speed rating below 80 km/h"
    with translation.override("en"):
        assert speed.message == "speed rating below 80 km/h"
    with translation.override("zh-hans"):
        assert speed.message == "速度级别低于 80 km/h"
    (rim,) = label_scope(EU, {"rim_diameter_in": 10}).reasons
    assert rim.label_en == "nominal rim diameter of 10″ or less, or 25″ or more"
    assert rim.label_zh == "名义轮辋直径不大于 10″ 或不小于 25″"


@pytest.mark.usefixtures("english")
def test_unknown_facts_and_flags_are_refused():
    with pytest.raises(GradingError, match="unknown scope facts speed; use size_family"):
        label_scope(EU, {"speed": 70})
    with pytest.raises(GradingError, match="unknown flags winter; use professional_off_road"):
        label_scope(EU, {"flags": ["winter"]})


# -- the loader --------------------------------------------------------------------------------

TOY = """\
code: toy-green
name_zh: 测试绿色轮胎分级
name_en: Toy green-tyre grading
source: {act: made up for a test}
applies_from: 2024-01-01
tyre_classes: [C1]
measures: {}
scope:
  speed: {code: slow, article: A1, min_kmh: 80, label_zh: "慢 {min_kmh}",
          label_en: "slow {min_kmh}", status: verified, evidence: e}
  rim_diameter: {code: rim, article: A2, min_exclusive_in: 10, max_exclusive_in: 25,
                 label_zh: 轮辋, label_en: rim, status: verified, evidence: e}
  exclusions:
    - {code: otr, article: A3, label_zh: 工程, label_en: otr, size_families: [otr],
       status: provisional, evidence: e}
"""


def _toy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "toy-green.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_toy_scope_loads(tmp_path):
    scheme = load_scheme_file(_toy(tmp_path, TOY))
    assert scheme.scope.min_speed_kmh == 80
    assert label_scope(scheme, {"speed_kmh": 79, "size_family": "otr"}).codes == ("slow", "otr")
    assert label_scope(scheme, {"speed_kmh": 79}).reasons[0].label_en == "slow 80"
    without = load_scheme_file(_toy(tmp_path, TOY.split("scope:")[0]))
    assert label_scope(without, {"speed_kmh": 5, "rim_diameter_in": 63}).in_scope


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "min_kmh: 80,",
            "max_kmh: 80,",
            "toy-green.yaml: scope.speed: unknown keys ['max_kmh']; use ['article', 'code', "
            "'evidence', 'label_en', 'label_zh', 'min_kmh', 'status']",
        ),
        (
            "  exclusions:",
            "  excluded:",
            "toy-green.yaml: scope: unknown keys ['excluded']; use ['exclusions', "
            "'rim_diameter', 'source', 'speed']",
        ),
        (
            "min_kmh: 80,",
            "min_kmh: fast,",
            "toy-green.yaml: scope.speed.min_kmh: should be a number, got 'fast'",
        ),
        (
            "max_exclusive_in: 25,",
            "max_exclusive_in: 5,",
            "toy-green.yaml: scope.rim_diameter: min_exclusive_in 10 should be below 5",
        ),
        (
            "min_exclusive_in: 10, max_exclusive_in: 25,",
            "",
            "toy-green.yaml: scope.rim_diameter: needs min_exclusive_in or max_exclusive_in "
            "(inches)",
        ),
        (
            "size_families: [otr]",
            "size_families: [moon]",
            "toy-green.yaml: scope.exclusions[0].size_families: unknown ['moon']; use "
            "['passenger_metric', 'light_truck_metric', 'commercial_metric', 'truck_bus', "
            "'flotation', 'otr', 'agricultural', 'aircraft', 'bias_inch']",
        ),
        (
            "size_families: [otr]",
            "flags: [winter]",
            "toy-green.yaml: scope.exclusions[0].flags: unknown ['winter']; use "
            "['professional_off_road', 'vintage', 'temporary_spare', 'studded', 'racing', 'used']",
        ),
        (
            "size_families: [otr],",
            "",
            "toy-green.yaml: scope.exclusions[0]: needs at least one of ['size_families', "
            "'size_prefixes', 'categories', 'product_lines', 'flags']",
        ),
        (
            "size_families: [otr]",
            "size_families: []",
            "toy-green.yaml: scope.exclusions[0].size_families: should be a non-empty list of "
            "names",
        ),
        (
            "code: otr,",
            "code: rim,",
            "toy-green.yaml: scope.exclusions[0].code: “rim” appears twice",
        ),
        (
            'label_en: "slow {min_kmh}",',
            'label_en: "slow {max_kmh}",',
            "toy-green.yaml: scope.speed.label_en: cannot fill in 'max_kmh'; it may name "
            "['{min_kmh}']",
        ),
        (
            "status: provisional, evidence: e}",
            "status: maybe, evidence: e}",
            "toy-green.yaml: scope.exclusions[0].status: should be verified or provisional",
        ),
        (
            "status: provisional, evidence: e}",
            "status: provisional}",
            "toy-green.yaml: scope.exclusions[0].evidence: is required (text)",
        ),
        ("  exclusions:\n", "  exclusions: otr\n", None),
    ],
)
def test_a_bad_scope_section_is_refused(tmp_path, old, new, message):
    assert old in TOY
    text = TOY.replace(old, new)
    if message is None:  # the exclusions list replaced by text
        text = TOY.split("  exclusions:")[0] + "  exclusions: otr\n"
        message = "toy-green.yaml: scope.exclusions: should be a list"
    with pytest.raises(SchemeFileError) as info:
        load_scheme_file(_toy(tmp_path, text))
    assert str(info.value) == message


def test_the_shipped_file_with_a_bad_scope_is_refused(tmp_path):
    shipped = SHIPPED.read_text(encoding="utf-8")
    broken = shipped.replace("    min_kmh: 80\n", "    min_kmh: 80\n    max_kmh: 300\n")
    assert broken != shipped
    path = tmp_path / "eu-2020-740.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SchemeFileError, match=r"^eu-2020-740\.yaml: scope\.speed: unknown keys"):
        load_scheme_file(path)


# -- the registry ------------------------------------------------------------------------------


@pytest.fixture
def firm(plan):
    return enterprise(1, "370500", lines=["semi_steel_radial", "all_steel_radial", "retread"])


def truck(firm, size: str, **extra) -> Product:
    fields = dict(
        enterprise=firm.code,
        brand="示例",
        pattern="LongHaul",
        size=size,
        product_line="all_steel_radial",
        rolling_resistance=Decimal("4.0"),
        wet_grip=Decimal("1.25"),
        noise_db=70,
    )
    return save_product("tests", ProductInput(**(fields | extra)))


def _classes(p: Product) -> tuple[str, str, str, str]:
    return (p.tyre_class, p.rr_class, p.wet_class, p.noise_class)


def test_derivation_grades_in_scope_and_leaves_out_of_scope_blank(firm):
    at_80 = truck(firm, "295/80R22.5 152/149F")
    at_70 = truck(firm, "295/80R22.5 152/149E", pattern="SlowHaul")
    rim_24_5 = truck(firm, "295/80R24.5 152/149M", pattern="Big")
    retread = truck(firm, "295/80R22.5 152/149M", pattern="ReTread", product_line="retread")
    assert _classes(at_80) == ("C3", "A", "A", "A")
    assert _classes(at_70) == ("C3", "", "", "")
    assert _classes(rim_24_5) == ("C3", "A", "A", "A")
    assert _classes(retread) == ("C3", "", "", "")
    assert product_label_scope(at_70).codes == (SPEED,)
    assert product_label_scope(retread).codes == ("retreaded",)
    assert product_label_scope(at_80).in_scope
    # the high-end verdict does not depend on the label: it reads the measured values
    assert at_70.high_end_gap == at_80.high_end_gap


def test_a_temporary_spare_and_a_non_pneumatic_tyre_get_no_classes(firm):
    spare = truck(firm, "T125/80D16 97M", product_line="semi_steel_radial", pattern="Spare")
    airless = truck(
        firm,
        "205/55R16 91V",
        product_line="semi_steel_radial",
        pattern="AirFree",
        categories=["non_pneumatic"],
    )
    assert _classes(spare) == ("C1", "", "", "")
    assert _classes(airless) == ("C1", "", "", "")
    assert product_label_scope(airless).codes == ("not_c1_c2_c3",)


def test_class_distributions_count_only_in_scope_products(firm):
    truck(firm, "295/80R22.5 152/149F")
    truck(firm, "295/80R22.5 152/149E", pattern="SlowHaul")
    (row,) = analysis.class_distribution(Product.objects.all(), "rr_class", "city")
    assert (row["total"], row["A"]) == (1, 1)


def test_rederive_applies_a_changed_scope(firm, settings, tmp_path):
    at_80 = truck(firm, "295/80R22.5 152/149F")
    Product.objects.filter(pk=truck(firm, "295/80R22.5 152/149E", pattern="S").pk).update(
        rr_class="A", wet_class="A", noise_class="A"
    )
    out = StringIO()
    call_command("products", "rederive", stdout=out)
    assert "1 products changed" in out.getvalue()  # the stale classes of the 70 km/h tyre
    assert _classes(Product.objects.get(pattern="S")) == ("C3", "", "", "")
    data = tmp_path / "data"
    shutil.copytree(Path(settings.REFERENCE_DIR), data)
    scheme = data / "grading" / "eu-2020-740.yaml"
    text = scheme.read_text(encoding="utf-8")
    scheme.write_text(text.replace("    min_kmh: 80\n", "    min_kmh: 90\n"), encoding="utf-8")
    settings.REFERENCE_DIR = data  # drops the cached schemes
    call_command("products", "rederive", stdout=out)
    at_80.refresh_from_db()
    assert _classes(at_80) == ("C3", "", "", "")
    assert product_label_scope(at_80).codes == (SPEED,)


# -- the label and the pages -------------------------------------------------------------------


def test_the_label_of_an_out_of_scope_product_is_a_card_with_the_reasons(client, firm):
    spare = truck(firm, "T125/80D16 97M", product_line="semi_steel_radial", pattern="Spare")
    svg = client.get(f"/products/{spare.pk}/label.svg").content.decode()
    assert svg.startswith("<svg")
    assert "不在欧盟轮胎标签范围内" in svg
    assert "Outside the EU tyre label (Regulation (EU) 2020/740, Art. 2)" in svg
    assert "· T 型临时备用轮胎（Art. 2(2)(c)）" in svg
    assert "  T-type temporary-use spare tyre" in svg
    assert "segno" in svg  # the QR code to the public page stays
    assert "滚动阻力" not in svg and "未分级" not in svg and "冰面" not in svg
    in_scope = truck(firm, "295/80R22.5 152/149F")
    svg = client.get(f"/products/{in_scope.pk}/label.svg").content.decode()
    assert "滚动阻力" in svg and "不在欧盟轮胎标签范围内" not in svg


def test_a_long_reason_is_wrapped_on_the_label(firm):
    from tirebrain.products.label import reason_lines

    scope = label_scope(EU, scope_facts(parse_size("480/70R38")))
    lines = reason_lines(scope)
    assert [line["lang"] for line in lines] == ["zh", "en", "zh", "zh", "en", "en"]
    assert [line["y"] for line in lines] == [196, 211, 226, 241, 256, 271]
    assert lines[0]["text"] == "· 名义轮辋直径不大于 10″ 或不小于 25″（Art. 2(2)(e)）"


def test_public_page_and_detail_show_the_reason_instead_of_classes(client, firm):
    from tests.factories import user

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    slow = truck(firm, "295/80R22.5 152/149E", gtin="04006381333931")
    for path in ("/01/04006381333931/", f"/p/{slow.pk}/"):
        html = client.get(path).content.decode()
        assert "Outside the EU tyre label (Regulation (EU) 2020/740, Art. 2)" in html
        assert '<li data-reason="speed_below_minimum">speed rating below 80 km/h' in html
        assert "Art. 2(2)(d)" in html
    client.force_login(user("u", "province", None))
    html = client.get(f"/products/{slow.pk}/").content.decode()
    assert '<li data-reason="speed_below_minimum">' in html
    assert 'class="grade' not in html
    looked_up = client.get("/lookup/", {"size": "295/80", "brand": "示例"}).content.decode()
    assert "outside the EU tyre label" in looked_up and 'class="grade' not in looked_up
    graded = truck(firm, "295/80R22.5 152/149F", pattern="Fast")
    html = client.get(f"/products/{graded.pk}/").content.decode()
    assert "data-reason" not in html and '<span class="grade gA">A</span>' in html


def test_the_public_page_in_chinese(client, firm):
    slow = truck(firm, "295/80R22.5 152/149E")
    html = client.get(f"/p/{slow.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "不在欧盟轮胎标签范围内（法规 (EU) 2020/740 第 2 条）" in html
    assert "速度级别低于 80 km/h" in html


# -- the grading API ---------------------------------------------------------------------------


def _grades(client, **payload):
    return client.post(
        "/api/v1/grades", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_grading_api_answers_as_before_and_says_in_scope(client, db):
    r = _grades(client, tyre_class="C1", rolling_resistance=6.6, wet_grip=1.54, noise_db=68,
                section_width_mm=205)  # fmt: skip
    assert r.status_code == 200
    assert r.json() == {
        "scheme": EU,
        "rr_class": "B",
        "wet_class": "B",
        "noise_class": "A",
        "noise_limit_db": 71.0,
        "in_scope": True,
        "out_of_scope": [],
    }


def test_the_grading_api_says_out_of_scope(client, db):
    r = _grades(client, size="295/80R22.5 152/149E", rolling_resistance=4.0)
    assert r.status_code == 200
    assert r.json() == {
        "scheme": EU,
        "rr_class": None,
        "wet_class": None,
        "noise_class": None,
        "noise_limit_db": None,
        "in_scope": False,
        "out_of_scope": [
            {
                "code": "speed_below_minimum",
                "article": "Art. 2(2)(d)",
                "message": "speed rating below 80 km/h",
            }
        ],
    }
    codes_of = lambda r: [x["code"] for x in r.json()["out_of_scope"]]  # noqa: E731
    assert codes_of(_grades(client, tyre_class="C1", speed_kmh=79)) == ["speed_below_minimum"]
    assert codes_of(_grades(client, tyre_class="C1", speed_kmh=80)) == []
    assert codes_of(_grades(client, tyre_class="C1", rim_diameter_in=10)) == [RIM]
    assert codes_of(_grades(client, tyre_class="C1", rim_diameter_in=24.5)) == []
    assert codes_of(_grades(client, tyre_class="C1", flags=["studded"])) == ["studded"]
    assert codes_of(_grades(client, size="40.00R57")) == [RIM, "professional_off_road"]
    assert codes_of(_grades(client, tyre_class="C3", product_line="retread")) == ["retreaded"]


def test_the_grading_api_takes_the_tyre_class_from_the_size(client, db):
    r = _grades(client, size="295/80R22.5 152/149F", rolling_resistance=4.0)
    assert (r.status_code, r.json()["rr_class"], r.json()["in_scope"]) == (200, "A", True)
    bad = _grades(client, size="6.50-16 10PR", rolling_resistance=4.0)
    assert bad.status_code == 422
    assert bad.json() == {"detail": "give the tyre class (C1, C2 or C3), or a size that tells it"}
    assert _grades(client, size="205/55R99").status_code == 422
    flag = _grades(client, tyre_class="C1", flags=["winter"])
    assert flag.status_code == 422 and "unknown flags winter" in flag.json()["detail"]
