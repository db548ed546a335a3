"""A printable points card: the logistic model as integer points a trainer can add up by hand.

Like a nomogram or a clinical score (Sullivan et al. 2004, Stat Med
23:1631-1660, "Presentation of multivariate data for clinical use: the
Framingham Study risk score functions"): every level of every risk factor
gets whole points, proportional to its log-odds; the total maps to a risk
through a printed table, and the table is coloured by the risk tiers of
:mod:`backpain_analysis.tiers` (defined there once, shared with the trainer
report).

The levels. A yes/no factor has ``no``, ``yes`` and ``not recorded``; a
measured factor (warm-up, plank, RPE, ...) has ranges (fine ones by default,
see below, or those of its registry scale,
:meth:`~backpain_analysis.factors.Scale.band_labels`: warm-up under 5, 5 to
9, 10+ min) and ``not recorded``. Each level's log-odds is the model's
(:meth:`~backpain_analysis.model.PainRiskModel.factor_levels`): relative to
the factor's reference, and for a range the model's curve at a
representative value of it (the median of the reference log's values in the
range, as Sullivan et al. take a range's midpoint or mean). A card with
ranges is therefore exact only at those values; the rest of a range is
approximated by its representative, on top of the rounding to whole points.

Fine ranges. With ``ranges="fine"`` (the default) a measured factor's
ranges are instead the runs of values that score the same whole points: the
model's curve is read at every recorded step of the measure (the registry
scale's ``resolution``: 1 min, 1 s, 0.01 of a ratio) across the reference
log's values, and a new range starts wherever the points change, as the age
bands of the Framingham score do. A range then spans at most about one point
of the curve, so the card follows the model within its rounding; the price is
more ranges where the curve is steep. ``ranges="registry"`` keeps the
registry's plain-words ranges (warm-up under 5, 5 to 9, 10+), easier to read
and much further from the model (a range's whole spread is approximated by one
value).

How the points are made. The lowest level of each factor gets 0 points and
the others ``round(scale * (log-odds - lowest))``, so no points are negative;
the base log-odds absorbs the shifts. ``scale`` (points per unit of
log-odds) is the smallest whole number for which card and model agree within
``tolerance`` on a reference log (or, when no scale does, the one that comes
closest); :meth:`PointsCard.max_abs_difference` reports the largest gap, and
:meth:`PointsCard.error_bound` bounds it for any session. The printed table
groups totals that share a printed risk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from .factors import get_factor
from .tiers import TIER_ORDER, TIER_STYLES, risk_tier, tier_band
from .triage import disclaimer

__all__ = ["LEVELS", "RANGES", "PointsCard", "points_card"]

#: The levels of a yes/no factor on the card, in order; a measured factor has its ranges, then the last of these.
LEVELS: tuple[str, ...] = ("no", "yes", "not recorded")
#: Scales tried, smallest first, in points per unit of log-odds (1 point = 1/scale log-odds).
SCALES: tuple[int, ...] = tuple(range(2, 61))
#: Values sampled in each range of a measured factor by :meth:`PointsCard.error_bound`.
BOUND_GRID = 401
#: Cells on one row of the printed card; a line with more levels wraps.
CELLS_PER_ROW = 12
#: How a measured factor's ranges are made: runs of equal points ("fine") or the registry's plain-words bands.
RANGES: tuple[str, ...] = ("fine", "registry")


def _line_title(name: str, ranged: bool) -> str:
    """A factor's line on the card: its title (yes/no) or its measure and unit ("Warm-up, min")."""
    f = get_factor(name)
    return f"{f.scale.label[:1].upper()}{f.scale.label[1:]}, {f.scale.unit}" if ranged else f.title


def _line_hint(name: str, ranged: bool) -> str:
    """How to tell the level by hand: the registry's hint (yes/no), or the scale's advice ("10+ min advised")."""
    f = get_factor(name)
    return f"{f.scale.advice} advised" if ranged else f.hint


class PointsCard:
    """Integer points per factor level, a total-points -> risk table and the tiers.

    Build it with :func:`points_card`.

    Attributes
    ----------
    table : DataFrame
        One row per level of every factor, indexed by (``factor``,
        ``level``), factors in model order and each factor's levels in card
        order: ``points`` (whole, 0 for the lowest level of each factor),
        ``log_odds`` (the model's, relative to the factor's reference),
        ``value`` (the value a range is read at; 0/1 for yes/no),
        ``low``/``high`` (a range's bounds) and ``sessions`` (of the
        reference log at that level); see
        :meth:`~backpain_analysis.model.PainRiskModel.factor_levels`.
    points : Series of int
        ``table["points"]``: ``card.points["short_warmup"]`` is one line.
    log_odds : Series of float
        ``table["log_odds"]``.
    factors : tuple of str
        The factors, in card order.
    titles : Series of str
        Each factor's line title (its registry title, or for a measured
        factor its measure and unit: "Warm-up, min").
    hints : Series of str
        What the card prints under each title (the registry's hint, or the
        scale's advice: "10+ min advised").
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
    bands : dict of str to tuple of float
        The range edges of the measured factors whose ranges are not the
        registry's (a fine card's); empty for registry ranges.
    """

    def __init__(self, *, table: pd.DataFrame, scale: float, base: float, source: str, model: object,
                 bands: dict[str, tuple[float, ...]] | None = None):
        self.table = table
        self.bands = {} if bands is None else dict(bands)
        self.factors = tuple(dict.fromkeys(table.index.get_level_values("factor")))
        ranged = {f: model.encoder_.kinds_[f] != "binary" for f in self.factors}
        self.titles = pd.Series({f: _line_title(f, ranged[f]) for f in self.factors},
                                name="title", dtype=object)
        self.hints = pd.Series({f: _line_hint(f, ranged[f]) for f in self.factors}, name="hint", dtype=object)
        self.scale = float(scale)
        self.base = float(base)
        self.source = source
        self.model = model
        self.reference: dict = {}
        totals = np.arange(int(self.points.groupby(level="factor", sort=False).max().sum()) + 1)
        exact = expit(self.base + totals / self.scale)
        printed = np.round(exact, 2)
        self.risk_table = pd.DataFrame({"total": totals, "risk": printed, "exact": exact,
                                        "tier": risk_tier(printed).to_numpy()})

    @property
    def points(self) -> pd.Series:
        """Whole points of each (factor, level)."""
        return self.table["points"]

    @property
    def log_odds(self) -> pd.Series:
        """The model's log-odds of each (factor, level), relative to the factor's reference."""
        return self.table["log_odds"]

    def line(self, factor: str) -> pd.Series:
        """One factor's points, indexed by its levels in card order."""
        return self.points.loc[factor]

    def cell_labels(self, factor: str) -> list[str]:
        """A line's levels as the printed page labels them: short, for the narrow cells of a fine card.

        Whole-unit ranges read ``"<5"``, ``"5"``, ``"5-9"`` (both ends
        included) and ``"25+"``; ranges of a ratio or of litres read by their
        first value (``"1.06+"``: from 1.06 up to the next range), the first
        ``"<0.36"``. Yes/no levels and ``not recorded`` are as in :attr:`table`.
        """
        t = self.table.loc[factor]
        if t["low"].isna().all():  # yes/no
            return list(t.index)
        if len(t) == 2:  # one range: "any value"
            return list(t.index)
        if get_factor(factor).scale.whole(self.bands.get(factor)):  # "under 5" -> "<5", "5 to 9" -> "5-9"
            return [n if n == LEVELS[-1] else n.replace("under ", "<").replace(" to ", "\u2013") for n in t.index]
        labels = []
        for k, (name, lo) in enumerate(zip(t.index, t["low"].to_numpy(), strict=True)):
            labels.append(name if name == LEVELS[-1] else f"<{t['high'].iloc[0]:g}" if k == 0 else f"{lo:g}+")
        return labels

    # ------------------------------------------------------------------ scoring
    def levels(self, log: pd.DataFrame, *, values: pd.DataFrame | None = None) -> pd.DataFrame:
        """The card level of every factor for every session (a range, ``yes``/``no``, or ``not recorded``).

        Parameters
        ----------
        log : DataFrame of shape (n_sessions, n_columns)
        values : DataFrame or None, default=None
            ``model.encoder_.values(log)`` if already computed.

        Returns
        -------
        DataFrame of shape (n_sessions, n_factors), indexed like ``log``
            One categorical column per factor, its categories the factor's
            levels in card order.
        """
        return self.model.exposure_levels(log, values=values, bands=self.bands)[list(self.factors)]

    def totals(self, levels: pd.DataFrame) -> np.ndarray:
        """Total points of sessions at the given levels (from :meth:`levels`)."""
        flat = self.points.to_numpy(dtype=int)
        first = np.r_[0, np.cumsum([len(levels[f].cat.categories) for f in self.factors])[:-1]]
        total = np.zeros(len(levels), dtype=int)
        for f, start in zip(self.factors, first, strict=True):
            total += flat[start + levels[f].cat.codes.to_numpy()]
        return total

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
        total = self.totals(self.levels(log))
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

    def level_errors(self) -> pd.Series:
        """The worst log-odds error of each (factor, level): points against the model, anywhere in the level.

        For ``yes``, ``no`` and ``not recorded`` the rounding error of the
        points; for a range, the largest gap between the points and the
        model's curve over the range (sampled at :data:`BOUND_GRID` values,
        its bounds included), which includes the rounding.

        Returns
        -------
        Series of float indexed like :attr:`table`
        """
        t = self.table
        shift = t["log_odds"].groupby(level="factor", sort=False).transform("min")
        err = (t["log_odds"] - shift - t["points"] / self.scale).abs()
        ranged = t["low"].notna().to_numpy()
        grids: dict[str, list[tuple[int, np.ndarray]]] = {}
        for i in np.flatnonzero(ranged):
            f = t.index[i][0]
            lo, hi = t["low"].iloc[i], t["high"].iloc[i]
            lo = lo if np.isfinite(lo) else min(t["value"].iloc[i], hi) - 1.0  # an open range: near its data
            hi = hi if np.isfinite(hi) else max(t["value"].iloc[i], lo) + 1.0
            last = t.index[i + 1][0] != f or not np.isfinite(t["low"].iloc[i + 1])  # the top range includes hi
            grid = np.linspace(lo, hi, BOUND_GRID)
            if not last:  # values up to, not including, the next range's edge
                grid = np.r_[grid[:-1], np.nextafter(hi, -np.inf)]
            grids.setdefault(f, []).append((i, grid))
        for f, rows in grids.items():  # the model's curve over all of a factor's ranges in one evaluation
            scale = get_factor(f).scale
            curve = self.model.partial_effect(f, scale.clip(np.concatenate([g for _, g in rows])))["log_odds"]
            for (i, _), part in zip(rows, np.split(curve.to_numpy(), len(rows)), strict=True):
                err.iloc[i] = float(np.abs(part - shift.iloc[i] - t["points"].iloc[i] / self.scale).max())
        return err

    def error_bound(self) -> float:
        """An upper bound on |card risk - model risk| for any session, with no data needed.

        The worst error of every factor (:meth:`level_errors`, at its worst
        level: the rounding to whole points and, for a measured factor, the
        spread of the model's curve within a range), summed on the log-odds
        scale, times 1/4 (the steepest slope of the logistic curve), plus
        0.005 for printing risks as whole percents. Loose: the errors of
        different factors partly cancel in practice.
        """
        worst = self.level_errors().groupby(level="factor", sort=False).max()
        return float(0.25 * worst.sum() + 0.005)

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """The points as a table: one row per level of every factor (``factor`` title, ``level``, ``points``)."""
        t = self.table.reset_index()
        return pd.DataFrame({"factor": t["factor"].map(self.titles), "level": t["level"],
                             "points": t["points"].astype(int)})

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
        """The card as Markdown (one line per factor with its levels' points, the total -> risk table), for reports."""
        lines = ["| Factor | Points (level: points) |", "|---|---|"]
        for f in self.factors:
            levels = "; ".join(f"{lv}: {int(p)}" for lv, p in self.line(f).items())
            lines.append(f"| {self.titles[f]} | {levels} |")
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
        fig.text(left, y, "1. On each line, circle the points of the level that fits the session.",
                 fontsize=10, va="top", weight="bold")

        # step 1: factor points, each line with its own levels (a label over each level's points), a line of
        # many levels (a fine card's measured factor) wrapped over several rows
        lines = {f: list(zip(self.cell_labels(f), self.line(f).to_numpy(), strict=True))[:-1] for f in self.factors}
        unknown = {f: int(self.line(f).iloc[-1]) for f in self.factors}  # "not recorded": its own last column
        per_row = CELLS_PER_ROW
        rows = {f: max(1, int(np.ceil(len(lines[f]) / per_row))) for f in self.factors}
        per_row = min(per_row, max(len(v) for v in lines.values()) if lines else 1)  # a short card: wider cells
        n_rows = sum(rows.values())
        row_h = 0.0265 if n_rows <= 12 else 0.019
        top = y - 0.018
        bottom = top - row_h * (n_rows + 1)
        ax = fig.add_axes((left, bottom, width, top - bottom))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(n_rows + 1, 0)
        x0 = 0.37
        cell = (1 - x0) / (per_row + 1)
        ax.text(0.0, 0.5, "Risk factor (this session)", weight="bold", fontsize=9, va="center")
        ax.text(x0, 0.5, "level and its points (not recorded = not known)", weight="bold", fontsize=9,
                va="center")
        longest = max((len(label) for v in lines.values() for label, _ in v), default=0)
        small = 6.5 if max(rows.values()) == 1 else 5.0 if longest > 6 else 5.8
        i = 1
        for n_line, f in enumerate(self.factors):
            if not n_line % 2:
                ax.add_patch(Rectangle((0, i), 1, rows[f], color="0.94", lw=0))
            hint = self.hints[f]
            ax.text(0.005, i + (0.36 if hint else 0.5), self.titles[f], fontsize=8.5 if n_rows <= 12 else 7.5,
                    va="center")
            if hint:
                ax.text(0.005, i + 0.76, hint, fontsize=6.5 if n_rows <= 12 else 5.8, va="center", color="0.35")
            for k, (label, pts) in enumerate(lines[f]):
                row, col = divmod(k, per_row)
                x = x0 + cell * (col + 0.5)
                ax.text(x, i + row + 0.3, label, fontsize=small, va="center", ha="center", color="0.3")
                ax.text(x, i + row + 0.7, str(int(pts)), fontsize=9.5, va="center", ha="center")
            x = x0 + cell * (per_row + 0.5)
            ax.text(x, i + 0.3, LEVELS[-1], fontsize=small, va="center", ha="center", color="0.3")
            ax.text(x, i + 0.7, str(unknown[f]), fontsize=9.5, va="center", ha="center")
            i += rows[f]

        # step 2: total -> risk, in column blocks
        y = bottom - 0.012
        fig.text(left, y, "2. Add up the circled points and read the risk for that total.", fontsize=10, va="top",
                 weight="bold")
        table = self.lookup_table()
        n_blocks = 6 if len(table) <= 60 else 8
        per_col = int(np.ceil(len(table) / n_blocks))
        t_top = y - 0.02
        height = (0.0155 if per_col <= 10 else 0.0135) * (per_col + 1)
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
        ranges = ("a measured line's ranges are the values that score the same points (a range marked + runs up to "
                  "the next one)" if self.bands else "a range is scored at a typical value of it")
        note = (f"Each level's points are its log-odds in the model, rounded (1 point = {1 / self.scale:.2g} "
                f"log-odds); {ranges}; the lowest level of each line scores 0")
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
        return (f"PointsCard({len(self.factors)} factors, {len(self.table)} levels, scale={self.scale:g} points "
                f"per log-odds, 0-{len(self.risk_table) - 1} points)")


def _fine_steps(model: object, factor: str, recorded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The recorded steps a fine card reads one measured factor at, and the model's curve there.

    The steps are the multiples of the scale's ``resolution`` across
    ``recorded`` (the reference log's values, clipped as the model reads
    them; without any, the outer spline knots or the limits); the curve is
    read at the value itself for a whole-unit measure, at the middle of the
    step otherwise. Neither depends on the card's scale, so they are read
    once per card.
    """
    sc = get_factor(factor).scale
    res = float(sc.resolution)
    if len(recorded):
        lo, hi = float(np.min(recorded)), float(np.max(recorded))
    else:
        knots = model.encoder_.knots_.get(factor)
        lo, hi = (knots[0], knots[-1]) if knots else sc.limits
    lo, hi = np.floor(lo / res + 1e-9) * res, np.ceil(hi / res - 1e-9) * res
    steps = np.round(lo / res + np.arange(int(np.rint((hi - lo) / res)) + 1)) * res
    at = steps if sc.whole() else np.minimum(steps + res / 2, hi)
    return steps, model.partial_effect(factor, sc.clip(at))["log_odds"].to_numpy()


def _fine_edges(factor: str, steps: np.ndarray, curve: np.ndarray, scale: float, shift: float
                ) -> tuple[float, ...]:
    """A fine card's range edges of one measured factor: the steps where its whole points change at ``scale``."""
    points = np.round(scale * (curve - shift))
    change = np.flatnonzero(np.diff(points) != 0) + 1
    digits = max(0, -int(np.floor(np.log10(get_factor(factor).scale.resolution) + 1e-9)))
    return tuple(float(round(e, digits)) for e in steps[change])


def _merge_equal(edges: tuple[float, ...], points: np.ndarray) -> tuple[float, ...]:
    """Range edges without those between two neighbouring ranges of equal points (``points``: one per range)."""
    return tuple(e for e, a, b in zip(edges, points[:-1], points[1:], strict=True) if a != b)


def points_card(model: object, *, log: pd.DataFrame | None = None, scale: float | None = None,
                tolerance: float = 0.025, ranges: str = "fine", source: str | None = None,
                log_name: str = "the reference log") -> PointsCard:
    """Turn a fitted model into an integer points card.

    Parameters
    ----------
    model : PainRiskModel
        A fitted model.
    log : DataFrame or None, default=None
        Reference log: its values represent each range of a measured factor
        (the median of the log's values in it) and span a fine card's
        ranges, the card must agree with the model on it within
        ``tolerance`` (which picks the scale), and the agreement is recorded
        on the card. Without it, ranges are read at fixed points (see
        :meth:`~backpain_analysis.model.PainRiskModel.factor_levels`) and the
        scale is chosen by :meth:`PointsCard.error_bound`, which is much
        stricter.
    scale : float or None, default=None
        Points per unit of log-odds; ``None`` picks the smallest of
        :data:`SCALES` that meets ``tolerance``, or the one that comes
        closest when none does.
    tolerance : float, default=0.025
        Largest accepted |card risk - model risk| (0.025 = 2.5 percentage
        points, under the 3 promised).
    ranges : {"fine", "registry"}, default="fine"
        A measured factor's ranges: runs of values that score the same points
        (within the tolerance, at the cost of more ranges), or the registry's
        plain-words ranges (warm-up under 5, 5 to 9, 10+; far fewer, and
        approximate: a whole range is read at one value).
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
    >>> card = points_card(load_default_model(), log=log, ranges="registry")
    >>> card.line("short_warmup").index.tolist()
    ['under 5', '5 to 9', '10+', 'not recorded']
    """
    from sklearn.utils.validation import check_is_fitted

    from .features import prepare_log

    check_is_fitted(model, "coef_")
    if ranges not in RANGES:
        raise ValueError(f"ranges must be one of {', '.join(RANGES)}, not {ranges!r}")
    if log is not None and "acwr" not in log.columns:
        log = prepare_log(log)  # once, for the ranges' values, the levels and the model's risks
    values = model.encoder_.values(log) if log is not None else None
    registry = model.factor_levels(log=log, values=values)
    if source is None:
        t = model.training_
        source = f"{t['labelled']:,} sessions of {t['clients']} clients"
    measured = [f for f in model.encoder_.factors_ if model.encoder_.kinds_[f] != "binary"]
    recorded = {f: (values[f].dropna().to_numpy() if values is not None else np.zeros(0)) for f in measured}
    lowest = registry["log_odds"].groupby(level="factor", sort=False).min()
    curves = {f: _fine_steps(model, f, recorded[f]) for f in measured} if ranges == "fine" else {}

    def scored(table: pd.DataFrame, s: float) -> tuple[pd.DataFrame, float]:
        shift = table["log_odds"].groupby(level="factor", sort=False).transform("min")
        base = float(model.baseline() + table["log_odds"].groupby(level="factor", sort=False).min().sum())
        return table.assign(points=np.round((table["log_odds"] - shift).to_numpy() * s).astype(int)), base

    def build(s: float) -> PointsCard:
        if not curves:  # registry ranges (or no measured factor): the same table at every scale
            table, base = scored(registry, s)
            return PointsCard(table=table, scale=s, base=base, source=source, model=model)
        bands = {f: _fine_edges(f, *curves[f], s, lowest[f]) for f in measured}
        table, base = scored(model.factor_levels(log=log, bands=bands, values=values), s)
        merged = {f: _merge_equal(bands[f], table.loc[f, "points"].to_numpy()[:-1]) for f in measured}
        if merged != bands:  # neighbours that came out at the same points, read at the log's values: one range
            bands = merged
            table, base = scored(model.factor_levels(log=log, bands=bands, values=values), s)
        return PointsCard(table=table, scale=s, base=base, source=source, model=model, bands=bands)

    if log is not None:
        model_risk = model.predict_risk(log).to_numpy()
        registry_levels = model.exposure_levels(log, values=values)[list(lowest.index)]

        def gap(card: PointsCard) -> float:
            levels = card.levels(log, values=values) if card.bands else registry_levels
            total = card.totals(levels)
            return float(np.abs(card.risk_for_total(total) - model_risk).max()) if len(total) else 0.0
    else:
        def gap(card: PointsCard) -> float:
            return card.error_bound()

    if scale is not None:
        card = build(scale)
    else:
        best = None
        for s in SCALES:
            card = build(s)
            g = gap(card)
            if g <= tolerance:
                break
            if best is None or g < best[0] - 1e-12:
                best = (g, card)
        else:
            card = best[1]
    if log is not None:
        card.reference = {"log": log_name, "sessions": len(log), "max_abs_difference": gap(card)}
    return card
