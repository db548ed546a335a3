"""The trainer report in a real headless Chromium: renders, images load, no script runs, no network.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skips with a message when absent.
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install chromium) - browser test skipped"),
]


@pytest.fixture(scope="module")
def report(hostile_result):
    """The report of the shared hostile client file (a current red flag, charts, hostile names)."""
    return hostile_result.files["report"]


def test_report_renders_safely_offline(report, hostile_names):
    sync_api = pytest.importorskip("playwright.sync_api")
    requests, errors = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.title().startswith("Back pain check")
        assert page.locator("#red-flags h2").inner_text().startswith("Red flags: stop and see a clinician")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
        assert images and all(done and width > 0 for done, width in images)
        # hostile client names are visible as text, and none of them ran
        body = page.inner_text("body")
        for name in hostile_names:
            assert name in body
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("script").count() == 0
        browser.close()
    external = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert external == [], external
    assert errors == []
