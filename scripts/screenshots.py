"""Screenshots of TireBrain's pages in both languages, with Debian's headless Chromium.

    uv run tirebrain demo &            # serves the demo on :8000
    uv run python scripts/screenshots.py --out var/screenshots
    uv run python scripts/screenshots.py --user "" --width 420 --tag phone \
        --pages lookup --extra tyre=/01/00200214900251/21/100003

Logs in as the given demo user (none with ``--user ""``: the public's view), sets the language
cookie, and saves one PNG per page and language, named ``<page>-<lang>[-<tag>].png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "cockpit": "/cockpit/",
    "cockpit-dongying": "/cockpit/?org=370500",
    "target-t1": "/cockpit/T1/",
    "records-t10": "/cockpit/T10/records/",
    "enterprises": "/enterprises/",
    "plan": "/plan/v1/",
    "audit": "/audit/",
    "wall": "/cockpit/?display=wall",
    "products": "/products/",
    "product-new": "/products/new/",
    "products-analysis": "/products/analysis/",
    "lookup": "/lookup/",
    "recycling": "/trace/recycling/",
    "tyre-lookup": "/trace/tyre/",
}
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="province", help='demo user; "" for the public')
    parser.add_argument("--password", default="tirebrain-demo")
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--pages", nargs="*", default=list(PAGES))
    parser.add_argument("--langs", nargs="*", default=["zh-hans", "en"])
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--tag", default="", help="added to the file names (user, device)")
    parser.add_argument("--extra", nargs="*", default=[], help="name=/path pairs to add")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = {name: PAGES[name] for name in args.pages if name in PAGES}
    pages |= dict(item.split("=", 1) for item in args.extra)
    suffix = f"-{args.tag}" if args.tag else ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for lang in args.langs:
            context = browser.new_context(viewport={"width": args.width, "height": 1000})
            host = args.base.split("//", 1)[1].split(":")[0]
            context.add_cookies(
                [{"name": "django_language", "value": lang, "domain": host, "path": "/"}]
            )
            page = context.new_page()
            if args.user:
                page.goto(f"{args.base}/accounts/login/")
                page.fill("input[name=username]", args.user)
                page.fill("input[name=password]", args.password)
                page.click("button[type=submit]")
            for name, path in pages.items():
                page.goto(args.base + path)
                page.wait_for_timeout(1200)  # let ECharts draw and the map load
                target = args.out / f"{name}-{lang}{suffix}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
