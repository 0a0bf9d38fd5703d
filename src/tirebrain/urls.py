"""URL map: pages per app, the API under /api/v1, admin, and the language switch."""

from django.contrib import admin
from django.urls import include, path

from tirebrain.api import api

urlpatterns = [
    path("", include("tirebrain.core.urls")),
    path("accounts/", include("tirebrain.accounts.urls")),
    path("enterprises/", include("tirebrain.orgs.urls")),
    path("plan/", include("tirebrain.plan.urls")),
    path("cockpit/", include("tirebrain.indicators.urls")),
    path("", include("tirebrain.products.urls")),
    path("", include("tirebrain.trace.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
