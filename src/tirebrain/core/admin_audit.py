"""An admin base class whose saves and deletes write audit entries with before and after."""

from __future__ import annotations

from django.contrib import admin

from tirebrain.core import audit
from tirebrain.core.models import AuditAction


class AuditedAdmin(admin.ModelAdmin):
    audit_type = ""

    def _type(self, obj) -> str:
        return self.audit_type or obj._meta.model_name

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            self._type(obj),
            obj.pk,
            before=before,
            after=audit.snapshot(obj),
        )

    def delete_model(self, request, obj):
        before, pk = audit.snapshot(obj), obj.pk
        super().delete_model(request, obj)
        audit.record(request.user, AuditAction.DELETE, self._type(obj), pk, before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
