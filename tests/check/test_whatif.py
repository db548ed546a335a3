"""The what-if forms' data: the page's computation (in Python) equals ``what_if``; escaping; the locked-down page."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from backpain_analysis.check import run_check
from backpain_analysis.check.whatif import (
    SESSION_LOAD,
    change_text,
    csp_hash,
    evaluate,
    form_inputs,
    json_script,
    load_text,
    risk_text,
    what_if_clients,
    what_if_data,
    what_if_script,
)
from backpain_analysis.factors import ACWR_SPIKE, ACWR_SWEET_SPOT, RISK_FACTORS, get_factor
from backpain_analysis.features import prepare_log
from backpain_analysis.model import load_default_model
from backpain_analysis.sessionlog import to_file_values
from backpain_analysis.simulate import simulate_cohort


def _latest(log: pd.DataFrame) -> pd.Series:
    """Each client's latest row label (latest date, then the last row of that day), as client_summary picks it."""
    frame = pd.DataFrame({"client_id": log["client_id"].astype(str), "date": log["date"], "row": log.index})
    return frame.sort_values(["client_id", "date", "row"], kind="stable").groupby("client_id")["row"].last()


@pytest.fixture(scope="module")
def varied_log() -> pd.DataFrame:
    """Missing values, clients without 28 days of history, a client with no earlier load, two sessions on a day."""
    short = simulate_cohort(n_clients=12, weeks=3, seed=31, id_prefix="A")
    long = simulate_cohort(n_clients=24, weeks=8, seed=32, id_prefix="B")
    log = pd.concat([short, long], ignore_index=True)
    # a client whose first five weeks had no load: a session now is a jump from nothing (acwr infinite)
    first = log["client_id"] == "B001"
    dates = log.loc[first, "date"]
    log.loc[first & (dates < dates.max() - pd.Timedelta(days=6)), "rpe"] = 0.0
    # two sessions on a client's last day: the other one's load stays in the acute load
    last = log.index[log["client_id"] == "B002"].max()
    log = pd.concat([log, log.loc[[last]].assign(duration_min=30.0, rpe=3.0)], ignore_index=True)
    log.index = log.index + 2  # row labels as a validated log's (file rows)
    return log


@pytest.fixture(scope="module")
def page(varied_log):
    return what_if_data(load_default_model(), varied_log, _latest(varied_log))


def _changes(rng: np.random.Generator) -> dict[str, object]:
    out: dict[str, object] = {
        "warmup_min": float(rng.choice([0, 3, 5, 8, 10, 12.5, 20, 45])),
        "rpe": float(rng.integers(0, 11)),
        "duration_min": float(rng.integers(5, 150)),
        "form_score": float(rng.integers(1, 6)),
        "heavy_lifting": bool(rng.integers(2)),
        "bending_twisting": bool(rng.integers(2)),
        "start_time": f"{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}",
        "cooldown_min": float(rng.integers(0, 20)),
    }
    for name in ("warmup_min", "form_score", "heavy_lifting", "start_time"):
        if rng.random() < 0.25:
            out[name] = None  # not recorded
    keep = rng.choice(list(out), size=int(rng.integers(1, len(out) + 1)), replace=False)
    return {k: out[k] for k in keep}


def test_the_pages_computation_equals_what_if(varied_log, page):
    model = load_default_model()
    rng = np.random.default_rng(14)
    worst, n = 0.0, 0
    states = page["clients"]
    assert any(not s["load_history"]["history"] for s in states)  # clients without enough history
    assert any(s["load_history"]["chronic"] == 0 for s in states)  # a client with no earlier load
    current = model.predict_risk(varied_log)
    for i, state in enumerate(states):
        row = state["row"]
        assert evaluate(page, i)["risk"] == pytest.approx(current.loc[row], abs=1e-12)
        assert state["risk"] == pytest.approx(current.loc[row], abs=1e-12)
        for _ in range(6):
            changes = _changes(rng)
            got = evaluate(page, i, **changes)
            want = model.what_if(varied_log, where=varied_log.index == row,
                                 **{k: (np.nan if v is None else v) for k, v in changes.items()})
            worst = max(worst, abs(got["risk"] - want["risk_if"].loc[row]))
            assert got["change"] == pytest.approx(want["change"].loc[row], abs=1e-12)
            n += 1
    assert n >= 200 and worst < 1e-9, (n, worst)


def test_the_load_state_is_prepare_logs(varied_log, page):
    """The acute:chronic ratio the page computes for a planned session is the one prepare_log gives it."""
    from backpain_analysis.model import with_changes

    for i, state in enumerate(page["clients"]):
        where = varied_log.index == state["row"]
        for duration, rpe in ((30.0, 4.0), (90.0, 8.0)):
            got = evaluate(page, i, duration_min=duration, rpe=rpe)["acwr"]
            prepared = prepare_log(with_changes(varied_log, where=where, duration_min=duration, rpe=rpe))
            want = prepared.loc[state["row"], "acwr"]
            if pd.isna(want):
                assert got is None
            elif math.isinf(want):
                assert got == math.inf
            else:
                assert got == pytest.approx(float(want), rel=1e-12)


def test_session_load_is_the_product_prepare_log_uses(small_log):
    prepared = prepare_log(small_log)
    product = np.prod([small_log[c].to_numpy(float) for c in SESSION_LOAD], axis=0)
    assert np.allclose(prepared["session_load"].to_numpy(float), product)


def test_the_inputs_come_from_the_registries():
    names = [c.name for c in form_inputs()]
    assert names == ["duration_min", "rpe", "start_time", "warmup_min", "cooldown_min", "stretching", "form_score",
                     "heavy_lifting", "bending_twisting", "water_l"]
    # each is a per-session column some modifiable factor reads or changes, and no per-client measurement is one
    for c in form_inputs():
        assert c.level in ("required", "session")
        assert any(f.modifiable and (c.name in f.inputs or c.name in f.remedy) for f in RISK_FACTORS)
    assert "plank_s" not in names and "date" not in names


def test_inputs_the_model_leaves_out_say_so(page):
    notes = {i["name"]: i["note"] for i in page["inputs"]}
    assert notes["warmup_min"] == "" and notes["duration_min"] == "" and notes["start_time"] == ""
    assert "not in this model" in notes["cooldown_min"] and "against" in notes["cooldown_min"]
    assert "not in this model" in notes["water_l"]


def test_values_the_log_would_reject_get_the_contracts_words(page):
    with pytest.raises(ValueError, match="rpe: enter a number from 0 to 10"):
        evaluate(page, 0, rpe=11.0)
    with pytest.raises(ValueError, match="form_score: enter a whole number"):
        evaluate(page, 0, form_score=3.5)
    with pytest.raises(ValueError, match="duration_min: enter"):
        evaluate(page, 0, duration_min=None)
    with pytest.raises(ValueError, match="start_time: enter a time"):
        evaluate(page, 0, start_time="25:00")
    with pytest.raises(ValueError, match="not a what-if input: plank_s"):
        evaluate(page, 0, plank_s=90.0)


def test_load_words_follow_the_charts_zones():
    lo, hi = ACWR_SWEET_SPOT
    assert "below the green" in load_text(lo - 0.01)
    assert "in the green" in load_text(lo) and "in the green" in load_text(hi)
    assert "not yet red" in load_text(hi + 0.01) and "not yet red" in load_text(ACWR_SPIKE)
    assert f"red > {ACWR_SPIKE:g}" in load_text(ACWR_SPIKE + 0.01) and "not yet" not in load_text(ACWR_SPIKE + 0.01)
    assert "no load in the weeks before" in load_text(math.inf)
    assert get_factor("load_spike").unknown_means in load_text(None, history=False)


def test_percent_and_change_words():
    assert risk_text(0.18412) == "18.4%"
    assert change_text(0.0123) == "+1.2 points" and change_text(-0.0101) == "-1.0 points"
    assert change_text(0.0004) == "no change" and change_text(-1e-17) == "no change"


@pytest.mark.parametrize("text", ["</script><script>window.__pwned=1</script>", "<!-- x", "a & b", "\u2028",
                                  "</SCRIPT >", "<![CDATA["])
def test_json_cannot_end_its_script_block(text):
    out = json_script({"id": text, "list": [text]})
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == {"id": text, "list": [text]}


def test_no_data_no_forms(page):
    clients = pd.DataFrame({"triage_level": ["none"], "latest_row": [5]}, index=pd.Index(["X"], name="client_id"))
    assert list(what_if_clients(clients, [])) == []
    empty = what_if_data(load_default_model(), pd.DataFrame(), what_if_clients(clients, []))
    assert empty["clients"] == [] and empty["inputs"] == page["inputs"]


# ---------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def checked(tmp_path_factory, varied_log):
    """``run_check`` of the varied log written as a trainer's CSV, with every client shown in full."""
    folder = tmp_path_factory.mktemp("whatif")
    path = folder / "clients.csv"
    to_file_values(varied_log).to_csv(path, index=False)
    return run_check(path, folder / "out", progress=False, top_n=50, max_detailed=50)


def _block(page_text: str, opening: str) -> str:
    start = page_text.index(opening) + len(opening)
    return page_text[start:page_text.index("</script>", start)]


def test_the_report_has_a_form_for_each_client_shown_without_a_red_flag(checked, hostile_result, hostile_names):
    for result in (checked, hostile_result):
        text = result.files["report"].read_text()
        data = json.loads(_block(text, '<script type="application/json" id="what-if-data">'))
        clients = result.clients
        heading = r'<article class="client" id="client-\d+">\s*<h3>Client (.*?)</h3>'
        shown = [html.unescape(c) for c in re.findall(heading, text)]
        wanted = [c for c in shown if clients.loc[c, "triage_level"] == "none"]
        forms = [html.unescape(c) for c in re.findall(r'<form class="what-if" data-client="([^"]*)"', text)]
        assert forms == wanted == [s["id"] for s in data["clients"]]
        assert len(forms) >= 3
        flagged = [c for c in shown if clients.loc[c, "triage_level"] != "none"]
        assert not set(flagged) & set(forms)
        # each form is prefilled: its output shows the current estimate, rendered before any script runs
        outputs = re.findall(r'<output name="risk" data-risk="([^"]*)">([^<]*)</output>', text)
        for state, (raw, shown_text) in zip(data["clients"], outputs, strict=True):
            assert float(raw) == pytest.approx(state["risk"], abs=1e-12)
            assert shown_text == risk_text(state["risk"])
            assert state["risk"] == pytest.approx(clients.loc[state["id"], "risk"], abs=5e-5)
    # the hostile names: one red-flagged (no form), the others with one, their ids escaped in the attribute
    text = hostile_result.files["report"].read_text()
    assert f'data-client="{escape(hostile_names[0])}"' not in text
    for name in hostile_names[1:]:
        assert f'data-client="{escape(name)}"' in text


def test_the_policy_allows_only_the_reports_own_script_and_style(checked):
    text = checked.files["report"].read_text()
    policy = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text).group(1))
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    script = _block(text, "<script>")
    style = text[text.index("<style>") + len("<style>"):text.index("</style>")]
    assert script == what_if_script()
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
    assert directives["script-src"] == digest == csp_hash(script)
    assert directives["style-src"] == csp_hash(style)
    assert directives["default-src"] == "'none'" and directives["img-src"] == "data:"
    assert directives["form-action"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy
    assert re.search(r"<form class=\"what-if\"[^>]* hidden", text)  # without scripts the forms stay hidden
    assert " style=" not in text and not re.search(r"\son[a-z]+=", text)  # no inline style or handler attribute


def test_a_model_with_acute_and_chronic_load_terms_gets_the_same_answers(varied_log):
    """The page follows the candidate load terms too: they read the acute and chronic load the form's duration and
    RPE make, and have no step."""
    from backpain_analysis.factors import LOAD_TERMS, MODEL_FACTORS
    from backpain_analysis.model import PainRiskModel

    factors = (*(f for f in MODEL_FACTORS if f != "load_spike"), *(f.name for f in LOAD_TERMS))
    model = PainRiskModel(factors=factors).fit(simulate_cohort(n_clients=150, weeks=12, seed=33))
    page = what_if_data(model, varied_log, _latest(varied_log))
    terms = {t["factor"]: t for t in page["spec"]["terms"]}
    assert terms["acute_load"]["column"] == "acute_load" and terms["acute_load"]["step"] is None
    assert not any(s["note"] for s in page["inputs"] if s["name"] in ("duration_min", "rpe"))
    rng = np.random.default_rng(15)
    worst = 0.0
    for i, state in enumerate(page["clients"]):
        row = state["row"]
        for _ in range(4):
            changes = _changes(rng)
            got = evaluate(page, i, **changes)
            want = model.what_if(varied_log, where=varied_log.index == row,
                                 **{k: (np.nan if v is None else v) for k, v in changes.items()})
            worst = max(worst, abs(got["risk"] - want["risk_if"].loc[row]))
    assert worst < 1e-9, worst
