"""Writing audit entries. Service functions call :func:`record` inside their transaction.

Why explicit calls rather than signals: a signal cannot know who acted or why, and bulk paths
(imports, plan loads) want one entry per business action rather than one per SQL row.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from tirebrain.core.models import AuditAction, AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        # Plain notation without trailing zeros: 100.000000 -> "100" (not "1E+2"), 1.50 -> "1.5".
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-able dict of the concrete fields of ``obj`` (foreign keys as their ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def record(
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = actor.get_username() if user else (actor if isinstance(actor, str) else "system")
    return AuditEntry.objects.create(
        actor=user,
        actor_name=name[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:120],
        summary=summary[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
