"""Log-in with throttling; log-out and password change are Django's own views."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from tirebrain.accounts.services import login_blocked, note_login
from tirebrain.core import audit
from tirebrain.core.models import AuditAction


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind a trusted proxy, the last address the proxy appended."""
    if settings.BEHIND_PROXY and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR")


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with an audit entry (never the password or its hash)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            self.request.user,
            AuditAction.UPDATE,
            "user",
            self.request.user.username,
            summary="password changed",
            after={"password": "changed"},
        )
        return response


class ThrottledLoginView(auth_views.LoginView):
    """Refuses to check passwords after too many recent failures for the name or address."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if login_blocked(username, client_ip(request)):
            messages.error(
                request, _("Too many failed log-ins. Please wait 15 minutes and try again.")
            )
            return self.render_to_response(self.get_context_data(form=self.get_form()), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        note_login(form.get_user().get_username(), client_ip(self.request), True)
        return super().form_valid(form)

    def form_invalid(self, form):
        note_login(self.request.POST.get("username", ""), client_ip(self.request), False)
        return super().form_invalid(form)
