"""The linear predictor as data: evaluated from the spec alone, it gives the model's own contributions and log-odds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.factors import FACTOR_NAMES, get_factor
from backpain_analysis.features import prepare_log
from backpain_analysis.model import PainRiskModel, load_default_model
from backpain_analysis.model import spec as spec_module
from backpain_analysis.model.spec import exposure, spec_risk, term_contribution
from backpain_analysis.sessionlog.contract import COLUMN_NAMES, column
from backpain_analysis.simulate import simulate_cohort


def _inputs(prepared: pd.DataFrame, col: str) -> list[object]:
    """A term's input per session, as a page would hold it: numbers, True/False, "HH:MM", None for missing."""
    kind = column(col).kind if col in COLUMN_NAMES else "number"
    values = prepared[col]
    if kind == "yesno":
        return [None if pd.isna(v) else bool(v) for v in values]
    if kind == "time":
        return [None if pd.isna(v) else str(v) for v in values]
    return [None if pd.isna(v) else float(v) for v in values.astype("Float64")]


def _check_against_model(model: PainRiskModel, log: pd.DataFrame) -> float:
    """Largest |spec - model| over every session of ``log``: each term's contribution, then the log-odds."""
    spec = json.loads(json.dumps(model.linear_predictor_spec()))  # plain data: what the page gets
    prepared = prepare_log(log)
    contrib = model.contributions(prepared)
    z = np.full(len(log), spec["baseline"])
    worst = 0.0
    for term in spec["terms"]:
        if term["column"] is None:  # depends on the session dates: only the log gives it
            z += contrib[term["factor"]].to_numpy()
            continue
        got = np.array([term_contribution(term, v) for v in _inputs(prepared, term["column"])])
        worst = max(worst, float(np.abs(got - contrib[term["factor"]].to_numpy()).max()))
        z += got
    worst = max(worst, float(np.abs(z - model.decision_function(prepared)).max()))
    risk = np.array([spec_risk(v) for v in z])
    return max(worst, float(np.abs(risk - model.predict_risk(prepared).to_numpy()).max()))


@pytest.fixture(scope="module")
def mixed_log():
    """Sessions with values missing and clients without enough load history (3-week plans among 10-week ones)."""
    short = simulate_cohort(n_clients=15, weeks=3, seed=11, id_prefix="A")
    long = simulate_cohort(n_clients=25, weeks=10, seed=12, id_prefix="B")
    return pd.concat([short, long], ignore_index=True)


def test_the_default_models_spec_gives_its_contributions_and_risks(mixed_log):
    model = load_default_model()
    assert _check_against_model(model, mixed_log) < 1e-12
    prepared = prepare_log(mixed_log)
    assert prepared["acwr"].isna().any() and prepared["warmup_min"].isna().any()  # both kinds of missing covered


@pytest.mark.parametrize("terms", ["threshold", "dose-response"])
def test_every_factor_every_shape_gives_the_models_numbers(medium_log, mixed_log, terms):
    model = PainRiskModel(factors=FACTOR_NAMES, terms=terms, C=1.0).fit(medium_log)
    assert _check_against_model(model, mixed_log) < 1e-12


def test_the_spec_describes_the_model_in_its_own_terms():
    model = load_default_model()
    spec = model.linear_predictor_spec()
    assert spec["baseline"] == pytest.approx(model.baseline())
    assert [t["factor"] for t in spec["terms"]] == list(model.encoder_.factors_)
    for term in spec["terms"]:
        kind = model.encoder_.kinds_[term["factor"]]
        assert term["kind"] == kind
        assert len(term["coef"]) == len(model.encoder_.columns_[term["factor"]])
        if kind == "spline":
            assert term["knots"] == model.encoder_.knots_[term["factor"]]
        if kind != "binary":
            assert term["column"] == get_factor(term["factor"]).scale.column
    by = {t["factor"]: t for t in spec["terms"]}
    assert by["no_rest_day"]["column"] is None  # rest days come from the session dates
    assert by["load_spike"]["column"] == "acwr"
    assert by["heavy_lifting"]["table"] == {"yes": 1.0, "no": 0.0, "": None}


def test_each_step_sits_exactly_at_the_registrys_threshold():
    """``x <= at`` is the encoder's own step for the doubles on both sides of the boundary, and far from it."""
    model = load_default_model()
    for term in model.linear_predictor_spec()["terms"]:
        if term["kind"] == "binary":
            continue
        at = term["step"]["at"]
        lo, hi = term["limits"]
        xs = np.unique(np.clip([at, np.nextafter(at, -np.inf), np.nextafter(at, np.inf), lo, hi,
                                *np.linspace(lo, hi, 97)], lo, hi))
        want = model.encoder_.basis(term["factor"], xs)[:, -1]
        got = [term["step"]["low"] if x <= at else term["step"]["high"] for x in xs]
        assert np.array_equal(want, got), term["factor"]
        assert term["step"]["low"] != term["step"]["high"]


def test_a_start_time_is_read_off_the_registry_minute_by_minute():
    model = load_default_model()
    term = next(t for t in model.linear_predictor_spec()["terms"] if t["factor"] == "morning_session")
    times = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 1, 29, 59)]
    frame = pd.DataFrame({"client_id": [f"c{i}" for i in range(len(times))], "date": pd.Timestamp("2026-03-02"),
                          "duration_min": 60.0, "rpe": 5.0, "start_time": times})
    want = get_factor("morning_session").encode(prepare_log(frame)).astype(float).to_numpy()
    assert [exposure(term, t) for t in times] == list(want)
    assert exposure(term, None) is None


def test_an_encoding_that_is_not_one_threshold_is_refused(medium_log, monkeypatch):
    model = PainRiskModel(factors=("hard_session", "heavy_lifting"), terms="threshold").fit(medium_log)
    odd = replace(get_factor("hard_session"), scale=None,
                  encode=lambda d: ((d["rpe"] < 2) | (d["rpe"] > 8)).astype("boolean"))
    monkeypatch.setattr(spec_module, "get_factor", lambda name: odd if name == "hard_session" else get_factor(name))
    with pytest.raises(ValueError, match="more than once"):
        model.linear_predictor_spec()
