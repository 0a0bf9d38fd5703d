"""An admin base class whose saves and deletes write audit entries with before and after.

The "after" is taken in ``save_related``, once many-to-many fields and inlines are saved, so an
entry shows a cluster's new member cities or an enterprise's new honours.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tirebrain.core import audit
from tirebrain.core.models import AuditAction


class AuditedAdmin(admin.ModelAdmin):
    audit_type = ""

    def _type(self, obj) -> str:
        return self.audit_type or obj._meta.model_name

    def snapshot(self, obj) -> dict[str, Any]:
        """What the audit log keeps of ``obj``: its fields and many-to-many members."""
        data = audit.snapshot(obj)
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return data

    def after_save(self, request, obj, before: dict | None, after: dict) -> None:
        """Hook for work a change implies beyond the row itself (e.g. roll-ups)."""

    def save_model(self, request, obj, form, change):
        request._audit_before = self.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj, before = form.instance, getattr(request, "_audit_before", None)
        after = self.snapshot(obj)
        if before != after:
            action = AuditAction.UPDATE if change else AuditAction.CREATE
            audit.record(request.user, action, self._type(obj), obj.pk, before=before, after=after)
        self.after_save(request, obj, before, after)

    def delete_model(self, request, obj):
        before, pk = self.snapshot(obj), obj.pk
        super().delete_model(request, obj)
        audit.record(request.user, AuditAction.DELETE, self._type(obj), pk, before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
