"""The JupyterLab what-if explorer: values set from Python, the displayed estimate against ``what_if``."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from backpain_analysis import explore
from backpain_analysis.check.whatif import change_text, form_inputs, risk_text
from backpain_analysis.model import load_default_model
from backpain_analysis.simulate import simulate_cohort

pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    """Simulated clients with values missing, some under 4 weeks of history, and one red flag now."""
    log = simulate_cohort(n_clients=10, weeks=5, seed=8)
    last = log.index[log["client_id"] == "S004"].max()
    log.loc[last, ["back_pain", "bladder_bowel"]] = True
    return log


@pytest.fixture(scope="module")
def explorer(log):
    return explore(log, model=load_default_model(), client="S001")


def test_the_displayed_estimate_is_what_if(explorer, log):
    model = load_default_model()
    rng = np.random.default_rng(3)
    for client in ("S001", "S002", "S006", "S009"):
        explorer.picker.value = client
        row = log.index[log["client_id"] == client].max()
        where = log.index == row
        now = model.predict_risk(log).loc[row]
        assert explorer.result["risk"] == pytest.approx(now, abs=1e-12)
        assert f"<b>{risk_text(now)}</b>" in explorer.estimate.value
        for _ in range(3):
            changes = {"warmup_min": float(rng.choice([0, 4, 8, 15])), "rpe": float(rng.integers(1, 11)),
                       "heavy_lifting": bool(rng.integers(2)), "start_time": rng.choice(["06:30", "18:00"]),
                       "duration_min": float(rng.integers(20, 120))}
            result = explorer.set(**changes)
            want = model.what_if(log, where=where, **changes)
            assert result["risk"] == pytest.approx(want["risk_if"].loc[row], abs=1e-12)
            assert f"<b>{risk_text(want['risk_if'].loc[row])}</b>" in explorer.estimate.value
            assert change_text(want["change"].loc[row]) in explorer.estimate.value
            # the chart shows the model's own contributions of that session
            logit = np.log(result["risk"] / (1 - result["risk"]))
            assert model.baseline() + result["contributions"].sum() == pytest.approx(logit, abs=1e-9)
            assert explorer.chart.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_typing_into_a_widget_recomputes(explorer, log):
    model = load_default_model()
    explorer.picker.value = "S002"
    row = log.index[log["client_id"] == "S002"].max()
    explorer.inputs["warmup_min"].value = "12"
    explorer.inputs["bending_twisting"].value = True
    want = model.what_if(log, where=log.index == row, warmup_min=12.0, bending_twisting=True)
    assert explorer.result["risk"] == pytest.approx(want["risk_if"].loc[row], abs=1e-12)
    explorer.inputs["warmup_min"].value = ""  # not recorded
    want = model.what_if(log, where=log.index == row, warmup_min=np.nan, bending_twisting=True)
    assert explorer.result["risk"] == pytest.approx(want["risk_if"].loc[row], abs=1e-12)


def test_the_same_inputs_as_the_report(explorer):
    assert list(explorer.inputs) == [c.name for c in form_inputs()]


def test_a_red_flagged_client_gets_no_estimate(explorer):
    explorer.picker.value = "S004"
    assert explorer.result["risk"] is None
    assert "no training changes until a clinician has assessed" in explorer.estimate.value
    assert all(box.disabled for box in explorer.inputs.values())
    assert explorer.chart.value == b""
    explorer.picker.value = "S001"
    assert not any(box.disabled for box in explorer.inputs.values())


def test_bad_values_get_the_contracts_words(explorer):
    explorer.picker.value = "S001"
    explorer.set(rpe=11)
    assert explorer.result["risk"] is None and "rpe: enter a number from 0 to 10" in explorer.estimate.value
    explorer.set(rpe="six")
    assert "rpe: enter" in explorer.text()
    explorer.set(rpe=6)
    assert explorer.result["risk"] is not None
    with pytest.raises(ValueError, match="not a what-if input"):
        explorer.set(plank_s=90)


def test_default_client_and_clear_errors(log):
    e = explore(log)
    assert e.picker.value != "S004"  # the highest risk without a red flag
    assert "What-if explorer. Client" in repr(e)
    with pytest.raises(ValueError, match="no client 'nobody'"):
        explore(log, client="nobody")
    with pytest.raises(ValueError, match="row labels repeat"):
        explore(pd.concat([log, log]))
    with pytest.raises(TypeError):
        explore([1, 2, 3])


def test_without_ipywidgets_the_message_says_how_to_get_it(log, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails as if not installed
    with pytest.raises(ImportError, match=r"notebooks extra.*backpain-analysis\[notebooks\]"):
        explore(log)


def test_inputs_the_model_leaves_out_say_so(explorer):
    rows = explorer.widget.children[1:1 + len(explorer.inputs)]
    notes = {name: row.children[2].value for name, row in zip(explorer.inputs, rows, strict=True)}
    assert "not in this model" in notes["cooldown_min"] and "against" in notes["cooldown_min"]
    assert "not in this model" in notes["water_l"]
    assert "not in this model" not in notes["warmup_min"]
