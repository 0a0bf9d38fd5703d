"""Click-through in a real browser: the cockpit draws its charts and map under the strict CSP,
a card leads to its target, the records behind a figure, and the language switch works.

Drives Debian's Chromium (``/usr/bin/chromium``) with Playwright; no browser is downloaded.
Without Chromium the tests skip — except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import enterprise, user, values

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: install the Debian package `chromium`")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # meanwhile are plain synchronous ones.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    from tests.conftest import load_plan_and_reference

    load_plan_and_reference()
    for n, city in enumerate(("370500", "370200", "370600"), start=1):
        ent = enterprise(n, city)
        for year, revenue in ((2023, 9e9), (2024, 10e9), (2025, 11e9)):
            values(ent, str(year), revenue=revenue * n, rd_spend=revenue * n * 0.025)
    user("prov", "province")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "prov")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/cockpit/")
    page.problems = problems
    yield page
    context.close()


def test_cockpit_draws_every_chart_and_the_map(page):
    page.wait_for_selector("#map canvas")
    assert page.locator(".card").count() == 18
    assert page.locator(".spark svg").count() == 18  # every sparkline drawn
    assert page.problems == []  # no script error, no CSP violation


def test_a_card_leads_to_its_target_and_the_records(page, live_server):
    page.click(".card .title a[href^='/cockpit/T10/']")
    page.wait_for_url("**/cockpit/T10/**")
    page.wait_for_selector("#trend canvas")
    page.click("a[href*='/records/']")
    page.wait_for_url("**/records/**")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 3  # the revenue of the three enterprises in 2025
    assert page.problems == []


def test_drill_down_to_a_city_and_switch_language(page):
    page.select_option("select[name=org]", "370500")
    page.wait_for_url("**org=370500**")
    assert "东营" in page.locator("h1").inner_text()
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Dongying" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
