"""Who may capture and read EPCIS events.

Events are operational records, so they follow the rule for reported values, not the
registry's: provincial officers read every event; an enterprise the events it captured and every
event about its own tyres (the GTINs of its registered products — a tyre maker follows its tyres
through distributors, fitters and recyclers, whoever reported them); a city officer the events
its enterprises captured and the events at locations in the city; department officers and the
public none (they see the recycling figures and the public view of a tyre's history).
Capturing needs an API token of a provincial officer (the provincial traceability hub that
relays partners' systems) or of an enterprise; every event records the organisation that
captured it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tirebrain.accounts.access import enterprises_for, role_of, scope_of
from tirebrain.accounts.models import Role
from tirebrain.orgs.models import Organisation, OrgKind
from tirebrain.products.models import Product
from tirebrain.trace.epc import gtin_key_prefix
from tirebrain.trace.models import Event, EventEpc, Location
from tirebrain.trace.query import key_prefix_q


def events_for(user) -> QuerySet[Event] | None:
    """The events the user may read; None when they may read none at all."""
    role = role_of(user)
    if role == Role.PROVINCE:
        return Event.objects.all()
    captured = Q(organisation_id__in=enterprises_for(user).values("pk"))
    if role == Role.ENTERPRISE:
        gtins = Product.objects.filter(enterprise_id=scope_of(user).pk, gtin__isnull=False)
        about = Q()
        for gtin in gtins.exclude(gtin="").values_list("gtin", flat=True):
            about |= key_prefix_q(gtin_key_prefix(gtin))
        if not about:
            return Event.objects.filter(captured)
        tyres = EventEpc.objects.filter(about).values("event_id")
        return Event.objects.filter(captured | Q(id__in=tyres))
    if role == Role.CITY:
        here = Location.objects.filter(city_id=scope_of(user).pk).values("identifier")
        return Event.objects.filter(captured | Q(biz_location__in=here))
    return None


def scope_key(user) -> str:
    """Names the user's event scope, so a page token cannot be carried into another scope."""
    scope = scope_of(user)
    return f"{role_of(user)}:{scope.code if scope else '*'}"


def capturing_organisation(user) -> Organisation | None:
    """The organisation a user captures for, or None if the user may not capture."""
    role = role_of(user)
    if role == Role.ENTERPRISE:
        return scope_of(user)
    if role == Role.PROVINCE:
        return scope_of(user) or Organisation.objects.filter(kind=OrgKind.PROVINCE).first()
    return None
