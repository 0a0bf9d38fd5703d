"""The JSON API under /api/v1: bearer tokens, the same scoping as the pages, documented shape."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import credit_code, enterprise, user, values
from tests.roles import DONGYING, QINGDAO, REGISTRY, ROLES, role_users
from tirebrain.accounts.models import ApiToken
from tirebrain.accounts.services import create_token

#: ``org=`` values each role may ask /targets for; every other one answers 404.
TARGET_SCOPES = {
    "province": {"370000", "north", DONGYING, QINGDAO, "a1", "a2", "b"},
    "department": {"370000", "north", DONGYING, QINGDAO},
    "dongying": {DONGYING, "a1", "a2"},
    "qingdao": {QINGDAO, "b"},
    "enterprise": {"a1"},
}

#: The scope /targets answers for when no ``org=`` is given.
DEFAULT_SCOPE = {
    "province": "370000",
    "department": "370000",
    "dongying": DONGYING,
    "qingdao": QINGDAO,
    "enterprise": "a1",
}

TARGET_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "unit",
    "kind",
    "direction",
    "year",
    "value",
    "target",
    "target_year",
    "baseline",
    "baseline_year",
    "percent",
    "status",
    "projection",
    "projection_meets_target",
    "series",
}


@pytest.fixture
def world(plan):
    ents = {
        "a1": enterprise(
            1,
            DONGYING,
            name="黄河轮胎有限公司",
            honours=[("smart_factory", "provincial", 2023), ("tech_centre", "national", 2021)],
            lines=["semi_steel_radial", "all_steel_radial"],
        ),
        "a2": enterprise(2, DONGYING, name="胜利橡胶有限公司"),
        "b": enterprise(3, QINGDAO, name="海湾轮胎有限公司"),
    }
    for i, ent in enumerate(ents.values(), start=1):
        values(ent, "2023", revenue=1e9 * i, rd_spend=2e7 * i)
        values(ent, "2024", revenue=1.2e9 * i, rd_spend=3e7 * i)
    users = role_users(ents)
    keys = {role: create_token("tests", u.username, "tests") for role, u in users.items()}
    return SimpleNamespace(ents=ents, users=users, keys=keys)


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def get(client, world, role: str, path: str, **params):
    return client.get(path, params, **bearer(world.keys[role]))


def org_param(world, key: str) -> str:
    return world.ents[key].code if key in world.ents else key


def codes_of(world, keys) -> set[str]:
    return {world.ents[k].code for k in keys}


# --- health and authentication ------------------------------------------------------------------


def test_health_needs_no_token(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == connection.vendor


@pytest.mark.parametrize(
    "path", ["/api/v1/targets", "/api/v1/enterprises", "/api/v1/plan/versions"]
)
def test_endpoints_need_a_token(client, world, path):
    assert client.get(path).status_code == 401
    assert client.get(path, **bearer("tb_not-a-real-token")).status_code == 401
    assert client.get(path, HTTP_AUTHORIZATION="Basic cHJvdjpwdw==").status_code == 401


def test_wrong_or_revoked_token_is_401(client, world):
    key = world.keys["province"]
    assert client.get("/api/v1/targets", {"year": 2024}, **bearer(key)).status_code == 200
    assert client.get("/api/v1/targets", **bearer(key + "x")).status_code == 401
    ApiToken.objects.filter(user=world.users["province"]).update(revoked=True)
    response = client.get("/api/v1/targets", {"year": 2024}, **bearer(key))
    assert response.status_code == 401
    assert "targets" not in response.json()


def test_token_of_an_inactive_user_is_401(client, world):
    world.users["dongying"].is_active = False
    world.users["dongying"].save()
    assert get(client, world, "dongying", "/api/v1/enterprises").status_code == 401


def test_a_session_works_as_well_as_a_token(client, world):
    client.force_login(world.users["qingdao"])
    response = client.get("/api/v1/enterprises")
    assert response.status_code == 200
    assert {e["credit_code"] for e in response.json()["items"]} == codes_of(world, {"b"})


# --- /targets -----------------------------------------------------------------------------------


def test_targets_lists_all_18_with_the_documented_fields(client, world):
    response = get(client, world, "province", "/api/v1/targets", year=2024)
    assert response.status_code == 200
    body = response.json()
    assert body["plan_version"] == 1
    assert body["year"] == 2024
    assert body["scope"] == "370000"
    assert body["scope_kind"] == "province"
    assert [t["code"] for t in body["targets"]] == [f"T{i}" for i in range(1, 19)]
    for t in body["targets"]:
        assert set(t) == TARGET_FIELDS, t["code"]
        assert t["year"] == 2024
    t10 = next(t for t in body["targets"] if t["code"] == "T10")
    assert t10["unit"] == "cny"
    assert t10["value"] == pytest.approx(1.2e9 * 6)  # 1.2 + 2.4 + 3.6 billion
    assert t10["target"] == 180_000_000_000
    assert t10["target_year"] == 2027
    assert t10["baseline_year"] == 2023
    assert t10["baseline"] == pytest.approx(1e9 * 6)
    assert t10["percent"] is not None
    assert t10["status"]
    assert set(t10["series"]) >= {"2023", "2024"}


def test_targets_default_year_is_the_latest_with_data(client, world):
    body = get(client, world, "province", "/api/v1/targets").json()
    assert body["year"] == 2024


@pytest.mark.parametrize("role", ROLES)
def test_targets_default_scope_is_the_users_own(client, world, role):
    response = get(client, world, role, "/api/v1/targets", year=2024)
    assert response.status_code == 200
    assert response.json()["scope"] == org_param(world, DEFAULT_SCOPE[role])


def test_city_officer_gets_its_city_figures(client, world):
    body = get(client, world, "dongying", "/api/v1/targets", year=2024).json()
    assert body["scope"] == DONGYING
    assert body["scope_kind"] == "city"
    t10 = next(t for t in body["targets"] if t["code"] == "T10")
    assert t10["value"] == pytest.approx(1.2e9 * 3)  # a1 + a2, not Qingdao's b


@pytest.mark.parametrize("role", ROLES)
def test_targets_org_out_of_scope_is_404(client, world, role):
    for key in ["370000", "north", DONGYING, QINGDAO, "a1", "a2", "b", "nowhere", "dept-com"]:
        response = get(client, world, role, "/api/v1/targets", year=2024, org=org_param(world, key))
        expected = 200 if key in TARGET_SCOPES[role] else 404
        assert response.status_code == expected, f"{role} org={key}"
        if expected == 404:
            assert response.json() == {"detail": "Not found"}


# --- /enterprises -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_list_is_scoped(client, world, role):
    response = get(client, world, role, "/api/v1/enterprises")
    assert response.status_code == 200
    body = response.json()
    assert {e["credit_code"] for e in body["items"]} == codes_of(world, REGISTRY[role])
    assert body["count"] == len(REGISTRY[role])


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_list_search_and_filters_stay_in_scope(client, world, role):
    found = get(client, world, role, "/api/v1/enterprises", q="913705").json()
    assert {e["credit_code"] for e in found["items"]} == codes_of(
        world, {"a1", "a2"} & REGISTRY[role]
    )
    found = get(client, world, role, "/api/v1/enterprises", city=QINGDAO).json()
    assert {e["credit_code"] for e in found["items"]} == codes_of(world, {"b"} & REGISTRY[role])
    assert found["count"] == len({"b"} & REGISTRY[role])


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_detail_is_404_out_of_scope(client, world, role):
    for key, ent in world.ents.items():
        response = get(client, world, role, f"/api/v1/enterprises/{ent.code}")
        expected = 200 if key in REGISTRY[role] else 404
        assert response.status_code == expected, f"{role} {key}"
        if expected == 404:
            assert response.json() == {"detail": "Not found"}
            assert ent.name_zh not in response.content.decode()
    for code in (credit_code(99, DONGYING), "NOT-A-CODE", DONGYING):
        assert get(client, world, role, f"/api/v1/enterprises/{code}").status_code == 404


def test_enterprise_fields(client, world):
    a1 = world.ents["a1"]
    item = next(
        e
        for e in get(client, world, "dongying", "/api/v1/enterprises").json()["items"]
        if e["credit_code"] == a1.code
    )
    assert item["city"] == DONGYING
    assert item["name_zh"] == "黄河轮胎有限公司"
    assert item["above_scale"] is True
    assert sorted(item["product_lines"]) == ["all_steel_radial", "semi_steel_radial"]
    assert "honours" not in item

    detail = get(client, world, "enterprise", f"/api/v1/enterprises/{a1.code.lower()}").json()
    assert detail["credit_code"] == a1.code
    assert detail["city"] == DONGYING
    assert sorted(detail["product_lines"]) == ["all_steel_radial", "semi_steel_radial"]
    assert sorted(detail["honours"], key=lambda h: h["year"]) == [
        {"honour": "tech_centre", "level": "national", "year": 2021},
        {"honour": "smart_factory", "level": "provincial", "year": 2023},
    ]
    assert "address" in detail


def test_enterprise_list_has_no_n_plus_one(client, plan):
    prov = user("prov", "province")
    key = create_token("tests", prov.username)

    def make(ns):
        for n in ns:
            enterprise(
                n,
                DONGYING if n % 2 else QINGDAO,
                lines=["semi_steel_radial", "all_steel_radial"],
                honours=[("smart_factory", "provincial", 2023)],
            )

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/enterprises", **bearer(key))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    client.get("/api/v1/health")
    client.get("/api/v1/enterprises", **bearer(key))  # marks the token used once
    make(range(1, 6))
    few, n_few = count_queries()
    make(range(6, 16))
    many, n_many = count_queries()
    assert (n_few, n_many) == (5, 15)
    assert few == many


# --- /plan/versions -----------------------------------------------------------------------------


def test_plan_versions(client, world):
    response = get(client, world, "enterprise", "/api/v1/plan/versions")
    assert response.status_code == 200
    [version] = response.json()
    assert version["number"] == 1
    assert version["targets"] == 18
    assert version["tasks"] == 17
    assert len(version["sha256"]) == 64


# --- the OpenAPI document -----------------------------------------------------------------------


def test_openapi_document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    paths = set(doc["paths"])
    assert {
        "/api/v1/health",
        "/api/v1/targets",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{credit_code}",
        "/api/v1/plan/versions",
    } <= paths
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    bearer_names = {n for n, s in schemes.items() if s.get("scheme") == "bearer"}
    for path in ("/api/v1/targets", "/api/v1/enterprises", "/api/v1/plan/versions"):
        security = doc["paths"][path]["get"]["security"]
        assert any(bearer_names & set(s) for s in security), path
    assert "security" not in doc["paths"]["/api/v1/health"]["get"]
