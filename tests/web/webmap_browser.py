"""Browser helpers shared by the web map tests (paths, contexts, page steps)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "publish" / "web"
DIST = WEB / "dist"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # no test reaches the internet: every host but the loopback is unknown
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def new_context(browser, **kwargs):
    options = {
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
        "viewport": {"width": 1366, "height": 768},
        "service_workers": "block",
    }
    options.update(kwargs)
    return browser.new_context(**options)


def open_map(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready]", timeout=15000)


def legend_counts(page) -> dict:
    """Layer id -> the count its legend row shows."""
    return page.eval_on_selector_all(
        "#legend-list > li",
        "items => Object.fromEntries(items.map(li => [li.dataset.layer,"
        " Number(li.querySelector('.legend-count').dataset.count)]))",
    )
