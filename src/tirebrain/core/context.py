"""Template context available on every page."""

from django.conf import settings
from django.http import HttpRequest

from tirebrain import __version__


def site(request: HttpRequest) -> dict:
    from tirebrain.accounts.access import role_of
    from tirebrain.orgs.models import Enterprise

    return {
        "TIREBRAIN_VERSION": __version__,
        "LANGUAGES": settings.LANGUAGES,
        "user_role": role_of(request.user) if hasattr(request, "user") else None,
        # The demo banner shows whenever synthetic enterprises are in the database.
        "demo_data": Enterprise.objects.filter(is_demo=True).exists(),
    }
