"""Least privilege, end to end: each role sees exactly its share, in pages, exports and search.

The world: two enterprises in Dongying (370500), one in Qingdao (370200), all with 2024 values;
one user per role. Objects out of a user's scope answer 404 (never 403), so that their existence
is not disclosed.
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import openpyxl
import pytest

from tests.factories import credit_code, enterprise, values
from tests.roles import DONGYING, PROVINCE, QINGDAO, REGISTRY, ROLES, role_users
from tirebrain.orgs.models import Enterprise

#: Which cockpit scopes (``?org=``) each role may open; every other one answers 404.
COCKPIT = {
    "province": {"", PROVINCE, "north", DONGYING, QINGDAO, "a1", "a2", "b"},
    "department": {"", PROVINCE, "north", DONGYING, QINGDAO},
    "dongying": {"", DONGYING, "a1", "a2"},
    "qingdao": {"", QINGDAO, "b"},
    "enterprise": {"", "a1"},
}
SCOPES = ["", PROVINCE, "north", DONGYING, QINGDAO, "a1", "a2", "b", "nowhere"]

#: Whose reported values the records page behind T10 (all scopes, no ``org=``) lists.
RECORDS = {
    "province": {"a1", "a2", "b"},
    "department": set(),
    "dongying": {"a1", "a2"},
    "qingdao": {"b"},
    "enterprise": {"a1"},
}


@pytest.fixture
def world(plan):
    ents = {
        "a1": enterprise(
            1, DONGYING, name="黄河轮胎有限公司", honours=[("smart_factory", "provincial", 2023)]
        ),
        "a2": enterprise(2, DONGYING, name="胜利橡胶有限公司"),
        "b": enterprise(3, QINGDAO, name="海湾轮胎有限公司"),
    }
    for i, ent in enumerate(ents.values(), start=1):
        values(ent, "2024", revenue=1_234_567_000 * i, rd_spend=45_678_000 * i)
    users = role_users(ents)
    return SimpleNamespace(ents=ents, users=users)


def codes_of(world, keys) -> set[str]:
    return {world.ents[k].code for k in keys}


def codes_in(world, text: str) -> set[str]:
    """The world's credit codes that appear anywhere in the text."""
    return {e.code for e in world.ents.values() if e.code in text}


def org_param(world, key: str) -> str:
    return world.ents[key].code if key in world.ents else key


def login(client, world, role: str):
    client.force_login(world.users[role])
    return client


# --- the registry: list, search, detail -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_list_shows_exactly_the_users_enterprises(client, world, role):
    page = login(client, world, role).get("/enterprises/")
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == codes_of(world, REGISTRY[role])


SEARCHES = {
    # name → the world's enterprises it matches, before scoping
    "name:黄河": {"a1"},
    "name:轮胎": {"a1", "b"},
    "prefix:913705": {"a1", "a2"},
    "prefix:913702": {"b"},
    "prefix:a1": {"a1"},  # the first 16 characters of a1's code
    "prefix:nothing": set(),
}


def search_text(world, search: str) -> str:
    kind, text = search.split(":", 1)
    if kind == "prefix" and text in world.ents:
        return world.ents[text].code[:16].lower()  # case does not matter
    if text == "nothing":
        return "不存在的企业"
    return text


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("role", ROLES)
def test_search_by_name_and_credit_code_prefix_stays_in_scope(client, world, role, search):
    q = search_text(world, search)
    page = login(client, world, role).get("/enterprises/", {"q": q})
    assert page.status_code == 200
    expected = SEARCHES[search] & REGISTRY[role]
    assert codes_in(world, page.content.decode()) == codes_of(world, expected)


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_detail_is_404_out_of_scope(client, world, role):
    login(client, world, role)
    for key, ent in world.ents.items():
        expected = 200 if key in REGISTRY[role] else 404
        assert client.get(f"/enterprises/{ent.code}/").status_code == expected, key
        assert client.get(f"/enterprises/{ent.code.lower()}/").status_code == expected, key


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_detail_is_404_for_unknown_and_malformed_codes(client, world, role):
    login(client, world, role)
    absent = credit_code(99, DONGYING)
    assert not Enterprise.objects.filter(code=absent).exists()
    for code in (absent, "NOT-A-CREDIT-CODE", "913705", DONGYING, "dept-com"):
        assert client.get(f"/enterprises/{code}/").status_code == 404, code


def test_department_sees_registration_but_no_reported_values(client, world):
    a1 = world.ents["a1"]
    login(client, world, "department")
    page = client.get(f"/enterprises/{a1.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["values_visible"] is False
    assert "Registration" in html
    assert a1.code in html
    assert "Test Tyre 1" in html
    assert "Smart factory" in html  # honours are registry facts, not reported values
    assert "Reported values" not in html
    assert "1,234,567,000" not in html  # a1's 2024 revenue
    assert f"/cockpit/?org={a1.code}" not in html  # no link to its own cockpit either


@pytest.mark.parametrize("role", ["province", "dongying", "enterprise"])
def test_value_readers_see_the_reported_values(client, world, role):
    a1 = world.ents["a1"]
    page = login(client, world, role).get(f"/enterprises/{a1.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["values_visible"] is True
    html = page.content.decode()
    assert "Reported values" in html
    assert "1,234,567,000" in html


# --- exports ------------------------------------------------------------------------------------


def csv_codes(response) -> set[str]:
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "统一社会信用代码"
    return {row[0] for row in rows[1:]}


def xlsx_codes(response) -> set[str]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "统一社会信用代码"
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize("role", ROLES)
def test_exports_contain_exactly_the_users_enterprises(client, world, role):
    login(client, world, role)
    expected = codes_of(world, REGISTRY[role])
    assert csv_codes(client.get("/enterprises/export.csv")) == expected
    assert xlsx_codes(client.get("/enterprises/export.xlsx")) == expected


@pytest.mark.parametrize("role", ROLES)
def test_exports_follow_the_search_within_scope(client, world, role):
    login(client, world, role)
    expected = codes_of(world, {"a1", "a2"} & REGISTRY[role])
    assert csv_codes(client.get("/enterprises/export.csv", {"q": "913705"})) == expected
    assert xlsx_codes(client.get("/enterprises/export.xlsx", {"q": "913705"})) == expected


def test_export_in_an_unknown_format_is_404(client, world):
    login(client, world, "province")
    assert client.get("/enterprises/export.pdf").status_code == 404


# --- the cockpit and the records behind a figure ------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cockpit_scopes(client, world, role):
    login(client, world, role)
    for key in SCOPES:
        expected = 200 if key in COCKPIT[role] else 404
        response = client.get("/cockpit/", {"org": org_param(world, key), "year": "2024"})
        assert response.status_code == expected, f"{role} ?org={key}"


@pytest.mark.parametrize("role", ROLES)
def test_target_detail_scopes(client, world, role):
    login(client, world, role)
    for key in SCOPES:
        expected = 200 if key in COCKPIT[role] else 404
        response = client.get("/cockpit/T10/", {"org": org_param(world, key)})
        assert response.status_code == expected, f"{role} ?org={key}"


@pytest.mark.parametrize("role", ROLES)
def test_records_scopes(client, world, role):
    login(client, world, role)
    for key in SCOPES:
        expected = 200 if key in COCKPIT[role] else 404
        params = {"org": org_param(world, key), "year": "2024"}
        assert client.get("/cockpit/T10/records/", params).status_code == expected, key
        csv_response = client.get("/cockpit/T10/records/", {**params, "format": "csv"})
        assert csv_response.status_code == expected, f"{role} csv ?org={key}"


@pytest.mark.parametrize("role", ROLES)
def test_records_list_exactly_the_values_the_user_may_read(client, world, role):
    login(client, world, role)
    expected = codes_of(world, RECORDS[role])
    page = client.get("/cockpit/T10/records/", {"year": "2024"})
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == expected
    export = client.get("/cockpit/T10/records/", {"year": "2024", "format": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:] if row[0] == "value"} == expected


@pytest.mark.parametrize("org", ["", PROVINCE, "north", DONGYING, QINGDAO])
def test_department_records_show_no_enterprise(client, world, org):
    login(client, world, "department")
    for target in ("T10", "T1"):
        page = client.get(f"/cockpit/{target}/records/", {"org": org, "year": "2024"})
        assert page.status_code == 200
        assert page.context["values_hidden"] is True
        assert page.context["page"].paginator.count == 0
        assert codes_in(world, page.content.decode()) == set()
        export = client.get(
            f"/cockpit/{target}/records/", {"org": org, "year": "2024", "format": "csv"}
        )
        assert export.status_code == 200
        text = export.content.decode("utf-8-sig")
        assert codes_in(world, text) == set()
        assert not [r for r in csv.reader(io.StringIO(text)) if r and r[0] == "value"]


#: Whose honours the records page behind T6 (smart factories) lists: honours are registry facts.
HONOUR_RECORDS = {
    "province": {"a1"},
    "department": {"a1"},
    "dongying": {"a1"},
    "qingdao": set(),
    "enterprise": {"a1"},
}


@pytest.mark.parametrize("role", ROLES)
def test_honour_records_stay_in_the_registry_scope(client, world, role):
    login(client, world, role)
    page = client.get("/cockpit/T6/records/", {"year": "2024"})
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == codes_of(world, HONOUR_RECORDS[role])
    export = client.get("/cockpit/T6/records/", {"year": "2024", "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:] if r[0] == "honour"} == codes_of(world, HONOUR_RECORDS[role])
    assert not [r for r in rows[1:] if r[0] == "value"]


@pytest.mark.parametrize("path", ["/cockpit/", "/cockpit/T10/"])
def test_department_city_cockpit_does_not_drill_down_to_enterprises(client, world, path):
    login(client, world, "department")
    page = client.get(path, {"org": DONGYING, "year": "2024"})
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == set()


def test_city_officer_drills_down_to_its_own_enterprises_only(client, world):
    login(client, world, "dongying")
    page = client.get("/cockpit/T10/", {"year": "2024"})
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == codes_of(world, {"a1", "a2"})


# --- provincial-only pages and anonymous visitors -----------------------------------------------


@pytest.mark.parametrize("path", ["/enterprises/import/", "/audit/"])
@pytest.mark.parametrize("role", ROLES)
def test_import_and_audit_log_are_provincial_only(client, world, role, path):
    response = login(client, world, role).get(path)
    assert response.status_code == (200 if role == "province" else 404)


def import_upload() -> io.BytesIO:
    body = f"统一社会信用代码,企业名称,所在市\n{credit_code(50, QINGDAO)},新轮胎公司,{QINGDAO}\n"
    upload = io.BytesIO(body.encode("utf-8"))
    upload.name = "new.csv"
    return upload


@pytest.mark.parametrize("role", ["department", "dongying", "qingdao", "enterprise"])
def test_refused_import_changes_nothing(client, world, role):
    before = set(Enterprise.objects.values_list("code", "name_zh"))
    response = login(client, world, role).post("/enterprises/import/", {"file": import_upload()})
    assert response.status_code == 404
    assert set(Enterprise.objects.values_list("code", "name_zh")) == before


def test_provincial_import_of_the_same_file_works(client, world):
    response = login(client, world, "province").post(
        "/enterprises/import/", {"file": import_upload()}
    )
    assert response.status_code == 302
    assert Enterprise.objects.get(code=credit_code(50, QINGDAO)).name_zh == "新轮胎公司"


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/",
        "/enterprises/?q=913705",
        "/enterprises/{a1}/",
        "/enterprises/export.csv",
        "/enterprises/export.xlsx",
        "/enterprises/import/",
        "/cockpit/",
        "/cockpit/?org={a1}",
        "/cockpit/T10/",
        "/cockpit/T10/records/",
        "/cockpit/T10/records/?format=csv",
        "/audit/",
        "/accounts/password/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    response = client.get(path.format(a1=world.ents["a1"].code))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert world.ents["a1"].code not in response.content.decode()


def test_anonymous_home_page_shows_no_enterprise(client, world):
    page = client.get("/")
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == set()


def test_a_user_without_a_role_sees_nothing(client, world):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="pw-for-tests-1")
    client.force_login(nobody)
    page = client.get("/enterprises/")
    assert page.status_code == 200
    assert codes_in(world, page.content.decode()) == set()
    assert csv_codes(client.get("/enterprises/export.csv")) == set()
    assert client.get(f"/enterprises/{world.ents['a1'].code}/").status_code == 404
    assert client.get("/cockpit/").status_code == 404
    assert client.get("/cockpit/T10/records/", {"format": "csv"}).status_code == 404
    assert client.get("/audit/").status_code == 404
