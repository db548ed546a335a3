"""The points card: integer points, the total -> risk table, tiers, the printed page, agreement with the model."""

from __future__ import annotations

import numpy as np
import pytest

from backpain_analysis.model import PainRiskModel, load_default_model
from backpain_analysis.paths import RAW_DIR
from backpain_analysis.points import LEVELS, PointsCard, points_card
from backpain_analysis.sessionlog import load_log
from backpain_analysis.tiers import RISK_TIERS, risk_tier


@pytest.fixture(scope="module")
def bundled_log():
    return load_log(RAW_DIR / "example_sessions.csv").data


@pytest.fixture(scope="module")
def card(bundled_log) -> PointsCard:
    return points_card(load_default_model(), log=bundled_log, log_name="the bundled simulated cohort")


def test_card_agrees_with_the_model_within_3_points_on_the_bundled_cohort(card, bundled_log):
    scored = card.score(bundled_log)
    worst = scored["difference"].abs().max()
    assert worst < 0.03
    assert worst == pytest.approx(card.max_abs_difference(bundled_log))
    assert card.reference["max_abs_difference"] == pytest.approx(worst)
    assert card.reference["sessions"] == len(bundled_log)
    np.testing.assert_allclose(scored["model_risk"], load_default_model().predict_risk(bundled_log))
    # the tiers mostly agree too (they can differ only near a tier boundary)
    assert (scored["card_tier"] == scored["model_tier"]).mean() > 0.95


def test_points_are_whole_non_negative_and_proportional_to_log_odds(card):
    pts = card.points
    assert list(pts.columns) == list(LEVELS)
    assert pts.dtypes.map(lambda d: d.kind == "i").all()
    assert (pts >= 0).all().all() and (pts.min(axis=1) == 0).all()
    rel = card.log_odds.sub(card.log_odds.min(axis=1), axis=0)
    assert (pts - rel * card.scale).abs().max().max() <= 0.5 + 1e-9
    # the strongest factor on the card is the strongest in the model
    model = load_default_model()
    assert pts["yes"].idxmax() == model.odds_ratios().drop(
        index=[n for n in model.feature_names_ if n.endswith("_unknown")])["odds_ratio"].idxmax()


def test_a_session_scored_by_hand(card, bundled_log):
    """Add up the card's points for one session from its log values, as a trainer would."""
    model = load_default_model()
    row = bundled_log.iloc[[500]]
    levels = card.levels(bundled_log).iloc[500]
    hand = sum(int(card.points.loc[f, levels[f]]) for f in card.points.index)
    scored = card.score(bundled_log).iloc[500]
    assert scored["points"] == hand
    expected = 1 / (1 + np.exp(-(card.base + hand / card.scale)))
    assert scored["card_risk"] == pytest.approx(round(expected, 2))
    assert abs(scored["card_risk"] - model.predict_risk(row).iloc[0]) < 0.03
    # an unrecorded warm-up is scored on the "not recorded" column
    unrecorded = bundled_log.loc[bundled_log["warmup_min"].isna()].head(3)
    assert (card.levels(unrecorded)["short_warmup"] == "not recorded").all()


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
    assert md.count("\n|") > len(card.points) and "| History of back pain |" in md


def test_error_bound_holds(card, bundled_log):
    assert card.error_bound() >= card.max_abs_difference(bundled_log)
    # without a reference log the scale is chosen by the bound, which is stricter
    strict = points_card(load_default_model(), tolerance=0.05)
    assert strict.error_bound() <= 0.05 and strict.scale >= card.scale and not strict.reference


def test_card_of_a_small_penalised_model(small_log):
    model = PainRiskModel(factors=("prior_back_pain", "heavy_lifting", "short_warmup"), C=0.5).fit(small_log)
    card = points_card(model, log=small_log)
    assert len(card.points) == 3
    assert card.max_abs_difference(small_log) < 0.03
    if card.scale > 2:  # the scale is the smallest that meets the tolerance
        assert points_card(model, scale=card.scale - 1).max_abs_difference(small_log) > 0.025
    fixed = points_card(model, scale=10)
    assert fixed.scale == 10


def test_png_and_pdf_are_one_page(card, tmp_path):
    png = card.to_png(tmp_path / "card.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = card.to_pdf(tmp_path / "card.pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") - data.count(b"/Type /Pages") == 1
    assert card.save(tmp_path / "again.pdf").exists()
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        card.save(tmp_path / "card.svg")
    fig = card.plot()
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "not a diagnosis" in texts and "bundled simulated cohort" in texts


def test_the_page_reads_hints_colours_meanings_and_disclaimer_from_the_registries(card):
    from matplotlib.colors import to_rgba

    from backpain_analysis.factors import get_factor
    from backpain_analysis.tiers import TIER_STYLES, tier_band
    from backpain_analysis.triage import disclaimer

    fig = card.plot()
    factors_ax, table_ax = fig.axes[:2]
    # each factor's hint, as the registry writes it (from the factor's own threshold)
    printed = {t.get_text() for t in factors_ax.texts}
    hints = {f: get_factor(f).hint for f in card.points.index if get_factor(f).hint}
    assert hints and set(hints.values()) <= printed
    assert "front plank held under 60 s" in hints.values()
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
