"""Traceability and product pages in a real browser: the public life history reached from the
sidewall QR code (on a phone, stages without organisations), the recycling picture under the
strict CSP down to the events behind a figure, and the product form filled in and saved.

The tyre is the one of the life-history tests (``tests/trace/test_history.py``): made in
Dongying, sold and collected in Qingdao, recycled in Dongying, reported by the province's hub.
"""

from __future__ import annotations

import pytest

from tests.trace import conftest as trace_fixtures
from tests.trace import test_history as history_fixtures
from tests.ui import test_browser
from tirebrain.orgs.models import Organisation
from tirebrain.products.models import Product
from tirebrain.trace.models import Location

# Fixtures shared with the browser and the life-history tests.
browser = test_browser.browser
world, epcis = trace_fixtures.world, trace_fixtures.epcis
places, tyre = history_fixtures.places, history_fixtures.tyre

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def open_page(browser, live_server, transactional_db):
    """Opens a browser page (optionally logged in); ``page.problems`` collects script errors
    and CSP violations, which Chromium reports as console errors."""
    contexts = []

    def open_page(username: str | None = None, *, width: int = 1400, locale: str = "zh-CN"):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        if username:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/cockpit/")
            # The cockpit answers 404 while no value is reported (none is here): not our page.
            page.problems.clear()
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_sidewall_qr_code_shows_stages_and_no_organisation(open_page, live_server, tyre):
    page = open_page(width=420)  # a phone, scanning the sidewall
    page.goto(f"{live_server.url}/01/{tyre['gtin']}/21/{tyre['serial']}")
    steps = page.locator("ol.timeline > li")
    assert steps.count() == 6
    stages = ["下线赋码", "出厂投放市场", "销售", "装车", "回收", "再生胶"]
    assert steps.locator("b").all_inner_texts() == stages
    assert steps.locator("time").all_inner_texts()[:2] == ["2024-01", "2024-01"]  # months only
    assert steps.locator(".city").all_inner_texts()[0] == "东营市"
    assert "当前：再生胶" in page.locator(".tag").inner_text()
    text = page.locator("main").inner_text()
    organisations = [o.name_zh for o in Organisation.objects.exclude(kind="city")]
    places_ = [loc.name_zh for loc in Location.objects.all()]
    assert organisations and places_
    assert not [name for name in organisations + places_ if name in text]
    assert page.locator(".detail").count() == 0 and "urn:uuid" not in page.content()
    # It fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 420


def test_the_recycling_page_leads_from_a_figure_to_its_events(open_page, live_server, tyre):
    page = open_page("prov", locale="en-GB")
    page.goto(f"{live_server.url}/trace/recycling/")
    assert page.locator("h1").inner_text() == "End-of-life tyre recycling 2025"
    qingdao = page.locator("table.by-city tbody tr", has_text="Qingdao")
    link = qingdao.locator("a[href*='/trace/recycling/collected/2025/?city=370200']")
    assert link.inner_text() == "1"
    link.click()
    page.wait_for_url("**/trace/recycling/collected/2025/?city=370200")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert "青岛回收站" in rows.first.inner_text()
    rows.first.locator("a[href^='/trace/tyre/']").click()
    page.wait_for_url("**/trace/tyre/?id=**")
    assert page.locator("ol.timeline > li").count() == 6
    assert page.locator(".detail").count() == 6  # a provincial officer sees every detail
    assert page.problems == []


def test_the_recycling_year_is_chosen_from_the_list(open_page, live_server, tyre):
    page = open_page("prov")
    page.goto(f"{live_server.url}/trace/recycling/")
    page.select_option("select[name=year]", "2024")
    page.wait_for_url("**year=2024**")
    assert page.locator("h1").inner_text() == "废旧轮胎回收利用 2024"
    assert page.problems == []


def test_a_product_is_filled_in_and_saved_through_the_form(open_page, live_server, world):
    page = open_page("prov")
    page.goto(f"{live_server.url}/products/new/")
    page.select_option("select[name=credit_code]", world.ents["b"].code)
    page.fill("input[name=brand]", "Seaside")
    page.fill("input[name=pattern]", "Wave1")
    page.fill("input[name=size]", "225/45R17 94W")
    page.select_option("select[name=product_line]", "semi_steel_radial")
    page.fill("input[name=rolling_resistance]", "6.5")
    page.fill("input[name=wet_grip]", "1.55")
    page.fill("input[name=noise_db]", "68")
    page.check("input[name=snow]")
    page.fill("input[name=output_2024]", "1200")
    page.click("button.primary")
    page.wait_for_url("**/products/*/")
    product = Product.objects.get(brand="Seaside")
    assert product.enterprise == world.ents["b"] and product.snow
    assert page.url.endswith(f"/products/{product.pk}/")
    assert "Seaside Wave1" in page.locator("h1").inner_text()
    assert page.locator(".messages li").count() == 1
    assert page.problems == []
