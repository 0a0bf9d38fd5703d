"""User management for provincial officers: users with their role and scope, tokens."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from tirebrain.accounts.models import ApiToken, Profile
from tirebrain.core.admin_audit import AuditedAdmin

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ("scope",)


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    audit_type = "user"
    inlines = (ProfileInline,)
    list_display = ("username", "email", "is_active", "is_staff", "role", "scope")
    list_select_related = ("profile__scope",)

    @admin.display(description="role")
    def role(self, obj):
        return getattr(getattr(obj, "profile", None), "role", "")

    @admin.display(description="scope")
    def scope(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.scope.code if profile and profile.scope else ""


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    fields = ("user", "name", "revoked", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False  # tokens are made by `tirebrain token create`, which shows the key once
