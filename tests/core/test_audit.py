"""The audit log: who did what, when, with the state before and after."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from tests.factories import credit_code, enterprise, user
from tirebrain.accounts.services import create_user
from tirebrain.core import audit
from tirebrain.core.models import AuditAction, AuditEntry
from tirebrain.datavalues.services import ValueInput, store_values
from tirebrain.orgs.models import Enterprise
from tirebrain.orgs.services import (
    EnterpriseInput,
    HonourInput,
    delete_enterprise,
    enterprise_snapshot,
    save_enterprise,
)
from tirebrain.plan.services import load_plan

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def officer(reference):
    return user("officer", "province")


def latest(object_type: str, **filters) -> AuditEntry:
    return AuditEntry.objects.filter(object_type=object_type, **filters).order_by("-id").first()


def entry_input(**changes) -> EnterpriseInput:
    data = {
        "code": credit_code(1),
        "name_zh": "东营测试轮胎有限公司",
        "name_en": "Dongying Test Tyre Co.",
        "city": "370500",
        "above_scale": True,
        "product_lines": ["semi_steel_radial"],
        "capacity_tyres": 5_000_000,
        "founded_year": 2005,
        "address": "东营市测试路1号",
        "honours": [HonourInput("smart_factory", "provincial", 2022)],
    }
    data.update(changes)
    return EnterpriseInput(**data)


def assert_recent(entry: AuditEntry) -> None:
    assert timezone.now() - entry.at < dt.timedelta(minutes=1)


# --- enterprises ---------------------------------------------------------------------------------


def test_enterprise_create_records_who_when_and_the_fields(officer):
    ent = save_enterprise(officer, entry_input())
    entry = latest("enterprise")
    assert entry.action == AuditAction.CREATE
    assert entry.object_id == ent.code
    assert entry.actor == officer
    assert entry.actor_name == "officer"
    assert_recent(entry)
    assert entry.before is None
    assert entry.after == {
        "code": ent.code,
        "name_zh": "东营测试轮胎有限公司",
        "name_en": "Dongying Test Tyre Co.",
        "city": "370500",
        "above_scale": True,
        "capacity_tyres": 5_000_000,
        "founded_year": 2005,
        "address": "东营市测试路1号",
        "product_lines": ["semi_steel_radial"],
        "honours": ["smart_factory:provincial:2022"],
    }


def test_enterprise_change_records_exactly_the_changed_field(officer):
    save_enterprise(officer, entry_input())
    save_enterprise(officer, entry_input(name_zh="东营新名称轮胎有限公司"))
    entry = latest("enterprise")
    assert entry.action == AuditAction.UPDATE
    assert entry.actor == officer
    assert_recent(entry)
    assert entry.changed_fields() == [("name_zh", "东营测试轮胎有限公司", "东营新名称轮胎有限公司")]
    assert {k: v for k, v in entry.before.items() if k != "name_zh"} == {
        k: v for k, v in entry.after.items() if k != "name_zh"
    }


def test_saving_an_unchanged_enterprise_writes_no_entry(officer):
    save_enterprise(officer, entry_input())
    count = AuditEntry.objects.count()
    save_enterprise(officer, entry_input())
    assert AuditEntry.objects.count() == count


def test_honour_change_through_save_enterprise(officer):
    save_enterprise(officer, entry_input())
    save_enterprise(
        officer,
        entry_input(
            honours=[
                HonourInput("smart_factory", "provincial", 2023),
                HonourInput("green_factory", "national", 2024),
            ]
        ),
    )
    entry = latest("enterprise")
    assert entry.action == AuditAction.UPDATE
    assert entry.changed_fields() == [
        (
            "honours",
            ["smart_factory:provincial:2022"],
            ["green_factory:national:2024", "smart_factory:provincial:2023"],
        )
    ]


def test_product_line_change_is_recorded(officer):
    save_enterprise(officer, entry_input())
    save_enterprise(officer, entry_input(product_lines=["otr", "semi_steel_radial"]))
    assert latest("enterprise").changed_fields() == [
        ("product_lines", ["semi_steel_radial"], ["otr", "semi_steel_radial"])
    ]


def test_enterprise_delete_keeps_the_state_before(officer):
    ent = save_enterprise(officer, entry_input())
    snapshot = enterprise_snapshot(ent)
    delete_enterprise(officer, ent)
    assert not Enterprise.objects.filter(code=snapshot["code"]).exists()
    entry = latest("enterprise")
    assert entry.action == AuditAction.DELETE
    assert entry.object_id == snapshot["code"]
    assert entry.actor == officer
    assert entry.before == snapshot
    assert entry.after is None


def test_entries_outlive_the_user(officer):
    save_enterprise(officer, entry_input())
    officer.delete()
    entry = latest("enterprise")
    assert entry.actor is None
    assert entry.actor_name == "officer"


def test_command_line_actor_is_named(reference):
    save_enterprise("cli", entry_input())
    entry = latest("enterprise")
    assert (entry.actor, entry.actor_name) == (None, "cli")


# --- values ---------------------------------------------------------------------------------


def test_value_create_and_change_through_store_values(officer):
    ent = enterprise(1, "370500")
    store_values(officer, [ValueInput("revenue", "2024", ent.code, "1000000")])
    created = latest("datavalue")
    assert created.action == AuditAction.CREATE
    assert created.actor == officer
    assert_recent(created)
    assert created.before is None
    assert created.after == {"value": "1000000"}
    assert ent.code in created.object_id
    assert "revenue" in created.object_id and "2024" in created.object_id

    store_values(officer, [ValueInput("revenue", "2024", ent.code, "1250000.5")])
    changed = latest("datavalue")
    assert changed.action == AuditAction.UPDATE
    assert changed.object_id == created.object_id
    assert changed.before == {"value": "1000000"}
    assert changed.after == {"value": "1250000.5"}
    assert changed.changed_fields() == [("value", "1000000", "1250000.5")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (decimal.Decimal("100"), "100"),
        (decimal.Decimal("100.000000"), "100"),
        (decimal.Decimal("1.500000"), "1.5"),
        (decimal.Decimal("0.000001"), "0.000001"),
        (decimal.Decimal("-2.50"), "-2.5"),
        (decimal.Decimal("0E-6"), "0"),
    ],
)
def test_decimals_are_kept_in_plain_notation(db, value, text):
    entry = audit.record("tests", AuditAction.UPDATE, "x", "1", after={"value": value})
    entry.refresh_from_db()
    assert entry.after == {"value": text}


# --- plan, users --------------------------------------------------------------------------------


def test_plan_load_records_version_numbers(officer, tmp_path):
    first = load_plan(officer, settings.PLAN_FILE).version
    entry = latest("plan", action=AuditAction.LOAD)
    assert entry.actor == officer
    assert entry.before is None
    assert entry.after["version"] == 1
    assert entry.after["sha256"] == first.content_sha256
    assert entry.after["file"] == settings.PLAN_FILE.name

    data = yaml.safe_load(settings.PLAN_FILE.read_text(encoding="utf-8"))
    data["targets"][2]["target"]["value"] = 35
    changed = tmp_path / "plan-v2.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    second = load_plan(officer, changed).version
    entry = latest("plan", action=AuditAction.LOAD)
    assert entry.before == {"version": 1, "sha256": first.content_sha256}
    assert entry.after["version"] == 2
    assert entry.after["sha256"] == second.content_sha256
    assert "v2" in entry.summary

    count = AuditEntry.objects.count()
    load_plan(officer, changed)  # unchanged: no new version, nothing to record
    assert AuditEntry.objects.count() == count


def test_user_creation_is_recorded(reference):
    admin = user("admin", "province")
    user("dongying", "city", "370500")
    entry = latest("user")
    assert entry.action == AuditAction.CREATE
    assert entry.object_id == "dongying"
    assert entry.after == {"role": "city", "scope": "370500", "email": ""}
    assert entry.actor_name == "tests"
    assert "password" not in str(entry.after)
    create_user(admin, "weifang", role="city", scope="370700", password="pw-for-tests-2")
    entry = latest("user")
    assert (entry.actor, entry.object_id) == (admin, "weifang")


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def log(officer):
    save_enterprise(officer, entry_input())
    save_enterprise(officer, entry_input(name_zh="东营改名轮胎有限公司"))
    store_values(officer, [ValueInput("revenue", "2024", credit_code(1), "42")])


def test_audit_page_lists_entries_for_a_provincial_officer(client, officer, log):
    client.force_login(officer)
    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert credit_code(1) in html
    assert "东营改名轮胎有限公司" in html  # the change, before → after
    assert "datavalue" in html
    assert "officer" in html


def test_audit_page_filters_by_object_type(client, officer, log):
    client.force_login(officer)
    html = client.get("/audit/?type=datavalue", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "revenue/2024/" in html
    assert "东营改名轮胎有限公司" not in html
    page = client.get("/audit/?type=enterprise", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(page.context["page"])
    assert rows
    assert {e.object_type for e in rows} == {"enterprise"}
    assert "东营改名轮胎有限公司" in page.content.decode()
    rows = list(client.get("/audit/?type=enterprise&action=update").context["page"])
    assert [e.action for e in rows] == [AuditAction.UPDATE]


@pytest.mark.parametrize(("role", "scope"), [("city", "370500"), ("department", None)])
def test_audit_page_is_for_provincial_officers_only(client, reference, plan, role, scope):
    client.force_login(user("someone", role, scope or "dept-iit"))
    assert client.get("/audit/").status_code == 404


def test_audit_page_needs_a_log_in(client, db):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]
