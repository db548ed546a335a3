"""A printable points card: the logistic model as integer points a trainer can add up by hand.

Like a nomogram or a clinical score (Sullivan et al. 2004, Stat Med
23:1631-1660, "Presentation of multivariate data for clinical use: the
Framingham Study risk score functions"): every level of every risk factor
gets whole points, proportional to its log odds ratio; the total maps to a
risk through a printed table, and the table is coloured by the risk tiers of
:mod:`backpain_analysis.tiers` (defined there once, shared with the trainer
report).

How the points are made. For each factor the model gives a log-odds for
"no" (0, the reference), "yes" (its coefficient) and "not recorded" (the
coefficient of its ``_unknown`` indicator; for a factor the model has no
indicator for, its training prevalence times its coefficient -- what the
model itself uses). The lowest of the three gets 0 points and the others
``round(scale * (log-odds - lowest))``, so no points are negative; the
intercept absorbs the shifts. ``scale`` (points per unit of log-odds) is the
smallest whole number for which card and model agree within ``tolerance`` on
a reference log; :meth:`PointsCard.max_abs_difference` reports the largest
gap. Keeping every risk within 3 percentage points needs fine points (one
point is 0.05 log-odds for the shipped model, totals up to about 110), because
near 50% risk a single point already moves the risk by over one point; the
printed table therefore groups totals that share a printed risk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from .factors import get_factor
from .tiers import TIER_ORDER, TIER_STYLES, risk_tier, tier_band
from .triage import disclaimer

__all__ = ["LEVELS", "PointsCard", "points_card"]

#: The levels of every factor on the card, in column order.
LEVELS: tuple[str, ...] = ("no", "yes", "not recorded")
#: Scales tried, smallest first, in points per unit of log-odds (1 point = 1/scale log-odds).
SCALES: tuple[int, ...] = tuple(range(2, 61))


class PointsCard:
    """Integer points per factor level, a total-points -> risk table and the tiers.

    Build it with :func:`points_card`.

    Attributes
    ----------
    points : DataFrame of shape (n_factors, 3)
        Integer points of each level (``no``, ``yes``, ``not recorded``),
        indexed by factor name.
    log_odds : DataFrame of shape (n_factors, 3)
        The model's log-odds of each level relative to ``no``.
    titles : Series of str
        Each factor's title.
    scale : float
        Points per unit of log-odds.
    base : float
        Log-odds at 0 points.
    risk_table : DataFrame
        One row per total from 0 to the maximum: ``total``, ``risk`` (the
        card's risk, rounded to a whole percent as printed), ``exact``
        (before rounding) and ``tier`` (of the printed risk, so the card
        never prints "10%" in the low tier).
    source : str
        What the model was fitted on (printed on the card).
    reference : dict
        ``{"log": name, "sessions": n, "max_abs_difference": d}`` for the log
        the scale was checked on, or empty.
    """

    def __init__(self, *, points: pd.DataFrame, log_odds: pd.DataFrame, scale: float, base: float,
                 source: str, model: object):
        self.points = points
        self.log_odds = log_odds
        self.titles = pd.Series({f: get_factor(f).title for f in points.index}, name="title")
        self.scale = float(scale)
        self.base = float(base)
        self.source = source
        self.model = model
        self.reference: dict = {}
        totals = np.arange(int(points.max(axis=1).sum()) + 1)
        exact = expit(self.base + totals / self.scale)
        printed = np.round(exact, 2)
        self.risk_table = pd.DataFrame({"total": totals, "risk": printed, "exact": exact,
                                        "tier": risk_tier(printed).to_numpy()})

    # ------------------------------------------------------------------ scoring
    def levels(self, log: pd.DataFrame) -> pd.DataFrame:
        """The card level (``no`` / ``yes`` / ``not recorded``) of every factor for every session.

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame of str of shape (n_sessions, n_factors), indexed like ``log``
        """
        return self.model.exposure_levels(log)[list(self.points.index)]

    def risk_for_total(self, total: int | np.ndarray) -> float | np.ndarray:
        """The card's (printed, rounded) risk for a total of points."""
        total = np.clip(np.asarray(total, dtype=int), 0, len(self.risk_table) - 1)
        risk = self.risk_table["risk"].to_numpy()[total]
        return float(risk) if risk.ndim == 0 else risk

    def score(self, log: pd.DataFrame) -> pd.DataFrame:
        """Score every session with the card and with the model.

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        DataFrame
            Indexed like ``log``: ``points`` (total), ``card_risk``,
            ``model_risk``, ``difference`` (card - model), ``card_tier``,
            ``model_tier``.
        """
        levels = self.levels(log)
        total = np.zeros(len(log), dtype=int)
        for f in self.points.index:
            total += self.points.loc[f].reindex(levels[f].to_numpy()).to_numpy(dtype=int)
        card = self.risk_for_total(total)
        model_risk = self.model.predict_risk(log).to_numpy()
        return pd.DataFrame({
            "points": total, "card_risk": card, "model_risk": model_risk, "difference": card - model_risk,
            "card_tier": self.risk_table["tier"].to_numpy()[np.clip(total, 0, len(self.risk_table) - 1)],
            "model_tier": risk_tier(model_risk).to_numpy(),
        }, index=log.index)

    def max_abs_difference(self, log: pd.DataFrame) -> float:
        """Largest |card risk - model risk| over the sessions of a log (a probability, 0.01 = 1 point).

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)

        Returns
        -------
        float
        """
        return float(self.score(log)["difference"].abs().max())

    def error_bound(self) -> float:
        """An upper bound on |card risk - model risk| for any session, with no data needed.

        The rounding error of every factor's points, at its worst level,
        summed on the log-odds scale, times 1/4 (the steepest slope of the
        logistic curve), plus 0.005 for printing risks as whole percents.
        Loose: the errors of different factors partly cancel in practice.
        """
        err = (self.log_odds.sub(self.log_odds.min(axis=1), axis=0) - self.points / self.scale).abs()
        return float(0.25 * err.max(axis=1).sum() + 0.005)

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """The points as a table: one row per factor with its title and the points of each level."""
        out = self.points.copy()
        out.insert(0, "factor", self.titles)
        return out.reset_index(drop=True)

    def lookup_table(self) -> pd.DataFrame:
        """The printed total -> risk table: consecutive totals with the same printed risk and tier share a row.

        Returns
        -------
        DataFrame
            ``from``, ``to`` (total points, inclusive), ``risk``, ``tier``.
        """
        t = self.risk_table
        key = t["risk"].astype(str) + "|" + t["tier"]
        run = (key != key.shift()).cumsum()
        g = t.groupby(run, sort=False)
        return pd.DataFrame({"from": g["total"].min().to_numpy(), "to": g["total"].max().to_numpy(),
                             "risk": g["risk"].first().to_numpy(), "tier": g["tier"].first().to_numpy()})

    def tier_ranges(self) -> pd.DataFrame:
        """Total points that fall into each tier: ``tier``, ``from``, ``to``, ``risk`` (range of printed risks)."""
        rows = []
        for tier in TIER_ORDER:
            t = self.risk_table.loc[self.risk_table["tier"] == tier]
            if len(t):
                rows.append({"tier": tier, "from": int(t["total"].min()), "to": int(t["total"].max()),
                             "risk": f"{t['risk'].min():.0%}-{t['risk'].max():.0%}"})
        return pd.DataFrame(rows)

    def to_markdown(self) -> str:
        """The card as Markdown (points table, tier ranges and the total -> risk table), for reports."""
        pts = self.to_frame()
        lines = ["| Factor | " + " | ".join(LEVELS) + " |", "|---|" + "---:|" * len(LEVELS)]
        for _, r in pts.iterrows():
            lines.append(f"| {r['factor']} | " + " | ".join(str(int(r[lv])) for lv in LEVELS) + " |")
        lines += ["", "| Total points | Risk of back pain within 48 h | Tier |", "|---:|---:|---|"]
        for _, r in self.lookup_table().iterrows():
            span = f"{r['from']}" if r["from"] == r["to"] else f"{r['from']}-{r['to']}"
            lines.append(f"| {span} | {r['risk']:.0%} | {r['tier']} |")
        return "\n".join(lines)

    # ------------------------------------------------------------------ the printable page
    def plot(self, *, fig: object = None) -> object:
        """Draw the one-page card (A4 portrait) on a matplotlib Figure.

        Parameters
        ----------
        fig : matplotlib Figure or None, default=None

        Returns
        -------
        matplotlib Figure
        """
        import textwrap

        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        if fig is None:
            fig = plt.figure(figsize=(8.27, 11.69))
        left, width = 0.06, 0.88
        fig.text(left, 0.97, "Back pain after a workout: points card", fontsize=17, weight="bold", va="top")
        sub = textwrap.fill(f"Risk of back pain within 48 h of a session, from a logistic model fitted on "
                            f"{self.source}.", 115)
        fig.text(left, 0.94, sub, fontsize=8.5, va="top", color="0.25")
        y = 0.905
        fig.text(left, y, "1. On each line, circle the points in the column that fits the session.",
                 fontsize=10, va="top", weight="bold")

        # step 1: factor points
        n = len(self.points)
        row_h = 0.026
        top = y - 0.018
        bottom = top - row_h * (n + 1)
        ax = fig.add_axes((left, bottom, width, top - bottom))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(n + 1, 0)
        cols = (0.66, 0.78, 0.9)
        ax.text(0.0, 0.5, "Risk factor (this session; not recorded = not known)", weight="bold", fontsize=9,
                va="center")
        for x, lv in zip(cols, LEVELS, strict=True):
            ax.text(x, 0.5, lv, weight="bold", fontsize=9, va="center", ha="center")
        for i, (f, row) in enumerate(self.points.iterrows(), start=1):
            if i % 2:
                ax.add_patch(Rectangle((0, i), 1, 1, color="0.94", lw=0))
            hint = get_factor(f).hint  # how to tell the factor by hand, from the registry
            ax.text(0.005, i + (0.36 if hint else 0.5), self.titles[f], fontsize=8.5, va="center")
            if hint:
                ax.text(0.005, i + 0.76, hint, fontsize=6.5, va="center", color="0.35")
            for x, lv in zip(cols, LEVELS, strict=True):
                ax.text(x, i + 0.5, str(int(row[lv])), fontsize=10, va="center", ha="center")

        # step 2: total -> risk, in column blocks
        y = bottom - 0.012
        fig.text(left, y, "2. Add up the circled points and read the risk for that total.", fontsize=10, va="top",
                 weight="bold")
        table = self.lookup_table()
        n_blocks = 6
        per_col = int(np.ceil(len(table) / n_blocks))
        t_top = y - 0.02
        height = 0.0155 * (per_col + 1)
        ax2 = fig.add_axes((left, t_top - height, width, height))
        ax2.set_axis_off()
        ax2.set_xlim(0, n_blocks)
        ax2.set_ylim(per_col + 1, 0)
        for b in range(n_blocks):
            block = table.iloc[b * per_col:(b + 1) * per_col]
            if not len(block):
                continue
            ax2.text(b + 0.3, 0.5, "points", fontsize=7.5, weight="bold", ha="center", va="center")
            ax2.text(b + 0.75, 0.5, "risk", fontsize=7.5, weight="bold", ha="center", va="center")
            for j, (_, r) in enumerate(block.iterrows(), start=1):
                ax2.add_patch(Rectangle((b + 0.02, j + 0.05), 0.94, 0.9, color=TIER_STYLES[r["tier"]].fill,
                                        lw=0))
                span = f"{r['from']}" if r["from"] == r["to"] else f"{r['from']}-{r['to']}"
                ax2.text(b + 0.3, j + 0.5, span, fontsize=7.5, ha="center", va="center")
                risk = "<1%" if r["risk"] < 0.01 else f"{r['risk']:.0%}"
                ax2.text(b + 0.75, j + 0.5, risk, fontsize=7.5, ha="center", va="center")

        # step 3: tiers
        y = t_top - height - 0.012
        fig.text(left, y, "3. Read the tier.", fontsize=10, va="top", weight="bold")
        for k, r in enumerate(self.tier_ranges().itertuples(index=False)):
            style = TIER_STYLES[r.tier]
            fig.text(left + 0.02, y - 0.022 * (k + 1) - 0.004,
                     f"{r.tier.upper()} ({tier_band(r.tier)}): {r[1]}-{r[2]} points. {style.meaning}.",
                     fontsize=9, va="top", bbox={"facecolor": style.fill, "edgecolor": "none", "pad": 2})
        y -= 0.022 * (len(self.tier_ranges()) + 1) + 0.012
        note = (f"Each factor's points are its log odds ratio in the model, rounded (1 point = {1 / self.scale:.2g} "
                "log-odds); the lowest level of each line scores 0")
        if self.reference:
            note += (f". Over the {self.reference['sessions']:,} sessions of {self.reference['log']}, the card's risk "
                     f"is at most {100 * self.reference['max_abs_difference']:.1f} percentage points from the model's")
        fig.text(left, y, textwrap.fill(note + ".", 140), fontsize=7, va="top", color="0.3")
        fig.text(left, 0.025, textwrap.fill(disclaimer(what="An estimate"), 100),
                 fontsize=8.5, va="bottom", weight="bold", color="#8b1a1a")
        return fig

    def to_png(self, path: str | Path, *, dpi: int = 150) -> Path:
        """Write the one-page card as PNG.

        Parameters
        ----------
        path : str or Path
        dpi : int, default=150

        Returns
        -------
        Path
        """
        return self._save(path, dpi=dpi)

    def to_pdf(self, path: str | Path) -> Path:
        """Write the one-page card as PDF (A4 portrait).

        Parameters
        ----------
        path : str or Path

        Returns
        -------
        Path
        """
        return self._save(path)

    def save(self, path: str | Path) -> Path:
        """Write the card as PNG or PDF, by the file's suffix."""
        suffix = Path(path).suffix.lower()
        if suffix not in (".png", ".pdf"):
            raise ValueError(f"the card is written as .png or .pdf, not {suffix or 'no suffix'!r}")
        return self._save(path)

    def _save(self, path: str | Path, **kwargs: object) -> Path:
        import matplotlib
        from matplotlib.figure import Figure

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig = Figure(figsize=(8.27, 11.69))  # no pyplot: nothing left open, works without a display
        self.plot(fig=fig)
        with matplotlib.rc_context({"pdf.fonttype": 42}):
            fig.savefig(path, **kwargs)
        return path

    def __repr__(self) -> str:
        return (f"PointsCard({len(self.points)} factors, scale={self.scale:g} points per log-odds, "
                f"0-{len(self.risk_table) - 1} points)")


def points_card(model: object, *, log: pd.DataFrame | None = None, scale: float | None = None,
                tolerance: float = 0.025, source: str | None = None, log_name: str = "the reference log"
                ) -> PointsCard:
    """Turn a fitted model into an integer points card.

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.
    log : DataFrame or None, default=None
        Reference log on which the card must agree with the model within
        ``tolerance`` (used to pick the scale and recorded on the card).
        Without it the scale is chosen by :meth:`PointsCard.error_bound`,
        which is much stricter.
    scale : float or None, default=None
        Points per unit of log-odds; ``None`` picks the smallest of
        :data:`SCALES` that meets ``tolerance``.
    tolerance : float, default=0.025
        Largest accepted |card risk - model risk| (0.025 = 2.5 percentage
        points, under the 3 promised).
    source : str or None, default=None
        What the model was fitted on, printed on the card (default: its
        sessions and clients).
    log_name : str, default="the reference log"
        How to name ``log`` on the card.

    Returns
    -------
    PointsCard

    Examples
    --------
    >>> from backpain_analysis import load_default_model, simulate_cohort
    >>> from backpain_analysis.points import points_card
    >>> log = simulate_cohort(n_clients=20, weeks=8, seed=4)
    >>> card = points_card(load_default_model(), log=log)
    >>> card.max_abs_difference(log) < 0.03
    True
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "coef_")
    lo = model.factor_levels()
    shift = lo.min(axis=1)
    base = float(model.intercept_ + shift.sum())
    rel = lo.sub(shift, axis=0)
    if source is None:
        t = model.training_
        source = f"{t['labelled']:,} sessions of {t['clients']} clients"

    def build(s: float) -> PointsCard:
        pts = (rel * s).round().astype(int)
        return PointsCard(points=pts, log_odds=lo, scale=s, base=base, source=source, model=model)

    if log is not None:  # encode the reference log once; each scale then costs one lookup
        first = build(SCALES[0] if scale is None else scale)
        levels = first.levels(log)
        codes = np.column_stack([levels[f].map({lv: i for i, lv in enumerate(LEVELS)}).to_numpy(dtype=int)
                                 for f in rel.index]) if len(rel) else np.zeros((len(log), 0), dtype=int)
        model_risk = model.predict_risk(log).to_numpy()

        def gap(card: PointsCard) -> float:
            pts = card.points[list(LEVELS)].to_numpy()
            total = pts[np.arange(len(rel))[None, :], codes].sum(axis=1)
            return float(np.abs(card.risk_for_total(total) - model_risk).max()) if len(total) else 0.0
    else:
        def gap(card: PointsCard) -> float:
            return card.error_bound()

    if scale is not None:
        card = build(scale)
    else:
        for s in SCALES:
            card = build(s)
            if gap(card) <= tolerance:
                break
    if log is not None:
        card.reference = {"log": log_name, "sessions": len(log), "max_abs_difference": gap(card)}
    return card
