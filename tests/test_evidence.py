"""Real-data evidence: conditional logit on matched pairs, logistic fit of the backpack survey."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from scipy import stats

from backpain_analysis.evidence import (
    BACKPACK_FILE,
    DRIVING_FILE,
    EvidenceDataError,
    backpack_logistic,
    discordant_pairs,
    driving_conditional_logit,
    load_backpack,
    load_driving,
    plot_backpack_fit,
)
from backpain_analysis.paths import EXTERNAL_DIR

Z = stats.norm.ppf(0.975)


def _hand_discordant_counts(path) -> tuple[int, int, int]:
    """b (case drove, control did not), c (control drove, case did not), pairs -- counted from the raw file."""
    by_pair: dict[str, dict[str, str]] = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            by_pair.setdefault(row["pair_id"], {})[row["status"]] = row["driver"]
    b = sum(p["case"] == "yes" and p["control"] == "no" for p in by_pair.values())
    c = sum(p["case"] == "no" and p["control"] == "yes" for p in by_pair.values())
    return b, c, len(by_pair)


def _write_pairs(directory, pairs: list[tuple[str, str]]) -> None:
    """Write a driving file from (case driver, control driver) pairs; suburban alternates."""
    lines = ["pair_id,status,driver,suburban"]
    for i, (case, control) in enumerate(pairs, start=1):
        lines += [f"{i},case,{case},{'yes' if i % 2 else 'no'}", f"{i},control,{control},{'no' if i % 3 else 'yes'}"]
    (directory / DRIVING_FILE).write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------- driving, real data
def test_conditional_or_on_real_pairs_is_the_ratio_of_discordant_pairs():
    b, c, n = _hand_discordant_counts(EXTERNAL_DIR / DRIVING_FILE)
    fit = driving_conditional_logit()
    assert fit.n_pairs == n == 217
    assert fit.odds_ratio == pytest.approx(b / c, rel=1e-6)
    se = math.sqrt(1 / b + 1 / c)
    assert fit.ci_low == pytest.approx(math.exp(math.log(b / c) - Z * se), rel=1e-5)
    assert fit.ci_high == pytest.approx(math.exp(math.log(b / c) + Z * se), rel=1e-5)
    assert fit.p_value == pytest.approx(2 * stats.norm.sf(math.log(b / c) / se), rel=1e-4)
    table = fit.discordant
    assert (table.loc["yes", "no"], table.loc["no", "yes"]) == (b, c)
    assert int(table.to_numpy().sum()) == n
    assert fit.mcnemar_p_value == pytest.approx(stats.binomtest(b, b + c).pvalue)


def test_ordinary_logistic_comparisons_match_their_closed_forms():
    data = load_driving()
    fit = driving_conditional_logit(data)
    # pairs ignored: the cross-product ratio of the unmatched 2x2 table
    cases, controls = data.loc[data["case"], "driver"], data.loc[~data["case"], "driver"]
    a, b_ = cases.sum(), (~cases).sum()
    c_, d = controls.sum(), (~controls).sum()
    pooled = fit.comparison.loc["ordinary logistic, pairs ignored", "odds_ratio"]
    assert pooled == pytest.approx(a * d / (b_ * c_), rel=1e-5)
    # one intercept per pair: the unconditional MLE is the square of the conditional one (Breslow & Day 1980)
    per_pair = fit.comparison.loc["ordinary logistic, one intercept per pair", "odds_ratio"]
    assert per_pair == pytest.approx(fit.odds_ratio ** 2, rel=1e-5)
    assert fit.comparison.iloc[0].equals(fit.conditional.iloc[0])


def test_adjusting_for_a_second_exposure_reports_both():
    fit = driving_conditional_logit(exposures=("driver", "suburban"))
    assert list(fit.conditional.index) == ["driver", "suburban"]
    assert fit.odds_ratio == fit.conditional.loc["driver", "odds_ratio"]
    assert (fit.conditional["ci_low"] < fit.conditional["odds_ratio"]).all()
    assert fit.odds_ratio != pytest.approx(driving_conditional_logit().odds_ratio)
    with pytest.raises(ValueError, match="at least one"):
        driving_conditional_logit(exposures=())


# --------------------------------------------------------------------------------------------- driving, synthetic
def test_conditional_or_on_constructed_pairs(tmp_path):
    b, c = 30, 10
    pairs = [("yes", "no")] * b + [("no", "yes")] * c + [("yes", "yes")] * 25 + [("no", "no")] * 15
    _write_pairs(tmp_path, pairs)
    data = load_driving(directory=tmp_path)
    assert len(data) == 2 * len(pairs)
    assert data["case"].iloc[0] and not data["case"].iloc[1]  # case first within a pair
    fit = driving_conditional_logit(data)
    assert fit.odds_ratio == pytest.approx(3.0, rel=1e-6)
    assert fit.ci_high / fit.ci_low == pytest.approx(math.exp(2 * Z * math.sqrt(1 / b + 1 / c)), rel=1e-5)
    table = discordant_pairs(data)
    assert table.to_numpy().tolist() == [[25, 30], [10, 15]]


def test_concordant_pairs_do_not_change_the_conditional_or(tmp_path):
    base = [("yes", "no")] * 12 + [("no", "yes")] * 8
    _write_pairs(tmp_path, base)
    few = driving_conditional_logit(load_driving(directory=tmp_path)).odds_ratio
    _write_pairs(tmp_path, base + [("yes", "yes")] * 40 + [("no", "no")] * 7)
    many = driving_conditional_logit(load_driving(directory=tmp_path)).odds_ratio
    assert few == pytest.approx(1.5, rel=1e-6)
    assert many == pytest.approx(few, rel=1e-6)


# --------------------------------------------------------------------------------------------- loaders
def test_missing_files_say_where_the_data_lives(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"data/external/README\.md"):
        load_driving(directory=tmp_path)
    with pytest.raises(FileNotFoundError, match=BACKPACK_FILE):
        load_backpack(directory=tmp_path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("pair_id,status,driver\n1,case,yes\n1,control,no\n", "missing column"),
        ("pair_id,status,driver,suburban\n1,case,maybe,yes\n1,control,no,no\n", "yes/no"),
        ("pair_id,status,driver,suburban\n1,case,yes,yes\n1,patient,no,no\n", "case or control"),
        ("pair_id,status,driver,suburban\n1,case,yes,yes\n1,case,no,no\n", "exactly one case"),
        ("pair_id,status,driver,suburban\n1,case,yes,yes\n", "exactly one case"),
    ],
)
def test_bad_driving_files_are_rejected(tmp_path, text, match):
    (tmp_path / DRIVING_FILE).write_text(text)
    with pytest.raises(EvidenceDataError, match=match):
        load_driving(directory=tmp_path)


def test_bad_backpack_files_are_rejected(tmp_path):
    header = "BackpackWeight,BodyWeight,Ratio,BackProblems,Major,Year,Sex,Status,Units\n"
    (tmp_path / BACKPACK_FILE).write_text(header + "9,125,0.072,2,Bio,3,Female,U,13\n")
    with pytest.raises(EvidenceDataError, match="0 or 1"):
        load_backpack(directory=tmp_path)
    (tmp_path / BACKPACK_FILE).write_text(header + "9,125,-1,1,Bio,3,Female,U,13\n")
    with pytest.raises(EvidenceDataError, match="positive"):
        load_backpack(directory=tmp_path)


# --------------------------------------------------------------------------------------------- backpack
def _newton_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain Newton-Raphson for logit(p) = b0 + b1 x; returns coefficients and their covariance."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ beta))
        info = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, X.T @ (y - p))
        beta = beta + step
        if np.abs(step).max() < 1e-12:
            break
    p = 1 / (1 + np.exp(-X @ beta))
    return beta, np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))


def test_backpack_or_matches_a_hand_newton_fit_and_a_glm():
    import statsmodels.api as sm

    data = load_backpack()
    assert (len(data), int(data["BackProblems"].sum())) == (100, 32)
    x, y = data["Ratio"].to_numpy(float), data["BackProblems"].to_numpy(float)
    beta, cov = _newton_logistic(x, y)
    fit = backpack_logistic(data, per=0.05)
    se = math.sqrt(cov[1, 1])
    assert (fit.n, fit.events) == (100, 32)
    assert fit.slope == pytest.approx(beta[1], rel=1e-6)
    assert fit.odds_ratio == pytest.approx(math.exp(0.05 * beta[1]), rel=1e-6)
    assert fit.ci_low == pytest.approx(math.exp(0.05 * (beta[1] - Z * se)), rel=1e-5)
    assert fit.ci_high == pytest.approx(math.exp(0.05 * (beta[1] + Z * se)), rel=1e-5)
    glm = sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial()).fit()
    assert fit.intercept == pytest.approx(glm.params[0], rel=1e-6)
    assert fit.p_value == pytest.approx(glm.pvalues[1], rel=1e-5)


def test_backpack_or_scales_with_the_step():
    a, b = backpack_logistic(per=0.05), backpack_logistic(per=0.10)
    assert b.odds_ratio == pytest.approx(a.odds_ratio ** 2, rel=1e-9)
    assert b.p_value == pytest.approx(a.p_value)
    with pytest.raises(ValueError, match="positive"):
        backpack_logistic(per=0)


def test_backpack_curve_is_the_fitted_probability_inside_its_band():
    fit = backpack_logistic()
    grid = np.array([0.02, 0.08, 0.18])
    curve = fit.curve(grid)
    expected = 1 / (1 + np.exp(-(fit.intercept + fit.slope * grid)))
    np.testing.assert_allclose(curve["probability"], expected, rtol=1e-10)
    assert ((curve["ci_low"] < curve["probability"]) & (curve["probability"] < curve["ci_high"])).all()
    # the band is narrowest near the mean ratio, where the data are
    width = curve["ci_high"] - curve["ci_low"]
    assert width[1] < width[0] and width[1] < width[2]


def test_backpack_figure_draws():
    data = load_backpack()
    ax = plot_backpack_fit(data, backpack_logistic(data), bins=4)
    assert len(ax.collections) >= 2  # points and band
    assert any(line.get_label() == "fitted probability" for line in ax.get_lines())
    assert ax.get_xlabel() == "backpack weight / body weight"
    labels = ax.get_legend_handles_labels()[1]
    assert "observed share (4 bins, 95% CI)" in labels and "back problems" in labels
