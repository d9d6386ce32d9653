"""Attribute text is untrusted: a release full of script payloads renders
as text and runs nothing; the sources never build HTML from strings."""

from __future__ import annotations

import re

import pytest
from webmap_browser import WEB
from webmap_data import UPDATED_AT, xss_layers
from webmap_publish import endpoint
from webmap_release import recorder

UNSAFE_SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\s*\("
    r"|setAttribute\(\s*['\"]on"
)


def test_sources_never_build_html_from_strings():
    sources = sorted((WEB / "src").glob("*.js")) + [WEB / "src" / "index.html"]
    assert len(sources) > 5
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sources
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNSAFE_SINKS.search(line)
    ]
    assert offenders == []
    html = (WEB / "src" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script in index.html"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler in index.html"
    assert not re.search(r"\sstyle\s*=", html), "inline style in index.html"


@pytest.fixture(scope="module")
def watcher():
    """A loopback URL the payloads would call if they ever ran."""
    with recorder() as (url, hits):
        yield url, hits


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory, web_dist, reference, watcher):
    """A release full of payloads, published through the real endpoint."""
    url, _hits = watcher
    layers = xss_layers(url)
    with endpoint(tmp_path_factory.mktemp("webmap-xss"), web_dist) as ep:
        ep.publish(layers, reference, UPDATED_AT)
        yield ep.base, layers


def test_payload_release_renders_as_text_and_runs_nothing(page, xss_site, watcher, tiles):
    base, layers = xss_site
    watch_url, hits = watcher
    requests: list = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(base + "/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("html[data-ready='1']")
    # every list, every popup, the statistics and both languages
    page.click("[data-panel='list']")
    names = page.eval_on_selector_all("#panel tbody th button", "b => b.map(x => x.textContent)")
    expected_names = [f["properties"]["name"] for fc in layers.values() for f in fc["features"]]
    assert sorted(names) == sorted(
        n[:600] if len(n) <= 600 else n[:599] + "…" for n in expected_names
    )
    popups = page.evaluate("""() => {
        const app = window.covidmapsApp, out = [];
        for (const [id, entry] of app.layers) for (const f of entry.features) {
            app.openFeature(id, f, {});
            const p = document.querySelector('.leaflet-popup .popup');
            out.push({title: p.querySelector('.popup-title').textContent,
                      links: [...p.querySelectorAll('a')].map(a => a.getAttribute('href')),
                      foreign: p.querySelectorAll('img,script,iframe,style,object,embed').length,
                      svgs: [...p.querySelectorAll('svg')]
                          .filter(s => !s.classList.contains('swatch')).length});
        }
        return out;
    }""")
    assert len(popups) == sum(len(fc["features"]) for fc in layers.values())
    for popup in popups:
        assert popup["foreign"] == 0 and popup["svgs"] == 0
        assert popup["links"] == []  # a javascript: duty phone is shown as text, not a link
    assert any(
        "<img" in p["title"] or "<svg" in p["title"] or "script" in p["title"] for p in popups
    )
    page.click("[data-panel='stats']")
    page.wait_for_selector("#stats table")
    page.click("#lang-toggle")
    page.click("[data-panel='filters']")
    page.fill("#search-input", "script")
    page.wait_for_timeout(600)  # let anything that could run, run (images, handlers)
    assert page.evaluate("window.__pwned") is None
    assert hits == []
    assert [u for u in requests if u.startswith(watch_url)] == []
    # nothing but this site and the basemap's tiles (a plain /z/x/y.png)
    outside = [u for u in requests if not u.startswith(base)]
    tile = re.escape(tiles["url"]) + r"/\d+/\d+/\d+\.png"
    assert all(re.fullmatch(tile, u) for u in outside), outside
