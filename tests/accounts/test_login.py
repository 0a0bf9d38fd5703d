"""Log-in with throttling, log-out, password change; creating users; API tokens."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model

from tests.factories import enterprise, user
from tirebrain.accounts.access import role_of, scope_of
from tirebrain.accounts.models import ApiToken, LoginAttempt, Profile
from tirebrain.accounts.services import (
    ADDRESS_FACTOR,
    AccountError,
    create_token,
    create_user,
    user_for_token,
)
from tirebrain.core.models import AuditEntry

User = get_user_model()
PASSWORD = "pw-for-tests-1"  # what tests.factories.user() sets


def log_in(client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def logged_in_as(client) -> str | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id).username if user_id else None


# --- log-in, log-out, password change -----------------------------------------------------------


def test_login_page_renders(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()


def test_login_and_logout(client, reference):
    user("dongying", "city", "370500")
    response = log_in(client, "dongying", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/cockpit/"
    assert logged_in_as(client) == "dongying"
    assert client.get("/enterprises/").status_code == 200

    assert client.post("/accounts/logout/").status_code == 302
    assert logged_in_as(client) is None
    response = client.get("/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_follows_a_safe_next_only(client, reference):
    user("prov", "province")
    response = client.post(
        "/accounts/login/?next=/enterprises/", {"username": "prov", "password": PASSWORD}
    )
    assert response["Location"] == "/enterprises/"
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/?next=https://evil.example/", {"username": "prov", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/cockpit/"


def test_wrong_password_is_refused(client, reference):
    user("prov", "province")
    response = log_in(client, "prov", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_as(client) is None
    assert LoginAttempt.objects.filter(username="prov", succeeded=False).count() == 1


def test_logout_needs_post(client, reference):
    client.force_login(user("prov", "province"))
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_as(client) == "prov"


def test_throttle_refuses_even_the_right_password(client, reference):
    user("prov", "province")
    limit = settings.LOGIN_MAX_FAILURES
    for _ in range(limit):
        assert log_in(client, "prov", "wrong").status_code == 200
    response = log_in(client, "prov", PASSWORD)
    assert response.status_code == 429
    assert logged_in_as(client) is None
    # the refused attempt was not even checked, let alone counted as a success
    assert not LoginAttempt.objects.filter(succeeded=True).exists()
    assert LoginAttempt.objects.filter(username="prov", succeeded=False).count() == limit


def test_throttle_counts_the_user_name_case_insensitively(client, reference):
    user("prov", "province")
    for i in range(settings.LOGIN_MAX_FAILURES):
        log_in(client, "PROV" if i % 2 else "prov", "wrong")
    assert log_in(client, "prov", PASSWORD).status_code == 429
    assert logged_in_as(client) is None


def test_throttle_is_per_user_name_from_other_addresses(client, reference):
    user("prov", "province")
    for i in range(settings.LOGIN_MAX_FAILURES):
        log_in(client, "prov", "wrong", REMOTE_ADDR=f"10.0.0.{i + 1}")
    response = log_in(client, "prov", PASSWORD, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_throttle_is_per_address_too(client, reference):
    user("prov", "province")
    # One address may fail more often than one name (a shared office gateway), but not forever.
    for i in range(settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR - 1):
        log_in(client, f"guess{i}", "wrong", REMOTE_ADDR="10.9.9.9")
    assert log_in(client, "prov", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302
    client.post("/accounts/logout/")
    for i in range(2):
        log_in(client, f"again{i}", "wrong", REMOTE_ADDR="10.9.9.9")
    assert log_in(client, "prov", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert logged_in_as(client) is None
    assert log_in(client, "prov", PASSWORD, REMOTE_ADDR="10.9.9.10").status_code == 302
    assert logged_in_as(client) == "prov"


def test_a_success_clears_the_failures(client, reference):
    user("prov", "province")
    limit = settings.LOGIN_MAX_FAILURES
    for _ in range(limit - 1):
        log_in(client, "prov", "wrong")
    assert log_in(client, "prov", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="prov", succeeded=False).exists()
    client.post("/accounts/logout/")
    for _ in range(limit - 1):
        log_in(client, "prov", "wrong")
    assert log_in(client, "prov", PASSWORD).status_code == 302
    assert logged_in_as(client) == "prov"


def test_failures_expire_after_the_window(client, reference, settings):
    user("prov", "province")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        log_in(client, "prov", "wrong")
    assert log_in(client, "prov", PASSWORD).status_code == 429
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 0
    assert log_in(client, "prov", PASSWORD).status_code == 302


def test_password_change(client, reference):
    u = user("prov", "province")
    client.force_login(u)
    new = "a-new-Passw0rd-2024"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    assert client.get("/accounts/password/done/").status_code == 200
    assert logged_in_as(client) == "prov"  # the session survives its own password change
    u.refresh_from_db()
    assert u.check_password(new)
    assert not u.check_password(PASSWORD)
    entry = AuditEntry.objects.get(object_type="user", object_id="prov", summary="password changed")
    assert entry.actor_name == "prov"
    assert u.password not in str(entry.after)  # the hash is never logged
    client.post("/accounts/logout/")
    assert log_in(client, "prov", PASSWORD).status_code == 200
    assert log_in(client, "prov", new).status_code == 302


def test_password_change_with_the_wrong_old_password_changes_nothing(client, reference):
    u = user("prov", "province")
    client.force_login(u)
    new = "a-new-Passw0rd-2024"
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    u.refresh_from_db()
    assert u.check_password(PASSWORD)


def test_password_change_needs_a_log_in(client, db):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- creating users -----------------------------------------------------------------------------


def test_create_user_with_each_role(plan):
    ent = enterprise(1, "370500")
    cases = [
        ("prov", "province", None, None),
        ("commerce", "department", "dept-com", "dept-com"),
        ("dongying", "city", "370500", "370500"),
        ("firm", "enterprise", ent.code.lower(), ent.code),
    ]
    for name, role, scope, scope_code in cases:
        u, password = create_user("tests", name, role=role, scope=scope)
        assert password  # generated
        assert u.check_password(password)
        assert role_of(u) == role
        assert (scope_of(u).code if scope_of(u) else None) == scope_code
        assert u.is_staff == (role == "province")


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("admin", None),  # unknown role
        ("", None),
        ("city", None),  # a city officer needs a city
        ("city", ""),
        ("enterprise", None),
        ("department", None),
        ("city", "dept-com"),  # a scope of the wrong kind
        ("city", "370000"),  # the province is not a city
        ("department", "370500"),
        ("enterprise", "370500"),
        ("city", "379900"),  # no such city
        ("province", "370500"),  # a provincial officer has no scope
    ],
)
def test_create_user_refuses_bad_roles_and_scopes(plan, role, scope):
    with pytest.raises(AccountError):
        create_user("tests", "someone", role=role, scope=scope, password=PASSWORD)
    assert not User.objects.filter(username="someone").exists()
    assert not Profile.objects.exists()


def test_create_user_refuses_an_existing_name(reference):
    user("dongying", "city", "370500")
    with pytest.raises(AccountError):
        create_user("tests", "dongying", role="province")
    assert User.objects.get(username="dongying").profile.role == "city"
    assert Profile.objects.count() == 1


# --- API tokens ---------------------------------------------------------------------------------


def test_only_the_hash_of_a_token_is_stored(reference):
    u = user("prov", "province")
    key = create_token("tests", "prov", "reporting")
    token = ApiToken.objects.get()
    assert token.user == u
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    assert len(token.prefix) < len(key)
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert not any(key in v for v in stored)
    assert user_for_token(key) == u


def test_create_token_for_an_unknown_user_is_refused(db):
    with pytest.raises(AccountError):
        create_token("tests", "nobody")
    assert not ApiToken.objects.exists()


def test_tokens_are_distinct(reference):
    user("prov", "province")
    assert create_token("tests", "prov") != create_token("tests", "prov")
    assert ApiToken.objects.count() == 2


def test_a_revoked_token_authenticates_nobody(client, reference):
    u = user("prov", "province")
    key = create_token("tests", "prov")
    assert user_for_token(key) == u
    ApiToken.objects.update(revoked=True)
    assert user_for_token(key) is None
    response = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_authenticates_nobody(reference):
    u = user("prov", "province")
    key = create_token("tests", "prov")
    u.is_active = False
    u.save()
    assert user_for_token(key) is None


def test_unknown_tokens_authenticate_nobody(reference):
    user("prov", "province")
    key = create_token("tests", "prov")
    assert user_for_token("") is None
    assert user_for_token(key[:-1]) is None
    assert user_for_token(ApiToken.objects.get().key_hash) is None  # the hash is not a key


def test_using_a_token_marks_it_used(reference):
    user("prov", "province")
    key = create_token("tests", "prov")
    assert ApiToken.objects.get().last_used_at is None
    user_for_token(key)
    assert ApiToken.objects.get().last_used_at is not None


def test_behind_a_proxy_the_forwarded_address_counts(client, reference, settings):
    settings.BEHIND_PROXY = True
    user("prov", "province")
    for i in range(settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR):
        log_in(
            client, f"guess{i}", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.168.5.5"
        )
    assert LoginAttempt.objects.filter(ip="192.168.5.5").count() == 20
    # Another client behind the same proxy is not blocked; the guessing one is.
    assert (
        log_in(
            client, "prov", PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.168.5.6"
        ).status_code
        == 302
    )
    client.post("/accounts/logout/")
    assert (
        log_in(
            client, "prov", PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.168.5.5"
        ).status_code
        == 429
    )
