"""The dose-response model: graded answers, recovery of the simulator's true curves, effects, anova, old files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from backpain_analysis.factors import FACTOR_NAMES, get_factor
from backpain_analysis.model import ModelError, PainRiskModel, with_changes
from backpain_analysis.sessionlog import load_log
from backpain_analysis.simulate import simulate_cohort, true_curve, true_effects
from backpain_analysis.splines import KNOT_QUANTILES

DATA = Path(__file__).parent / "data"
#: The first version's simulated cohort (``simulate_cohort(n_clients=12, weeks=6, seed=2006)``, as a file).
FIRST_COHORT = Path(__file__).parents[1] / "data" / "simulated_v1.csv"


@pytest.fixture(scope="module")
def graded():
    """A simulated log of the graded world and the default model fitted on it."""
    log = simulate_cohort(n_clients=600, weeks=16, seed=606)
    return log, PainRiskModel().fit(log)


@pytest.fixture(scope="module")
def large():
    """A large graded cohort (1000 clients, 16 weeks: over 3 times the bundled one) and a model of every factor.

    Large enough that the bands are narrow (half-widths under 0.2 log-odds), not so large that a spline's
    approximation of a smooth truth, small next to the sampling error of real data, is all the test measures.
    """
    log = simulate_cohort(n_clients=1000, weeks=16, seed=2025)
    return log, PainRiskModel(factors=FACTOR_NAMES).fit(log)


def _mean_risks(model: PainRiskModel, log: pd.DataFrame, *, where: np.ndarray | None = None,
                **grid: list) -> np.ndarray:
    """Mean ``risk_if`` over the sessions changed, for each value of the one column in ``grid``."""
    (column, values), = grid.items()
    mask = np.ones(len(log), bool) if where is None else where
    return np.array([model.what_if(log, where=mask, **{column: v})["risk_if"][mask].mean() for v in values])


# ---------------------------------------------------------------- graded what_if
@pytest.mark.parametrize(("column", "values", "direction"), [
    ("warmup_min", [0, 3, 5, 10], "down"),
    ("form_score", [1, 2, 3, 4], "down"),
    ("plank_s", [20, 40, 60], "down"),
    ("sit_reach_cm", [-20, -10, 0], "down"),
])
def test_what_if_gives_graded_answers_where_the_truth_is_monotone(graded, column, values, direction):
    """Each step towards the reference gives a different, lower mean risk (no all-or-nothing answers)."""
    log, model = graded
    risks = _mean_risks(model, log, **{column: values})
    steps = np.diff(risks)
    assert (steps < 0).all() if direction == "down" else (steps > 0).all(), f"{column}: {np.round(risks, 4)}"
    assert len(np.unique(np.round(risks, 4))) == len(values)  # distinct to the shown precision, not just ordered
    truth = true_curve(_factor_of(column), np.array(values, dtype=float))
    assert (np.diff(truth) < 0).all()  # the truth is strictly monotone over these values (else the test means less)


def _factor_of(column: str) -> str:
    return next(f.name for f in map(get_factor, FACTOR_NAMES) if f.scale is not None and f.scale.column == column)


def test_what_if_rpe_raises_the_risk_step_by_step_at_the_same_load(graded):
    """RPE 6 -> 8 -> 10 with the duration changed so that each session's load (RPE x minutes) stays the same."""
    log, model = graded
    rpe = log["rpe"]
    risks = np.array([model.what_if(log, rpe=v, duration_min=lambda d, v=v: d * rpe / v)["risk_if"].mean()
                      for v in (6, 8, 10)])
    assert (np.diff(risks) > 0).all(), np.round(risks, 4)
    assert (np.diff(true_curve("hard_session", np.array([6, 8, 10]))) > 0).all()


def test_what_if_a_load_spike_raises_the_risk_step_by_step(graded):
    """Longer sessions in each client's last week only: acute load up against chronic, risk up at each step."""
    log, model = graded
    last = log.groupby("client_id")["date"].transform("max")
    where = (log["date"] > last - pd.Timedelta(days=7)).to_numpy()
    ratios, risks = [], []
    for k in (1.0, 1.4, 1.8):
        longer = {"duration_min": lambda d, k=k: d * k}
        risks.append(model.what_if(log, where=where, **longer)["risk_if"][where].mean())
        ratios.append(model.encoder_.values(with_changes(log, where=where, **longer))["load_spike"][where].median())
    assert (np.diff(ratios) > 0).all()  # the change did move the acute:chronic ratio up
    assert (np.diff(risks) > 0).all(), np.round(risks, 4)


# ---------------------------------------------------------------- recovery of the true curves
def _grid(model: PainRiskModel, log: pd.DataFrame, factor: str, *, n: int = 25) -> np.ndarray:
    """Values between the 10th and 90th percentile of the recorded values: the distinct ones for a score."""
    values = model.encoder_.values(log)[factor].dropna().to_numpy()
    lo, hi = np.quantile(values, [0.1, 0.9])
    distinct = np.unique(values[(values >= lo) & (values <= hi)])
    whole = np.all(values == np.round(values)) and len(distinct) <= 12  # RPE, form: only whole values exist
    return distinct if whole else np.linspace(lo, hi, n)


def _curve_check(model: PainRiskModel, log: pd.DataFrame) -> pd.DataFrame:
    """Per scaled factor: grid points, how many the pointwise 95% band covers, and the largest |z| against truth."""
    factors = [f for f in model.encoder_.factors_ if model.encoder_.kinds_[f] != "binary"]
    rows = []
    for f in factors:
        grid = _grid(model, log, f)
        pe = model.partial_effect(f, grid)
        se = pe["se"].to_numpy()
        diff = pe["log_odds"].to_numpy() - true_curve(f, grid)
        z = np.divide(diff, se, out=np.zeros_like(diff), where=se > 0)  # at the reference both are 0
        rows.append({"factor": f, "points": len(grid), "covered": int((np.abs(z) <= stats.norm.ppf(0.975)).sum()),
                     "max_abs_z": float(np.abs(z).max()), "max_half_width": float(1.96 * se.max())})
    return pd.DataFrame(rows).set_index("factor")


@pytest.fixture(scope="module")
def curve_check(large):
    log, model = large
    return _curve_check(model, log)


@pytest.mark.slow
@pytest.mark.parametrize("factor", [f.name for f in map(get_factor, FACTOR_NAMES) if f.scale is not None])
def test_true_curve_lies_inside_the_confidence_band_on_a_large_cohort(curve_check, factor):
    """The true curve inside the model's band at every grid point, Bonferroni-corrected over all points of all factors.

    Family-wise 5%: z = Phi^-1(1 - 0.05 / (2 m)), m the grid points of every scaled factor together.
    """
    table = curve_check
    z = stats.norm.ppf(1 - 0.05 / (2 * table["points"].sum()))
    row = table.loc[factor]
    assert row["max_abs_z"] <= z, f"{factor}: true curve outside the Bonferroni band (z={z:.2f}):\n{table.round(3)}"
    assert row["max_half_width"] < 0.2  # the bands are narrow, so the check has teeth


# ---------------------------------------------------------------- effects table and anova
@pytest.mark.slow
def test_effects_table_covers_the_true_contrasts_on_a_large_cohort(large):
    """Each contrast's odds ratio covers the truth (Bonferroni over the factors, 95% family)."""
    _, model = large
    truth = true_effects()
    table = model.effects(alpha=0.05 / len(truth))
    assert list(table.index) == list(truth.index)
    assert (table[["low", "high"]].to_numpy() == truth[["low", "high"]].to_numpy()).all()
    outside = [f"{f}: true {truth.loc[f, 'true_or']:.3f} outside ({r['ci_low']:.3f}, {r['ci_high']:.3f})"
               for f, r in table.iterrows() if not r["ci_low"] <= truth.loc[f, "true_or"] <= r["ci_high"]]
    assert not outside, "; ".join(outside)
    assert (np.log(table["ci_high"] / table["ci_low"]) < 0.75).all()  # informative intervals: the check has teeth


@pytest.mark.slow
def test_anova_finds_curvature_where_the_truth_has_it(large):
    """Acute:chronic load (flat below 1, rising above) is clearly non-linear; flat truths mostly are not."""
    _, model = large
    table = model.anova()
    assert table.loc["load_spike", "p_nonlinear"] < 0.001
    flat = [f.name for f in map(get_factor, FACTOR_NAMES)
            if f.scale is not None and model.encoder_.kinds_[f.name] == "spline"
            and not np.any(true_curve(f.name, np.linspace(*np.clip(f.scale.limits, -100, 100), 50)))]
    assert set(flat) == {"long_sitting", "low_water", "no_cooldown"}
    assert (table.loc[flat, "p_nonlinear"] > 0.05).sum() > len(flat) / 2, table.loc[flat]


def test_anova_is_the_wald_statistic_of_the_coefficients(graded):
    _, model = graded
    table = model.anova()
    names = list(model.feature_names_)
    for f in model.encoder_.factors_:
        idx = np.array([names.index(c) for c in model.encoder_.columns_[f]])
        b, v = model.coef_[idx], model.cov_[np.ix_(idx + 1, idx + 1)]
        chi2 = float(b @ np.linalg.inv(v) @ b)
        assert table.loc[f, "chi2"] == pytest.approx(chi2, rel=1e-8)
        assert table.loc[f, "df"] == len(idx)
        assert table.loc[f, "p"] == pytest.approx(stats.chi2.sf(chi2, len(idx)), rel=1e-6, abs=1e-300)
        if model.encoder_.kinds_[f] == "spline":  # the non-linear part: every column but the linear one
            nl = idx[1:]
            chi2_nl = float(model.coef_[nl] @ np.linalg.inv(model.cov_[np.ix_(nl + 1, nl + 1)]) @ model.coef_[nl])
            assert table.loc[f, "chi2_nonlinear"] == pytest.approx(chi2_nl, rel=1e-8)
            assert table.loc[f, "df_nonlinear"] == len(nl)


def test_anova_refuses_a_penalised_fit(small_log):
    with pytest.raises(ModelError, match="unpenalised"):
        PainRiskModel(C=1.0).fit(small_log).anova()


# ---------------------------------------------------------------- knots and persistence
def test_knots_are_harrells_quantiles_of_the_training_values(graded, tmp_path):
    log, model = graded
    labelled = log["back_pain"].notna().to_numpy()
    values = model.encoder_.values(log).loc[labelled]
    splines = [f for f in model.encoder_.factors_ if model.encoder_.kinds_[f] == "spline"]
    assert {"short_warmup", "weak_core", "load_spike"} <= set(splines)
    for f in splines:
        recorded = values[f].dropna().to_numpy()
        expected = np.unique(np.quantile(recorded, KNOT_QUANTILES[get_factor(f).scale.knots]))
        np.testing.assert_allclose(model.encoder_.knots_[f], expected, rtol=0, atol=1e-12, err_msg=f)
    again = PainRiskModel.load(model.save(tmp_path / "m.json"))
    assert again.encoder_.knots_.keys() == model.encoder_.knots_.keys()
    for f, knots in model.encoder_.knots_.items():  # stored in the file (to 12 decimals), not re-learned
        np.testing.assert_allclose(again.encoder_.knots_[f], knots, rtol=0, atol=1e-11, err_msg=f)
    np.testing.assert_allclose(again.predict_risk(log), model.predict_risk(log), rtol=1e-10, atol=0)
    pd.testing.assert_frame_equal(again.effects(), model.effects(), rtol=1e-9)


def test_a_first_version_model_file_loads_as_the_threshold_model_it_was():
    """The first version's default model (format 1) predicts what the first version's code predicted."""
    path = DATA / "default_model_v1.json"
    data = json.loads(path.read_text())
    assert data["format_version"] == 1
    model = PainRiskModel.load(path)
    assert model.terms == "threshold" and model.encoder_.terms == "threshold"
    assert set(model.encoder_.kinds_.values()) == {"binary"}
    assert list(model.feature_names_) == data["features"]
    log = load_log(FIRST_COHORT).data
    risk = model.predict_risk(log)
    assert ((risk > 0) & (risk < 1)).all()
    # risks the first version's code computed with this file on this log (tests/model/data/README.md)
    expected = pd.read_csv(DATA / "default_model_v1_risks.csv", index_col="row")["risk"]
    np.testing.assert_allclose(risk.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)


def test_a_model_file_of_an_unknown_version_says_how_to_refit(tmp_path):
    data = json.loads((DATA / "default_model_v1.json").read_text())
    path = tmp_path / "future.json"
    path.write_text(json.dumps({**data, "format_version": 99}))
    with pytest.raises(ModelError, match=r"version 99 is not supported.*refit.*backpain fit"):
        PainRiskModel.load(path)


def test_acute_and_chronic_load_as_separate_splines(graded, tmp_path):
    """The candidate load terms of notebook 06 fit, explain, answer what-ifs, report effects and round-trip."""
    from backpain_analysis.factors import LOAD_TERMS, MODEL_FACTORS

    log, _ = graded
    factors = (*(f for f in MODEL_FACTORS if f != "load_spike"), *(f.name for f in LOAD_TERMS))
    model = PainRiskModel(factors=factors).fit(log)
    effects = model.effects()
    assert {"acute_load", "chronic_load"} <= set(effects.index)
    assert "Acute load" in model.summary()
    assert np.isfinite(model.anova().loc[["acute_load", "chronic_load"], "chi2"]).all()
    contributions = model.contributions(log)
    lp = np.log(model.predict_risk(log) / (1 - model.predict_risk(log)))
    np.testing.assert_allclose(contributions.sum(axis=1) + model.baseline(), lp, atol=1e-9)
    # every session half as long again: the ratio stays as it was, the acute and chronic loads do not
    longer = model.what_if(log, duration_min=lambda d: d * 1.5)["change"]
    assert longer.abs().max() > 0.01
    np.testing.assert_allclose(graded[1].what_if(log, duration_min=lambda d: d * 1.5)["change"], 0, atol=1e-9)
    path = model.save(tmp_path / "m.json")
    np.testing.assert_allclose(PainRiskModel.load(path).predict_risk(log), model.predict_risk(log))
