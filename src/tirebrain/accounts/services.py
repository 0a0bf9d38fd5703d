"""Creating users with a role and scope, API tokens, and the log-in throttle."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tirebrain.accounts.models import SCOPE_KIND, ApiToken, LoginAttempt, Profile, Role, hash_token
from tirebrain.core import audit
from tirebrain.core.models import AuditAction
from tirebrain.orgs.models import Organisation, OrgKind

User = get_user_model()


class AccountError(ValueError):
    pass


def _scope_for(role: str, scope_code: str | None) -> Organisation | None:
    if role not in Role.values:
        raise AccountError(
            _("unknown role “%(r)s”; roles: %(all)s") % {"r": role, "all": ", ".join(Role.values)}
        )
    kind = SCOPE_KIND[Role(role)]
    if kind is None:
        if scope_code:
            raise AccountError(_("a provincial officer takes no --scope"))
        return None
    if not scope_code:
        raise AccountError(
            _("the role “%(r)s” needs --scope (a %(k)s code)")
            % {"r": role, "k": OrgKind(kind).label}
        )
    # Credit codes are upper case, department codes (``dept-*``) lower case: accept either as typed.
    code = scope_code.strip()
    org = Organisation.objects.filter(code__in={code, code.upper()}, kind=kind).first()
    if org is None:
        raise AccountError(
            _("no %(k)s with code “%(c)s”") % {"k": OrgKind(kind).label, "c": scope_code}
        )
    return org


#: Apps whose records provincial officers manage in the admin (users, the registry, the plan …).
ADMIN_APPS = ("auth", "accounts", "orgs", "plan", "datavalues", "core")


def provincial_officers_group() -> Group:
    """The group that gives provincial officers the admin: every permission of ``ADMIN_APPS``,
    except changing or deleting audit entries (the log is append-only)."""
    group, _created = Group.objects.get_or_create(name="provincial officers")
    perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS).exclude(
        content_type__app_label="core", codename__in=["change_auditentry", "delete_auditentry"]
    )
    group.permissions.set(perms)
    return group


@transaction.atomic
def create_user(
    actor,
    username: str,
    *,
    role: str,
    scope: str | None = None,
    password: str | None = None,
    email: str = "",
) -> tuple[object, str]:
    """Create a user with a role and scope. Returns (user, password) — generated if not given."""
    org = _scope_for(role, scope)
    if User.objects.filter(username=username).exists():
        raise AccountError(_("user “%(u)s” exists") % {"u": username})
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username, password=password, email=email, is_staff=role == Role.PROVINCE
    )
    Profile.objects.create(user=user, role=role, scope=org)
    if role == Role.PROVINCE:
        user.groups.add(provincial_officers_group())
    audit.record(
        actor,
        AuditAction.CREATE,
        "user",
        username,
        after={"role": role, "scope": org.code if org else None, "email": email},
    )
    return user, password


@transaction.atomic
def create_token(actor, username: str, name: str = "") -> str:
    """A new API token for the user; the key is returned once and only its hash is stored."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise AccountError(_("no user “%(u)s”") % {"u": username})
    key = "tb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=hash_token(key))
    audit.record(
        actor, AuditAction.CREATE, "api_token", token.prefix, after={"user": username, "name": name}
    )
    return key


def user_for_token(key: str):
    """The active user a bearer token belongs to, or None. Marks the token used."""
    # key_hash is unique: at most one row, so no ORDER BY (``first()`` would add one) — this
    # runs on every API request.
    token = next(
        iter(
            ApiToken.objects.select_related("user", "user__profile").filter(
                key_hash=hash_token(key), revoked=False, user__is_active=True
            )[:1]
        ),
        None,
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


#: An address may fail this many times more than a single user name before it is blocked:
#: many officers share one office gateway, so one mistyping colleague must not lock out the rest.
ADDRESS_FACTOR = 4


def login_blocked(username: str, ip: str | None) -> bool:
    """Too many recent failures for this user name, or (a higher bar) from this address?"""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    limit = settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR
    return bool(ip) and recent.filter(ip=ip).count() >= limit


def note_login(username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip=ip, succeeded=succeeded)
    if succeeded:  # a successful log-in clears the user name's failures
        LoginAttempt.objects.filter(username=username.lower(), succeeded=False).delete()
