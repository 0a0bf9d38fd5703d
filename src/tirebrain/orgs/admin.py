"""Admin for organisations, clusters, vocabularies and honours (all audited)."""

from django import forms
from django.contrib import admin

from tirebrain.core.admin_audit import AuditedAdmin
from tirebrain.orgs.creditcode import CreditCodeError, validate_credit_code
from tirebrain.orgs.models import Cluster, Enterprise, Honour, HonourType, Organisation, ProductLine
from tirebrain.orgs.services import delete_enterprise, enterprise_snapshot, refresh_rollups_of


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name_zh", "name_en")


class HonourInline(admin.TabularInline):
    model = Honour
    extra = 0


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = (
            "code",
            "name_zh",
            "name_en",
            "short_zh",
            "city",
            "above_scale",
            "product_lines",
            "capacity_tyres",
            "founded_year",
            "address",
            "is_demo",
        )

    def clean_code(self) -> str:
        try:
            return validate_credit_code(self.cleaned_data["code"])
        except CreditCodeError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    audit_type = "enterprise"
    form = EnterpriseForm
    list_display = ("code", "name_zh", "city", "above_scale", "is_demo")
    list_filter = ("city", "above_scale", "is_demo")
    search_fields = ("code", "name_zh", "name_en")
    inlines = (HonourInline,)
    filter_horizontal = ("product_lines",)

    def snapshot(self, obj):
        return enterprise_snapshot(obj)

    def save_model(self, request, obj, form, change):
        obj.kind, obj.parent = "enterprise", obj.city
        super().save_model(request, obj, form, change)

    def after_save(self, request, obj, before, after):
        moved = before and (before["city"], before["above_scale"]) != (
            after["city"],
            after["above_scale"],
        )
        if moved:
            refresh_rollups_of(obj)  # its values now count in another city or size class

    def delete_model(self, request, obj):
        delete_enterprise(request.user, obj)  # audited, and the roll-ups follow


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en")
    filter_horizontal = ("cities",)


@admin.register(Honour)
class HonourAdmin(AuditedAdmin):
    list_display = ("enterprise", "honour_type", "level", "year")
    list_filter = ("honour_type", "level", "year")


admin.site.register(HonourType, AuditedAdmin)
admin.site.register(ProductLine, AuditedAdmin)
