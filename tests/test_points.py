"""The points card: levels and ranges, integer points, the total -> risk table, tiers, the printed page, agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backpain_analysis.factors import get_factor
from backpain_analysis.model import PainRiskModel, load_default_model
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.points import LEVELS, PointsCard, points_card
from backpain_analysis.sessionlog import load_log
from backpain_analysis.tiers import RISK_TIERS, risk_tier


@pytest.fixture(scope="module")
def bundled_log():
    return load_log(RAW_DIR / "example_sessions.csv").data


@pytest.fixture(scope="module")
def model():
    return load_default_model()


@pytest.fixture(scope="module")
def card(model, bundled_log) -> PointsCard:
    """The default card: fine ranges."""
    return points_card(model, log=bundled_log, log_name="the bundled simulated cohort")


@pytest.fixture(scope="module")
def registry_card(model, bundled_log) -> PointsCard:
    """The card with the registry's plain-words ranges."""
    return points_card(model, log=bundled_log, ranges="registry", log_name="the bundled simulated cohort")


def test_the_card_is_within_3_points_of_the_model_on_the_bundled_cohort(card, model, bundled_log):
    """Fine ranges (the default) follow the model's curves: every session of the bundled cohort within the
    tolerance (2.5 points, under the 3 promised), and the agreement is recorded on the card."""
    scored = card.score(bundled_log)
    gap = scored["difference"].abs()
    assert gap.max() <= 0.025 < 0.03
    assert card.reference["max_abs_difference"] == pytest.approx(gap.max())
    assert card.reference["sessions"] == len(bundled_log)
    np.testing.assert_allclose(scored["model_risk"], model.predict_risk(bundled_log))
    assert (scored["card_tier"] == scored["model_tier"]).mean() > 0.95  # measured: 97.1%


def test_registry_ranges_are_far_coarser_and_say_so(registry_card, card, bundled_log):
    """With the registry's ranges the card cannot follow the model's curves within 3 points for every session; what
    it does reach is measured, recorded on the card, and held here so that it cannot get worse unnoticed."""
    gap = registry_card.score(bundled_log)["difference"].abs()
    assert registry_card.reference["max_abs_difference"] == pytest.approx(gap.max())
    assert gap.max() > 0.03  # measured: 20.8 points
    assert (gap <= 0.03).mean() > 0.85 and gap.mean() < 0.02  # measured: 86.8% within 3 points, mean 1.6 points
    assert len(registry_card.table) < len(card.table) / 3
    with pytest.raises(ValueError, match="ranges must be one of fine, registry"):
        points_card(registry_card.model, ranges="coarse")


def test_each_factor_has_its_own_levels(card, registry_card, model):
    """Yes/no factors: no, yes, not recorded; measured ones: their ranges (the registry's, or the fine card's), then
    not recorded."""
    for c in (card, registry_card):
        assert c.factors == tuple(model.encoder_.factors_)
        for f in c.factors:
            levels = c.line(f).index.tolist()
            if model.encoder_.kinds_[f] == "binary":
                assert levels == list(LEVELS)
            else:
                assert levels == [*get_factor(f).scale.band_labels(c.bands.get(f)), "not recorded"]
    assert registry_card.bands == {}
    assert registry_card.line("short_warmup").index.tolist() == ["under 5", "5 to 9", "10+", "not recorded"]
    assert card.line("prior_back_pain").index.tolist() == ["no", "yes", "not recorded"]
    assert card.line("short_warmup").index[:3].tolist() == ["0", "1 to 2", "3"]


def test_fine_ranges_are_runs_of_equal_points_on_the_recorded_steps(card, model, bundled_log):
    """A fine range starts on a recorded step of its measure, no two neighbours score the same, and within a range
    the model's curve stays within 1.5 points of the range's points (0.5 rounding, at most one point of curve)."""
    levels = card.levels(bundled_log)
    contributions = model.contributions(bundled_log)
    lowest = card.log_odds.groupby(level="factor", sort=False).min()
    for f, edges in card.bands.items():
        scale = get_factor(f).scale
        steps = np.asarray(edges) / scale.resolution
        np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)
        ranged = card.line(f).drop("not recorded").to_numpy()
        assert (np.diff(ranged) != 0).all(), f
        points = card.line(f).to_numpy()[levels[f].cat.codes.to_numpy()]
        error = np.abs(points / card.scale + lowest[f] - contributions[f].to_numpy())
        assert error.max() <= 1.5 / card.scale, (f, error.max() * card.scale)
    assert set(card.bands) == {f for f in card.factors if model.encoder_.kinds_[f] != "binary"}


def test_a_range_is_read_at_the_median_of_the_log_and_at_a_fixed_point_without_one(model, bundled_log):
    with_log = model.factor_levels(log=bundled_log)
    values = model.encoder_.values(bundled_log)["short_warmup"].dropna()
    scale = get_factor("short_warmup").scale
    band = scale.band_of(values.to_numpy())
    for k, label in enumerate(scale.band_labels()):
        row = with_log.loc[("short_warmup", label)]
        assert row["value"] == np.median(values[band == k])
        assert row["sessions"] == (band == k).sum()
        # the log-odds is the model's partial effect there, against the reference (as contributions)
        assert row["log_odds"] == pytest.approx(model.partial_effect("short_warmup", [row["value"]])["log_odds"][0])
    assert with_log.loc[("short_warmup", "not recorded"), "sessions"] == values.index.size * 0 + \
        model.encoder_.values(bundled_log)["short_warmup"].isna().sum()
    fixed = model.factor_levels()
    assert fixed.loc[("short_warmup", "5 to 9"), "value"] == 7  # the middle of 5..9 whole minutes
    knots = model.encoder_.knots_["short_warmup"]
    assert fixed.loc[("short_warmup", "10+"), "value"] == pytest.approx((10 + knots[-1]) / 2)  # within the knots
    assert (fixed["sessions"] == 0).all()
    # a yes/no factor: 0 for no, its coefficient for yes; not recorded as contributions measures it
    coef = dict(zip(model.feature_names_, model.coef_, strict=True))
    assert fixed.loc[("heavy_lifting", "yes"), "log_odds"] == pytest.approx(coef["heavy_lifting"])
    unrecorded = bundled_log.loc[bundled_log["warmup_min"].isna()].head(1)
    assert fixed.loc[("short_warmup", "not recorded"), "log_odds"] == pytest.approx(
        model.contributions(unrecorded)["short_warmup"].iloc[0])


def test_points_are_whole_non_negative_and_proportional_to_log_odds(card, model):
    pts = card.points
    assert pts.dtype.kind == "i"
    lowest = pts.groupby(level="factor").min()
    assert (pts >= 0).all() and (lowest == 0).all()
    rel = card.log_odds - card.log_odds.groupby(level="factor").transform("min")
    assert (pts - rel * card.scale).abs().max() <= 0.5 + 1e-9
    # a worse range never scores less than a better one where the model's curve is monotone (form score)
    form = card.line("poor_form").drop("not recorded")
    assert form.is_monotonic_decreasing and form.iloc[0] > form.iloc[-1]


def test_a_session_scored_by_hand(card, model, bundled_log):
    """Add up the card's points for one session from its log values, as a trainer would."""
    row = bundled_log.iloc[[500]]
    levels = card.levels(bundled_log).iloc[500]
    hand = sum(int(card.line(f)[levels[f]]) for f in card.factors)
    scored = card.score(bundled_log).iloc[500]
    assert scored["points"] == hand
    expected = 1 / (1 + np.exp(-(card.base + hand / card.scale)))
    assert scored["card_risk"] == pytest.approx(round(expected, 2))
    assert abs(scored["card_risk"] - model.predict_risk(row).iloc[0]) < 0.03
    # the warm-up range from the minutes: on the fine card each minute up to 13 has its own points; on the
    # registry's, 3 min is "under 5", 7 is "5 to 9", 12 is "10+"; a blank is not recorded
    some = bundled_log.head(4).assign(warmup_min=[3.0, 7.0, 12.0, np.nan])
    assert card.levels(some)["short_warmup"].tolist() == ["3", "7", "12", "not recorded"]
    registry = points_card(model, log=bundled_log, ranges="registry")
    assert registry.levels(some)["short_warmup"].tolist() == ["under 5", "5 to 9", "10+", "not recorded"]


def test_risk_table_and_tiers(card):
    table = card.risk_table
    assert table["total"].tolist() == list(range(len(table)))
    assert table["risk"].is_monotonic_increasing
    assert (table["tier"] == risk_tier(table["risk"]).to_numpy()).all()
    ranges = card.tier_ranges()
    assert ranges["from"].iloc[0] == 0 and ranges["to"].iloc[-1] == len(table) - 1
    assert (ranges["from"].iloc[1:].to_numpy() == ranges["to"].iloc[:-1].to_numpy() + 1).all()
    assert set(ranges["tier"]) <= set(RISK_TIERS)
    lookup = card.lookup_table()
    assert lookup["from"].iloc[0] == 0 and lookup["to"].iloc[-1] == len(table) - 1
    assert len(lookup) < len(table)  # totals with the same printed risk share a row
    md = card.to_markdown()
    assert md.count("\n|") > len(card.factors) and "| History of back pain | no: 0; yes: " in md
    assert "| Warm-up, min | 0: " in md
    frame = card.to_frame()
    assert list(frame.columns) == ["factor", "level", "points"] and len(frame) == len(card.table)


def test_error_bound_holds(card, model, bundled_log):
    assert card.error_bound() >= card.max_abs_difference(bundled_log)
    errors = card.level_errors()
    assert (errors.loc[[f for f in card.factors if model.encoder_.kinds_[f] == "binary"]] <= 0.5 / card.scale
            + 1e-9).all()
    # without a reference log the scale is chosen by the bound
    strict = points_card(model, tolerance=0.05)
    assert not strict.reference
    assert strict.error_bound() <= min(points_card(model, scale=s).error_bound() for s in (2, 10, 30)) + 1e-9


def test_card_of_a_small_penalised_model(small_log):
    model = PainRiskModel(factors=("prior_back_pain", "heavy_lifting", "short_warmup"), C=0.5).fit(small_log)
    card = points_card(model, log=small_log)
    assert card.factors == ("prior_back_pain", "heavy_lifting", "short_warmup")
    assert card.max_abs_difference(small_log) < 0.03
    if card.scale > 2:  # the scale is the smallest that meets the tolerance
        assert points_card(model, log=small_log, scale=card.scale - 1).max_abs_difference(small_log) > 0.025
    fixed = points_card(model, scale=10)
    assert fixed.scale == 10


def test_a_threshold_model_card_is_yes_no_throughout(small_log):
    model = PainRiskModel(factors=("short_warmup", "weak_core", "prior_back_pain"), terms="threshold",
                          C=1.0).fit(small_log)
    card = points_card(model, log=small_log)
    assert all(card.line(f).index.tolist() == list(LEVELS) for f in card.factors)
    assert card.titles["short_warmup"] == get_factor("short_warmup").title


def test_png_and_pdf_are_one_page(card, tmp_path):
    png = card.to_png(tmp_path / "card.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    assert imread(png).shape[:2] == (int(11.69 * 150), int(8.27 * 150))  # one A4 page
    pdf = card.to_pdf(tmp_path / "card.pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 1
    assert card.save(tmp_path / "again.pdf").exists()
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        card.save(tmp_path / "card.svg")
    fig = card.plot()
    texts = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert "not a diagnosis" in texts and "bundled simulated cohort" in texts


@pytest.mark.parametrize("ranges", ["fine", "registry"])
def test_the_page_reads_levels_hints_colours_meanings_and_disclaimer_from_the_registries(ranges, card,
                                                                                          registry_card, model):
    from matplotlib.colors import to_rgba

    from backpain_analysis.tiers import TIER_STYLES, tier_band
    from backpain_analysis.triage import disclaimer

    card = card if ranges == "fine" else registry_card
    fig = card.plot()
    factors_ax, table_ax = fig.axes[:2]
    printed = [t.get_text() for t in factors_ax.texts]
    # every level of every line, with its points, in the page's short labels
    for f in card.factors:
        assert card.titles[f] in printed
        labels = card.cell_labels(f)
        assert set(labels) <= set(printed) and len(labels) == len(card.line(f))
        assert {str(int(p)) for p in card.line(f)} <= set(printed)
    # a yes/no factor's hint is the registry's; a measured factor's is its scale's advice (no typed threshold)
    for f in card.factors:
        spec = get_factor(f)
        hint = f"{spec.scale.advice} advised" if model.encoder_.kinds_[f] != "binary" else spec.hint
        assert card.hints[f] == hint and (not hint or hint in printed)
    assert "60+ s advised" in printed and "Plank, s" in printed
    # the total -> risk blocks and the tier lines in the tiers' own fills
    fills = {to_rgba(s.fill) for s in TIER_STYLES.values()}
    assert {tuple(p.get_facecolor()) for p in table_ax.patches} <= fills
    tier_lines = [t for t in fig.texts if t.get_bbox_patch() is not None]
    assert len(tier_lines) == len(card.tier_ranges())
    for t, r in zip(tier_lines, card.tier_ranges().itertuples(index=False), strict=True):
        style = TIER_STYLES[r.tier]
        assert tuple(t.get_bbox_patch().get_facecolor()) == to_rgba(style.fill)
        assert t.get_text().startswith(f"{r.tier.upper()} ({tier_band(r.tier)}): ")
        assert t.get_text().endswith(f" points. {style.meaning}.")
    # the footer is the one disclaimer, wrapped
    assert any(" ".join(t.get_text().split()) == disclaimer(what="An estimate") for t in fig.texts)


def test_levels_of_an_empty_log(card, bundled_log):
    empty = bundled_log.iloc[:0]
    assert card.levels(empty).shape == (0, len(card.factors))
    assert isinstance(card.score(empty), pd.DataFrame) and card.score(empty).empty
