"""Template helpers: figures with units, bilingual names, status labels, query-string edits."""

from __future__ import annotations

import json

from django import template
from django.utils.http import urlencode

from tirebrain.core.i18n import localized
from tirebrain.indicators.formatting import format_number, unit_symbol
from tirebrain.indicators.status import Status

register = template.Library()


@register.filter
def name(obj) -> str:
    """The object's name (or ``title``) in the active language."""
    return localized(obj, "title") if hasattr(obj, "title_zh") else localized(obj)


@register.simple_tag
def figure(value, target) -> str:
    """A target's value formatted for its unit (without the unit)."""
    return format_number(value, target.unit, target.spec.get("display"))


@register.simple_tag
def unit_of(target) -> str:
    return unit_symbol(target.unit, target.spec.get("display"))


@register.filter
def unit_label(code: str) -> str:
    """A unit code (cny, kgce, …) as its symbol in the active language."""
    return unit_symbol(code)


@register.filter
def status_label(code: str) -> str:
    return Status(code).label if code in Status.values else code


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters replaced (``None`` removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.items())) if params else "?"


@register.simple_tag(takes_context=True)
def query_set(context, name: str, value) -> str:
    """The current query string with one parameter, named at run time, set."""
    return query(context, **{name: value})


@register.filter
def as_json(value) -> str:
    """A plan-file structure (an indicator formula) written as readable JSON."""
    return json.dumps(value, ensure_ascii=False, indent=1)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
