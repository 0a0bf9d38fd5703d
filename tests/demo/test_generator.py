"""The demo data generator: deterministic, complete, clearly fictional, and a mix of statuses."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tirebrain.datavalues.models import DataElement, DataValue, ValueRollup
from tirebrain.demo.generator import (
    ELEMENTS,
    EXCLUDED_TRADE_NAMES,
    TRADE_NAMES,
    DemoDataError,
    generate,
)
from tirebrain.indicators.services import evaluate_targets, province_scope
from tirebrain.orgs.creditcode import validate_credit_code
from tirebrain.orgs.models import Enterprise, Honour, Organisation
from tirebrain.plan.models import PlanVersion

YEARS = range(2021, 2026)


def snapshot() -> tuple[list, list, list]:
    enterprises = list(
        Enterprise.objects.filter(is_demo=True)
        .order_by("code")
        .values_list(
            "code",
            "name_zh",
            "name_en",
            "city__code",
            "above_scale",
            "capacity_tyres",
            "founded_year",
        )
    )
    values = sorted(
        DataValue.objects.filter(org__enterprise__is_demo=True).values_list(
            "element__code", "period_id", "org__code", "value"
        )
    )
    honours = sorted(
        Honour.objects.filter(enterprise__is_demo=True).values_list(
            "enterprise__code", "honour_type__code", "level", "year"
        )
    )
    return enterprises, values, honours


def test_same_seed_gives_the_same_data(plan):
    generate("tests", enterprises=20, seed=7)
    first = snapshot()
    generate("tests", enterprises=20, seed=7, reset=True)
    second = snapshot()
    assert first[0] == second[0]
    assert first[1] == second[1]
    assert first[2] == second[2]
    assert first[2], "some honours"


def test_a_different_seed_gives_different_data(plan):
    generate("tests", enterprises=20, seed=7)
    first = snapshot()
    generate("tests", enterprises=20, seed=8, reset=True)
    second = snapshot()
    assert {e[0] for e in first[0]} != {e[0] for e in second[0]}
    assert [v[3] for v in first[1]] != [v[3] for v in second[1]]


def test_counts_codes_and_demo_marks(plan):
    summary = generate("tests", enterprises=20, seed=7)
    assert (summary.enterprises, summary.values) == (20, 20 * len(YEARS) * 20)
    assert summary.honours == Honour.objects.count()
    assert len(ELEMENTS) == 20
    assert set(ELEMENTS) == set(DataElement.objects.values_list("code", flat=True))
    enterprises = list(Enterprise.objects.select_related("city"))
    assert len(enterprises) == 20
    cities = set(Organisation.objects.cities().values_list("code", flat=True))
    for ent in enterprises:
        assert ent.is_demo
        assert ent.city.code in cities
        assert ent.parent_id == ent.city_id
        assert validate_credit_code(ent.code) == ent.code
        assert ent.code[2:4] == "37" and ent.code[2:6] == ent.city.code[:4]
        assert ent.name_zh.endswith("（示例）")
        assert ent.name_en.endswith("(demo)")
        assert not any(real in ent.name_zh for real in EXCLUDED_TRADE_NAMES)
        assert ent.product_lines.exists()
    assert len({e.name_zh for e in enterprises}) == 20
    assert DataValue.objects.count() == 20 * len(YEARS) * 20
    for element in ELEMENTS:
        for year in YEARS:
            assert (
                DataValue.objects.filter(element__code=element, period_id=str(year)).count() == 20
            )
    assert ValueRollup.objects.exists()


def test_trade_names_are_invented():
    for zh, pinyin in TRADE_NAMES:
        assert len(zh) == 2 and pinyin.isalpha()
        assert not any(real in zh or zh in real for real in EXCLUDED_TRADE_NAMES)
    assert len({zh for zh, _p in TRADE_NAMES}) == len(TRADE_NAMES)


def test_refuses_twice_without_reset_and_reset_replaces(plan):
    generate("tests", enterprises=5, seed=1)
    with pytest.raises(DemoDataError, match="already exist"):
        generate("tests", enterprises=5, seed=1)
    generate("tests", enterprises=8, seed=1, reset=True)
    assert Enterprise.objects.filter(is_demo=True).count() == 8
    assert DataValue.objects.count() == 8 * len(YEARS) * 20


def test_needs_reference_data_and_plan(db):
    with pytest.raises(DemoDataError, match="Reference data is not loaded"):
        generate("tests", enterprises=5)


def test_needs_a_plan(reference):
    with pytest.raises(DemoDataError, match="No plan is loaded"):
        generate("tests", enterprises=5)


def test_progress_is_reported(plan):
    calls = []
    generate("tests", enterprises=10, seed=3, progress=lambda *a: calls.append(a))
    stages = [c[0] for c in calls]
    assert "enterprises" in stages and "values" in stages
    assert ("enterprises", 10, 10) in calls
    assert ("values", 1000, 1000) in calls


def test_command_loads_what_it_needs_and_prints_one_summary_line(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_data", "--enterprises", "12", "--seed", "5", stdout=out, stderr=err)
    assert PlanVersion.objects.exists()
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Demo data: 12 enterprises, ")
    assert "1,200 values" in lines[0] and lines[0].endswith("(seed 5).")
    with pytest.raises(CommandError, match="already exist"):
        call_command("demo_data", "--enterprises", "12", stdout=out, stderr=err)
    call_command("demo_data", "--enterprises", "3", "--reset", stdout=out, stderr=err)
    assert Enterprise.objects.filter(is_demo=True).count() == 3


def test_default_data_set_shows_a_mix_of_statuses(plan):
    summary = generate("tests")  # 150 enterprises, seed 2024
    assert summary.values == 150 * 5 * 20
    results = {r.target.code: r for r in evaluate_targets(plan, province_scope(), 2025)}
    statuses = {code: r.status for code, r in results.items()}
    # Statuses in 2025 at N = 150, seed 2024 (baseline 2023 from the data):
    #   on track:  T2 (1 new demonstration enterprise), T4 (90.2 % vs line 88.4), T6 (16 vs 15),
    #              T7 (105 % of benchmark vs line 106), T8 (intensity falls), T12 (1 in top 10),
    #              T13 (77.5 % vs line 77), T16 (36 vs 34), T17 (3 vs 3), T18 (share rises)
    #   at risk:   T1 (2.60 % vs line 2.65), T3 (24 vs 24.5), T10 (1600 亿 vs 1625),
    #              T14 (545 亿 vs 550)
    #   off track: T5 (92.0 % vs line 94.1), T9 (14 vs 16), T11 (4 vs 4.5), T15 (690 亿 vs 720)
    assert statuses == {
        "T1": "at_risk",
        "T2": "on_track",
        "T3": "at_risk",
        "T4": "on_track",
        "T5": "off_track",
        "T6": "on_track",
        "T7": "on_track",
        "T8": "on_track",
        "T9": "off_track",
        "T10": "at_risk",
        "T11": "off_track",
        "T12": "on_track",
        "T13": "on_track",
        "T14": "at_risk",
        "T15": "off_track",
        "T16": "on_track",
        "T17": "on_track",
        "T18": "on_track",
    }
    assert {"on_track", "at_risk", "off_track"} <= set(statuses.values())
    assert 1.3e11 <= results["T10"].value <= 1.9e11
    assert results["T10"].series[2023] == pytest.approx(1.45e11, rel=0.01)
    assert results["T12"].series[2023] == 0 and results["T12"].value == 1
    assert results["T11"].series[2023] == 3
