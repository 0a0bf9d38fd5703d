"""The ``tirebrain`` console script: users, tokens and reference data from the command line."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import connections

from tests.factories import enterprise, user, values
from tirebrain.accounts.models import ApiToken
from tirebrain.cli import main
from tirebrain.core.models import AuditAction, AuditEntry
from tirebrain.datavalues.models import DataElement, Unit
from tirebrain.orgs.models import HonourType, Organisation, ProductLine

User = get_user_model()


@pytest.fixture(autouse=True)
def keep_connection(monkeypatch):
    """A command closes the connections when it ends; the test still needs its own."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


pytestmark = pytest.mark.usefixtures("english")


def run(capsys, *argv: str) -> tuple[str, str]:
    main(list(argv))
    captured = capsys.readouterr()
    return captured.out, captured.err


def fails(capsys, *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    return exc.value.code, capsys.readouterr().err


# --- users ---------------------------------------------------------------------------------


def test_users_create_prints_a_password_and_creates_the_user(reference, capsys):
    out, _err = run(capsys, "users", "create", "dongying", "--role", "city", "--scope", "370500")
    match = re.fullmatch(r"Created dongying \(city\); password: (\S+)\n", out)
    assert match, out
    password = match.group(1)
    assert len(password) >= 12

    created = User.objects.get(username="dongying")
    assert created.profile.role == "city"
    assert created.profile.scope == Organisation.objects.get(code="370500")
    assert not created.is_staff
    assert authenticate(username="dongying", password=password) == created
    entry = AuditEntry.objects.get(object_type="user", object_id="dongying")
    assert (entry.action, entry.actor_name) == (AuditAction.CREATE, "cli")


def test_users_create_with_a_given_password(reference, capsys):
    out, _err = run(
        capsys, "users", "create", "prov", "--role", "province", "--password", "a-long-secret-1"
    )
    assert out == "Created prov (province)\n"  # a password the operator typed is not echoed
    assert User.objects.get(username="prov").is_staff
    assert authenticate(username="prov", password="a-long-secret-1") is not None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "boss"], "boss"),
        (["--role", "city"], "--scope"),
        (["--role", "city", "--scope", "999999"], "999999"),
        (["--role", "province", "--scope", "370500"], "takes no --scope"),
        (["--role", "enterprise", "--scope", "370500"], "370500"),
    ],
)
def test_users_create_refuses_bad_roles_and_scopes(reference, capsys, args, words):
    code, err = fails(capsys, "users", "create", "someone", *args)
    assert code == 1
    assert err.startswith("CommandError: ")
    assert words in err
    assert not User.objects.filter(username="someone").exists()


def test_users_create_refuses_an_existing_name(reference, capsys):
    user("taken", "province")
    code, err = fails(capsys, "users", "create", "taken", "--role", "province")
    assert code == 1
    assert "taken" in err


def test_users_list(reference, capsys):
    user("prov", "province")
    user("dongying", "city", "370500")
    out, _err = run(capsys, "users", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["dongying", "city", "370500"]
    assert lines[1].split() == ["prov", "province"]


# --- tokens ------------------------------------------------------------------------------------


@pytest.fixture
def with_data(plan):
    ent = enterprise(1, "370500")
    values(ent, "2024", revenue=1e9, rd_spend=3e7)


def test_token_create_prints_a_key_that_authenticates(with_data, client, capsys):
    user("api-user", "province")
    out, _err = run(capsys, "token", "create", "api-user", "--label", "reports")
    key = out.strip()
    assert key.startswith("tb_")
    assert len(key) > 40
    token = ApiToken.objects.get()
    assert token.name == "reports"
    assert key not in token.key_hash  # only the hash is stored
    assert token.last_used_at is None

    response = client.get("/api/v1/targets", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2024
    assert [t["code"] for t in body["targets"]] == [f"T{i}" for i in range(1, 19)]
    token.refresh_from_db()
    assert token.last_used_at is not None

    assert client.get("/api/v1/targets").status_code == 401
    wrong = client.get("/api/v1/targets", HTTP_AUTHORIZATION=f"Bearer {key}x")
    assert wrong.status_code == 401


def test_token_is_scoped_like_its_user(with_data, client, capsys):
    user("dongying", "city", "370500")
    out, _err = run(capsys, "token", "create", "dongying")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {out.strip()}"}
    own = client.get("/api/v1/targets", **auth)
    assert own.status_code == 200
    assert own.json()["scope"] == "370500"
    assert client.get("/api/v1/targets?org=370200", **auth).status_code == 404


def test_token_create_refuses_an_unknown_user(db, capsys):
    code, err = fails(capsys, "token", "create", "nobody")
    assert code == 1
    assert "nobody" in err
    assert not ApiToken.objects.exists()


# --- reference data -------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "cities": Organisation.objects.cities().count(),
        "elements": DataElement.objects.count(),
        "units": Unit.objects.count(),
        "honour_types": HonourType.objects.count(),
        "product_lines": ProductLine.objects.count(),
    }


def test_reference_load_is_idempotent(db, capsys):
    first, _err = run(capsys, "reference", "load")
    assert re.fullmatch(r"Reference data: 16 cities, \d+ data elements\.\n", first)
    after_first = counts()
    assert after_first["cities"] == 16
    assert after_first["organisations"] == 17  # and the province
    changes = AuditEntry.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()
    assert changes == 17

    second, _err = run(capsys, "reference", "load")
    assert second == first
    assert counts() == after_first
    assert (
        AuditEntry.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()
        == changes
    )


def test_reference_load_updates_an_edited_city(reference, capsys):
    Organisation.objects.filter(code="370500").update(name_en="Dongying (old)")
    run(capsys, "reference", "load")
    assert Organisation.objects.get(code="370500").name_en == "Dongying"
    entry = AuditEntry.objects.get(object_id="370500", action=AuditAction.UPDATE)
    assert entry.changed_fields() == [("name_en", "Dongying (old)", "Dongying")]


def test_dashes_in_command_names_become_underscores(db, capsys):
    code, err = fails(capsys, "no-such-command")
    assert code == 1
    assert "no_such_command" in err
