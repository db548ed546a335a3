"""The trainer report in a real headless Chromium: renders, images load, only its own script runs, no network;
the what-if forms give the model's ``what_if`` numbers.

Needs Debian's ``chromium`` (``.ci/run`` installs it); skips with a message when absent.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from backpain_analysis.check import run_check
from backpain_analysis.check.whatif import risk_text
from backpain_analysis.model import load_default_model
from backpain_analysis.sessionlog import to_file_values
from backpain_analysis.simulate import simulate_cohort

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install chromium) - browser test skipped"),
]
#: Chromium's flags for this machine's closed network (no background connections, nothing to sign in to).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def report(hostile_result):
    """The report of the shared hostile client file (a current red flag, charts, hostile names)."""
    return hostile_result.files["report"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, path):
    """A page on ``path``, recording every request, page error and console error."""
    page = browser.new_page()
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, seen


def _offline(seen):
    external = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
    assert external == [], external
    assert seen["errors"] == []


def test_report_renders_safely_offline(browser, report, hostile_names):
    page, seen = _open(browser, report)
    assert page.title().startswith("Back pain check")
    assert page.locator("#red-flags h2").inner_text().startswith("Red flags: stop and see a clinician")
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
    assert images and all(done and width > 0 for done, width in images)
    # hostile client names are visible as text, and none of them ran
    body = page.inner_text("body")
    for name in hostile_names:
        assert name in body
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # the only scripts: the what-if data (JSON, never run) and the report's own script
    kinds = page.eval_on_selector_all("script", "els => els.map(e => e.type)")
    assert kinds == ["application/json", ""]
    # the forms' client ids survive as they were written: the hostile names, red-flagged client left out
    clients = page.eval_on_selector_all("form.what-if", "els => els.map(e => e.dataset.client)")
    assert clients == [n for n in clients if n in hostile_names[1:]] and len(clients) >= 3
    assert page.locator("form.what-if").first.is_visible()  # the script ran and showed them
    _offline(seen)
    page.close()


def test_the_policy_blocks_any_other_script(browser, report):
    page, seen = _open(browser, report)
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe" not in policy and script_src.split()[1:] and all(s.startswith("'sha256-")
                                                                       for s in script_src.split()[1:])
    _offline(seen)  # nothing was blocked on the way in: the report's own script and style are allowed
    violations = page.evaluate("""() => new Promise(done => {
        const seen = [];
        document.addEventListener("securitypolicyviolation", e => seen.push(e.violatedDirective));
        const s = document.createElement("script");
        s.textContent = "window.__injected = 1";
        document.body.appendChild(s);
        const img = document.createElement("img");
        img.src = "https://example.invalid/x.png";
        document.body.appendChild(img);
        setTimeout(() => done(seen), 200);
    })""")
    assert page.evaluate("typeof window.__injected") == "undefined"
    assert any(v.startswith("script-src") for v in violations), violations
    assert any(v.startswith("img-src") for v in violations), violations
    page.close()


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A simulated trainer file (values missing, some clients with under 4 weeks of history), checked."""
    folder = tmp_path_factory.mktemp("whatif-browser")
    log = simulate_cohort(n_clients=14, weeks=5, seed=41)
    path = folder / "clients.csv"
    to_file_values(log).to_csv(path, index=False)
    return run_check(path, folder / "out", progress=False, top_n=8)


def _shown(form) -> float:
    text = form.locator("output[name=risk]").inner_text()
    assert text.endswith("%")
    return float(text[:-1]) / 100


@pytest.fixture(scope="module")
def load_terms_checked(tmp_path_factory):
    """The same kind of file, checked with a model whose load terms are the acute and chronic load (no step)."""
    from backpain_analysis.factors import LOAD_TERMS, MODEL_FACTORS
    from backpain_analysis.model import PainRiskModel

    folder = tmp_path_factory.mktemp("whatif-browser-load")
    factors = (*(f for f in MODEL_FACTORS if f != "load_spike"), *(f.name for f in LOAD_TERMS))
    model = PainRiskModel(factors=factors).fit(simulate_cohort(n_clients=150, weeks=12, seed=42))
    path = folder / "clients.csv"
    to_file_values(simulate_cohort(n_clients=14, weeks=5, seed=41)).to_csv(path, index=False)
    return run_check(path, folder / "out", model=model, progress=False, top_n=8), model


def test_what_if_forms_give_the_models_numbers(browser, checked):
    """For several clients: the prefilled estimate, then warm-up, RPE and a yes/no input changed, against what_if."""
    _forms_follow_the_model(browser, checked, load_default_model())


def test_what_if_forms_follow_acute_and_chronic_load_terms(browser, load_terms_checked):
    """A model with the candidate load terms: the page computes the acute and chronic load from the form."""
    checked, model = load_terms_checked
    _forms_follow_the_model(browser, checked, model)


def _forms_follow_the_model(browser, checked, model):
    data = checked.validation.data
    page, seen = _open(browser, checked.files["report"])
    forms = page.locator("form.what-if")
    assert forms.count() >= 4
    worst = 0.0
    rng = np.random.default_rng(5)
    for i in range(min(forms.count(), 6)):
        form = forms.nth(i)
        client = form.get_attribute("data-client")
        row = checked.clients.loc[client, "latest_row"]
        where = data.index == row
        now = model.predict_risk(data).loc[row]
        assert abs(_shown(form) - now) <= 0.0005 + 1e-12  # one decimal of a percentage
        assert form.locator("output[name=change]").inner_text() == "no change"
        steps = [{"warmup_min": float(rng.choice([0, 5, 8, 15]))},
                 {"rpe": float(rng.integers(2, 10))},
                 {"heavy_lifting": bool(rng.integers(2))},
                 {"start_time": "07:15", "duration_min": 95.0}]
        changes: dict[str, object] = {}
        for step in steps:
            for name, value in step.items():
                field = form.locator(f"[name={name}]")
                if isinstance(value, bool):
                    field.select_option("yes" if value else "no")
                else:
                    field.fill(value if isinstance(value, str) else f"{value:g}")
            changes.update(step)
            want = model.what_if(data, where=where, **changes)
            risk, change = want["risk_if"].loc[row], want["change"].loc[row]
            exact = float(form.locator("output[name=risk]").get_attribute("data-risk"))
            worst = max(worst, abs(exact - risk), abs(_shown(form) - risk))
            assert form.locator("output[name=risk]").inner_text() == risk_text(exact)
            assert abs(_shown(form) - risk) <= 0.001  # within 0.1 percentage point, as shown
            assert abs(exact - risk) < 1e-9
            assert form.locator("output[name=change]").inner_text() != "" and (abs(change) < 5e-4) == (
                form.locator("output[name=change]").inner_text() == "no change")
            assert form.locator("output[name=load]").inner_text().startswith("acute:chronic")
        # a value the log would not accept is named, with what the contract expects
        form.locator("[name=rpe]").fill("12")
        assert "rpe: enter a number from 0 to 10" in form.locator(".what-if-problem").inner_text()
        form.locator("button[type=reset]").click()
        page.wait_for_timeout(50)
        assert abs(_shown(form) - now) <= 0.0005 + 1e-12
        assert form.locator(".what-if-problem").inner_text() == ""
    assert worst <= 0.0005 + 1e-12, worst
    _offline(seen)
    page.close()


def test_without_scripts_the_report_reads_as_before(browser, checked):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(checked.files["report"].as_uri())
    assert page.locator("form.what-if").count() >= 4
    assert not page.locator("form.what-if").first.is_visible()  # hidden: the static tables and plans remain
    assert page.locator("#attention table").first.is_visible()
    context.close()
