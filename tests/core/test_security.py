"""Production security settings and the no-outside-calls rule, checked on real responses."""

from __future__ import annotations

import re

import pytest

from tests.factories import enterprise, user, values

PAGES = ["/", "/accounts/login/", "/cockpit/", "/enterprises/", "/plan/", "/api/v1/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_outside(client, plan, path):
    values(enterprise(1, "370500"), "2024", revenue=1e9, rd_spend=2e7)
    client.force_login(user("prov", "province"))
    response = client.get(path, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html), "an outside URL is loaded"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "<script>" not in html.replace(" ", "")  # no inline script (the CSP forbids it)


def test_security_headers(client, reference):
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.cookies["csrftoken"]
    assert cookie["samesite"] == "Lax"
