"""The JSON API under /api/v1: one NinjaAPI, a router per domain, bearer-token auth.

Scoping is the pages' own: every endpoint goes through ``tirebrain.accounts.access``.
"""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from tirebrain import __version__
from tirebrain.accounts.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def optional_user(request):
    """For endpoints open to the public that show more to a known caller: the caller if a
    bearer token or the session says who it is, None for the anonymous; a bad token is 401."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = BearerToken().authenticate(request, header[7:].strip())
        if user is None:
            raise HttpError(401, "Unauthorized")
        return user
    return request.user if django_auth(request) else None


api = NinjaAPI(
    title="TireBrain API",
    version="1.0.0",
    description=(
        "TireBrain (轮胎产业大脑) API. Authenticate with `Authorization: Bearer <token>` "
        "(`tirebrain token create USER`). Users see exactly what their role and scope allow; "
        "objects out of scope answer 404."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api-1.0.0",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.get("/health", auth=None, tags=["system"], summary="Liveness and database check")
def health(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "version": __version__, "database": connection.vendor}


def _register_routers() -> None:
    from tirebrain.indicators.api import router as targets_router
    from tirebrain.orgs.api import router as enterprises_router
    from tirebrain.plan.api import router as plan_router
    from tirebrain.products.api import router as products_router
    from tirebrain.trace.api import router as trace_router

    api.add_router("/targets", targets_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/plan", plan_router)
    api.add_router("", products_router)
    api.add_router("", trace_router)


_register_routers()
