"""Who may see what. Every page, API endpoint, export and search goes through these functions.

The rule (least privilege): provincial officers see everything; department officers see the
registry and aggregates but no single enterprise's reported values; a city officer sees only its
city and its enterprises; an enterprise user only itself. Objects out of scope answer 404, so
their existence is not disclosed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tirebrain.accounts.models import Role

if TYPE_CHECKING:
    from tirebrain.orgs.models import Enterprise, Organisation


def role_of(user) -> str | None:
    """The user's role code, or None for the anonymous public (and users without a role)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.PROVINCE
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def scope_of(user) -> Organisation | None:
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    return profile.scope if profile else None


def is_provincial(user) -> bool:
    return role_of(user) == Role.PROVINCE


def enterprises_for(user) -> QuerySet[Enterprise]:
    """The enterprises a user may see in the registry."""
    from tirebrain.orgs.models import Enterprise

    role = role_of(user)
    qs = Enterprise.objects.all()
    if role in (Role.PROVINCE, Role.DEPARTMENT):
        return qs
    if role == Role.CITY:
        return qs.filter(city_id=scope_of(user).pk)
    if role == Role.ENTERPRISE:
        return qs.filter(pk=scope_of(user).pk)
    return qs.none()


def cities_for(user) -> QuerySet[Organisation]:
    """The cities the user's enterprises are in (for the city filter of lists)."""
    from tirebrain.orgs.models import Organisation

    return Organisation.objects.cities().filter(pk__in=enterprises_for(user).values("city_id"))


def value_orgs_for(user) -> QuerySet[Organisation] | None:
    """Organisations whose reported values the user may read; None means all of them."""
    from tirebrain.orgs.models import Organisation

    role = role_of(user)
    if role == Role.PROVINCE:
        return None
    if role == Role.CITY:
        city = scope_of(user)
        return Organisation.objects.filter(pk=city.pk) | Organisation.objects.filter(
            enterprise__city_id=city.pk
        )
    if role == Role.ENTERPRISE:
        return Organisation.objects.filter(pk=scope_of(user).pk)
    return Organisation.objects.none()


def may_see_values_of(user, org: Organisation) -> bool:
    visible = value_orgs_for(user)
    return visible is None or visible.filter(pk=org.pk).exists()


def access_enterprise(user, credit_code: str) -> Enterprise:
    """The enterprise with this credit code if the user may see it; 404 otherwise."""
    from tirebrain.orgs.models import Enterprise

    try:
        return enterprises_for(user).select_related("city").get(code=credit_code.strip().upper())
    except Enterprise.DoesNotExist as exc:
        raise Http404("No such enterprise") from exc


def cockpit_scopes_for(user) -> tuple[bool, Organisation | None]:
    """(may choose any scope, the fixed scope if not). Province and departments see it all."""
    role = role_of(user)
    if role in (Role.PROVINCE, Role.DEPARTMENT):
        return True, None
    if role in (Role.CITY, Role.ENTERPRISE):
        return False, scope_of(user)
    raise Http404("Not available")
