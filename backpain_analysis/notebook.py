"""What every notebook of the suite shares: the bundled data, the default model, the theme, the safety cells.

A notebook's setup cell is one call::

    from backpain_analysis.notebook import factor_markdown, setup, treatment_guidance, warning_signs

    log, model = setup()  # the theme; the SIMULATED example sessions and the model fitted on them
    print(describe_sessions(log))

and its closing cells are ``treatment_guidance()`` and ``warning_signs()``. A number
the data decide is printed by code, not typed into the prose (a re-run on new data
would silently contradict it): :func:`pain_rate_text`, :func:`odds_ratio_text` and
:func:`effect_text` put the usual ones into words, the direction included.
:func:`compare_models` and :func:`unseen_performance` measure candidate models side
by side (notebooks 06, 10 and 11).
The helpers return :class:`IPython.display.Markdown` objects; IPython is
imported only when one is called, so the library itself never needs it (it
comes with the ``notebooks`` extra).

Every number computed on :data:`EXAMPLE_SESSIONS` or :data:`EXAMPLE_CLIENTS`
is **simulated**; the published datasets in :data:`EXTERNAL_DIR` are real
(read them with :func:`backpain_analysis.evidence.load_driving` and
:func:`~backpain_analysis.evidence.load_backpack`). A file a notebook's
parameters name relative to the checkout (``"data/raw/example_clients.csv"``)
is found with :func:`project_file`, re-exported from :mod:`backpain_analysis.paths`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from .paths import EXTERNAL_DIR, RAW_DIR, project_file
from .triage import TREATMENT_GUIDANCE, WARNING_SIGNS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from IPython.display import Markdown

    from . import PainRiskModel, ValidationResult

__all__ = [
    "EXAMPLE_CLIENTS",
    "EXAMPLE_SESSIONS",
    "EXTERNAL_DIR",
    "compare_models",
    "describe_sessions",
    "effect_text",
    "example_clients",
    "example_sessions",
    "factor_markdown",
    "odds_ratio_text",
    "pain_rate_text",
    "project_file",
    "scale_markdown",
    "set_theme",
    "setup",
    "treatment_guidance",
    "unseen_performance",
    "warning_signs",
]

#: The bundled SIMULATED cohort: 300 clients followed for up to 16 weeks, back pain recorded.
EXAMPLE_SESSIONS = RAW_DIR / "example_sessions.csv"
#: The bundled SIMULATED trainer file, what a trainer brings to ``backpain check``.
EXAMPLE_CLIENTS = RAW_DIR / "example_clients.csv"

_TREATMENT_LEAD = (
    "**If the back hurts anyway.** The article's treatment advice, as the library's triage module keeps it "
    "(`backpain_analysis.triage.TREATMENT_GUIDANCE`), for ordinary soreness without a warning sign:"
)
_WARNING_LEAD = (
    "**Stop and see a clinician**, whatever any model says, when one of these warning signs appears "
    "(`WARNING_SIGNS`, from the article's \"If you feel any sharp or severe pain in your back, stop the activity "
    "immediately and seek medical attention\" and published red-flag lists):"
)


def _markdown(text: str) -> Markdown:
    from IPython.display import Markdown

    return Markdown(text)


def set_theme(*, full_text: bool = False) -> None:
    """The suite's look: inline figures, seaborn's ``whitegrid`` theme, and optionally untruncated text cells.

    Parameters
    ----------
    full_text : bool, default=False
        Show text cells of data frames in full (``display.max_colwidth = None``),
        for tables of factor titles.
    """
    import pandas as pd
    import seaborn as sns

    try:
        from IPython import get_ipython
    except ImportError:  # a plain script: no inline backend to select
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
    sns.set_theme(style="whitegrid")
    if full_text:
        pd.set_option("display.max_colwidth", None)


def example_sessions() -> pd.DataFrame:
    """The bundled SIMULATED cohort (:data:`EXAMPLE_SESSIONS`), read through the session-log contract.

    Returns
    -------
    DataFrame of shape (n_sessions, n_columns)
        The accepted rows (all of them: the bundled file is valid).
    """
    from . import load_log

    return load_log(EXAMPLE_SESSIONS).data


def example_clients() -> ValidationResult:
    """The bundled SIMULATED trainer file (:data:`EXAMPLE_CLIENTS`), validated as ``backpain check`` reads it.

    Returns
    -------
    ValidationResult
        ``.data`` holds the accepted rows, ``.problems`` what was rejected and why.
    """
    from . import load_log

    return load_log(EXAMPLE_CLIENTS)


def setup(*, full_text: bool = False) -> tuple[pd.DataFrame, PainRiskModel]:
    """A notebook's setup: the theme, the SIMULATED example sessions and the default model fitted on them.

    Parameters
    ----------
    full_text : bool, default=False
        Passed to :func:`set_theme`.

    Returns
    -------
    log : DataFrame of shape (n_sessions, n_columns)
        :func:`example_sessions`.
    model : PainRiskModel
        :func:`backpain_analysis.load_default_model`, the model shipped with the package.
    """
    from . import load_default_model

    set_theme(full_text=full_text)
    return example_sessions(), load_default_model()


def describe_sessions(log: pd.DataFrame, *, pain_rate: bool = True) -> str:
    """One line saying what a simulated log holds: sessions, clients and (optionally) how often back pain followed.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A log with ``client_id`` (and ``back_pain`` when ``pain_rate``).
    pain_rate : bool, default=True
        Add the share of sessions followed by back pain within 48 h.

    Returns
    -------
    str
    """
    text = f"{len(log):,} simulated sessions of {log['client_id'].nunique()} clients"
    if pain_rate:
        text += f"; back pain within 48 h after {log['back_pain'].mean():.1%} of them"
    return text


def pain_rate_text(log: pd.DataFrame, by: str, *, exposed: str = "exposed",
                   not_exposed: str = "not exposed") -> str:
    """How often back pain followed the exposed and the other sessions of one factor, in words.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A session log with ``back_pain`` recorded.
    by : str
        A risk-factor name (:func:`backpain_analysis.plots.pain_rate_table` gives its levels).
    exposed, not_exposed : str, default="exposed", "not exposed"
        How to name the two groups of sessions ("with a warm-up under 10 minutes", "with 10 minutes or
        more").

    Returns
    -------
    str
        For example ``"back pain followed 12.9% of the 4,894 sessions exposed, against 10.3% of the
        9,285 not exposed (higher with the exposure)"``; the direction ("higher with the exposure",
        "lower with the exposure", or "the same rate" when the rates agree to a tenth of a percent) is
        computed, so it follows the data.
    """
    from .plots import pain_rate_table

    table = pain_rate_table(log, by).set_index("level")
    exp, rest = table.loc["exposed"], table.loc["not exposed"]
    a, b = round(float(exp["rate"]), 3), round(float(rest["rate"]), 3)
    direction = "higher with the exposure" if a > b else "lower with the exposure" if a < b else "the same rate"
    return (f"back pain followed {exp['rate']:.1%} of the {int(exp['sessions']):,} sessions {exposed}, against "
            f"{rest['rate']:.1%} of the {int(rest['sessions']):,} {not_exposed} ({direction})")


def odds_ratio_text(table: pd.DataFrame, feature: str, *, label: str | None = None) -> str:
    """One fitted odds ratio in words, with its interval and, where known, whether it caught the truth.

    Parameters
    ----------
    table : DataFrame
        From :func:`backpain_analysis.plots.odds_ratios_vs_truth` (or
        :meth:`~backpain_analysis.PainRiskModel.effects` or ``odds_ratios``, without a truth).
        An effects row of a measured exposure is named with its contrast ("0 vs 10 min").
    feature : str
        A row of ``table`` (a factor or its ``_unknown`` indicator).
    label : str or None, default=None
        What to call it (default: the row's ``title``).

    Returns
    -------
    str
        For example ``"Short or no warm-up (< 10 min): odds ratio 1.34 (95% CI 1.20-1.50), against a
        true 1.4: the interval covers the truth; it excludes 1 (no effect)"``. Whether the interval
        covers the truth, and whether it includes 1, are computed, so the words follow the data.
    """
    row = table.loc[feature]
    low, high = float(row["ci_low"]), float(row["ci_high"])
    name = row["title"] if label is None else label
    if "unit" in row.index and row["unit"] != "yes vs no":  # an effects row: say its contrast
        unit = "" if row["unit"] in ("ratio", "CR-10", "points (1-5)") else f" {row['unit']}"  # as format_effects
        name += f", {row['low']:g} vs {row['high']:g}{unit}"
    text = f"{name}: odds ratio {row['odds_ratio']:.2f} (95% CI {low:.2f}-{high:.2f})"
    truth = row.get("true_or")
    if truth is not None and truth == truth:  # not NaN: the simulation's true value is known
        covers = low <= truth <= high
        text += f", against a true {truth:.3g}: the interval {'covers' if covers else 'misses'} the truth"
    return text + f"; it {'includes' if low <= 1 <= high else 'excludes'} 1 (no effect)"


#: How little a true curve may still change (in odds, relative) to count as flat, for :func:`effect_text`.
FLAT_ODDS = 0.05


def _spans(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The runs of consecutive ``True`` in ``mask``, as (first, last) values of ``x``."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if start is not None and (not m or i == len(mask) - 1):
            end = i if m else i - 1
            out.append((float(x[start]), float(x[end])))
            start = None
    return out


def effect_text(model: PainRiskModel, factor: str, *, log: pd.DataFrame, truth: bool = True) -> str:
    """What :func:`~backpain_analysis.plots.plot_effect` of a measured exposure shows, in words computed from it.

    Says the registry's reference and advice; the fitted odds ratio at the
    worse end of the central 90% of the log's sessions; whether the 95% band
    past the reference includes 1 throughout (no benefit past the reference
    that the data can see) or where it excludes 1; where the simulation's
    true curve is flat (it changes the odds by less than :data:`FLAT_ODDS`
    further on); whether the band covers the true curve over the central
    90%; and how wide the band grows where the data are thin (the 5% of
    sessions at each end). Every number and direction is computed.

    Parameters
    ----------
    model : PainRiskModel
        A fitted, unpenalised dose-response model.
    factor : str
        A measured exposure of the model (one with a registry scale, not entered yes/no).
    log : DataFrame of shape (n_sessions, n_columns)
        The log the model was fitted on (its values give the central 90% and the thin ends).
    truth : bool, default=True
        Compare with the graded world's true curve
        (:func:`~backpain_analysis.simulate.true_curve`).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        ``factor`` enters the model yes/no (use :func:`odds_ratio_text` for it).
    """
    import numpy as np

    from .factors import get_factor
    from .simulate import true_curve

    scale = get_factor(factor).scale
    if scale is None or model.encoder_.kinds_.get(factor, "binary") == "binary":
        raise ValueError(f"{factor} enters this model yes/no: describe it with odds_ratio_text")
    d = scale.describe
    values = model.encoder_.values(log)[factor].to_numpy(float)
    values = values[~np.isnan(values)]
    ref = float(scale.clip(np.array([scale.reference]))[0])
    lo, hi = np.quantile(values, [0.005, 0.995])
    d_lo, d_hi = (float(q) for q in np.quantile(values, [0.05, 0.95]))
    x = np.unique(np.r_[np.linspace(min(lo, ref), max(hi, ref), 201), ref, d_lo, d_hi])
    pe = model.partial_effect(factor, x)
    odds, low, high = (pe[c].to_numpy(float) for c in ("odds_ratio", "ci_low", "ci_high"))
    dense = (x >= d_lo) & (x <= d_hi)
    worse = scale.worse(x)
    better = ~worse & (x != ref)
    label = scale.label

    def v(value: float) -> str:  # a value with its unit, without the label
        return d(value)[len(label) + 1:]

    def spans(xs: np.ndarray, mask: np.ndarray) -> str:
        return ", ".join(f"{v(a)}" if a == b else f"{v(a).split(' ')[0]} to {v(b)}" for a, b in _spans(xs, mask))

    sentences = [f"{label[0].upper()}{label[1:]}: reference {v(ref)} (advice: {scale.advice})."]
    end = int(np.flatnonzero(x == (d_lo if scale.better == "higher" else d_hi))[0])  # worse end of the central 90%
    ci = f"{odds[end]:.2f} (95% CI {low[end]:.2f}-{high[end]:.2f})"
    if worse[end]:
        verdict = ("the band excludes 1, a raised risk" if low[end] > 1 else
                   "the band excludes 1, on the side of a lower risk" if high[end] < 1 else
                   "the band includes 1, no clear change")
        sentences.append(f"Fitted odds ratio {ci} at {v(x[end])}, where the 5% of sessions furthest on the worse "
                         f"side begin: {verdict}.")
    else:
        sentences.append("Fewer than 5% of the sessions lie on the worse side of the reference.")
    past = better & dense
    if not past.any():
        sentences.append("Fewer than 5% of the sessions lie past the reference: the data cannot say whether going "
                         "further helps.")
    else:
        xs = x[past]
        edge = xs.max() if scale.better == "higher" else xs.min()
        benefit, harm = high[past] < 1, low[past] > 1
        if not (benefit.any() or harm.any()):
            sentences.append(f"Past the reference, as far as {v(edge)} (the edge of the central 90% of sessions), "
                             "the band includes 1 throughout: the curve is flat there, no benefit past the "
                             "reference that the data can see.")
        if benefit.any():
            sentences.append(f"Past the reference the band lies below 1 at {spans(xs, benefit)} (odds ratio down to "
                             f"{odds[past].min():.2f}): the fitted curve goes on falling there.")
        if harm.any():
            sentences.append(f"Past the reference the band lies above 1 at {spans(xs, harm)} (odds ratio up to "
                             f"{odds[past].max():.2f}): the fitted curve rises again there.")
    if truth:
        tc = true_curve(factor, x)
        sentences.append(_truth_text(x, tc, ref, better, v))
        inside = (low <= np.exp(tc) * (1 + 1e-9)) & (np.exp(tc) <= high * (1 + 1e-9))
        missed = dense & ~inside
        if not missed.any():
            sentences.append(f"The band covers the true curve across the central 90% of sessions "
                             f"({v(d_lo).split(' ')[0]} to {v(d_hi)}).")
        else:
            sentences.append(f"Across the central 90% of sessions ({v(d_lo).split(' ')[0]} to {v(d_hi)}) the band "
                             f"misses the true curve at {spans(x[dense], missed[dense])}.")
    width = np.log(high) - np.log(low)
    thin = []
    for mask, i, edge in ((x < d_lo, 0, d_lo), (x > d_hi, len(x) - 1, d_hi)):
        j = int(np.flatnonzero(x == edge)[0])
        if mask.any() and x[i] != ref and width[j] > 0:
            thin.append(f"at {v(x[i])} the band spans {low[i]:.2f}-{high[i]:.2f}, {width[i] / width[j]:.1f} times as "
                        f"wide (on the log scale) as at {v(edge)}")
    if thin:
        sentences.append("Where the data are thin (the outer 5% of sessions at each end) " + "; ".join(thin) + ".")
    return " ".join(sentences)


def _truth_text(x: np.ndarray, tc: np.ndarray, ref: float, better: np.ndarray, d: Callable[[float], str]) -> str:
    """Where the simulation's true curve is flat past the reference, in words."""
    import numpy as np

    tol = np.log1p(FLAT_ODDS)
    if np.abs(tc).max() < tol:
        return "The simulation's true curve (dashed) is flat everywhere: in the simulation this exposure has no effect."
    xb = x[better]
    tb = tc[better]
    if not len(xb):
        return "The simulation's true curve (dashed) is drawn for comparison."
    order = np.argsort(np.abs(xb - ref))
    xb, tb = xb[order], tb[order]
    if np.abs(tb).max() < tol:
        return "The simulation's true curve (dashed) is flat past the reference: no benefit past it."
    flat_from = next((xb[i] for i in range(len(xb)) if np.abs(tb[i:] - tb[i]).max() < tol), None)
    if flat_from is not None and abs(flat_from - ref) > 0.9 * abs(xb[-1] - ref):  # only the last stretch: not flat
        flat_from = None
    way = "falling" if tb[-1] < 0 else "rising"
    text = f"The simulation's true curve (dashed) goes on {way} past the reference"
    if flat_from is None:
        return text + " throughout the range shown."
    return text + f" and is flat (under {FLAT_ODDS:.0%} more change in the odds) past {d(flat_from)}."


def compare_models(log: pd.DataFrame, models: Mapping[str, PainRiskModel], *, B: int = 50, seed: int = 0,
                   n_splits: int = 5) -> pd.DataFrame:
    """Candidate models side by side on one log: optimism-corrected AUC and slope, cross-validated log-loss.

    Each model is fitted on ``log`` and validated by bootstrapping clients
    (:meth:`~backpain_analysis.PainRiskModel.validate`); its log-loss is that
    of out-of-fold risks from :func:`~backpain_analysis.model.cross_validated_risk`
    (folds grouped by client, so every risk comes from a model that never saw
    the client).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
    models : mapping of str to PainRiskModel
        Unfitted models (their parameters define the fit), by the name to show.
    B : int, default=50
        Bootstrap replicates of each validation.
    seed : int, default=0
    n_splits : int, default=5

    Returns
    -------
    DataFrame indexed by name
        ``parameters`` (coefficients, intercept excluded), ``auc`` and
        ``slope`` (optimism-corrected), ``cv_auc`` and ``cv_log_loss`` (of the
        out-of-fold risks; lower log-loss is better).
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone
    from sklearn.metrics import log_loss, roc_auc_score

    from .fitting import outcome
    from .model import cross_validated_risk

    y_all = outcome(log)
    labelled = y_all.notna().to_numpy()
    y = y_all[labelled].astype(bool).to_numpy()
    rows = {}
    for name, model in models.items():
        fitted = clone(model).fit(log)
        table = fitted.validate(B=B, seed=seed).table
        risk = cross_validated_risk(log, model=model, n_splits=n_splits, seed=seed).to_numpy()[labelled]
        rows[name] = {"parameters": len(fitted.coef_), "auc": table.loc["auc", "corrected"],
                      "slope": table.loc["slope", "corrected"], "cv_auc": roc_auc_score(y, risk),
                      "cv_log_loss": log_loss(y, np.clip(risk, 1e-12, 1 - 1e-12))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def unseen_performance(train: pd.DataFrame, test: pd.DataFrame, models: Mapping[str, PainRiskModel], *,
                       truth: str = "graded",
                       curves: Mapping[str, Callable[[np.ndarray], np.ndarray]] | None = None) -> pd.DataFrame:
    """Models fitted on one SIMULATED cohort, measured on unseen clients of the same world against the oracle.

    Parameters
    ----------
    train : DataFrame
        A simulated log to fit on (``simulate_cohort(..., truth=truth, curves=curves)``).
    test : DataFrame
        Other clients of the same world, complete (``missing=False``), so the
        true log-odds (:func:`~backpain_analysis.simulate.true_log_odds`) are known.
    models : mapping of str to PainRiskModel
        Unfitted models, by the name to show.
    truth, curves
        The world, as :func:`~backpain_analysis.simulate.simulate_cohort` takes them.

    Returns
    -------
    DataFrame indexed by name, the oracle (the true risks) last
        ``auc``, ``oracle_share`` (AUC - 0.5 as a share of the oracle's),
        ``slope`` (logistic calibration slope), ``log_loss`` and
        ``mean_gap`` (mean predicted risk minus the observed rate).
    """
    import numpy as np
    import pandas as pd
    from scipy.special import expit
    from sklearn.base import clone
    from sklearn.metrics import log_loss

    from .simulate import true_log_odds
    from .validation import performance

    y = test["back_pain"].astype(bool).to_numpy()
    risks = {name: clone(model).fit(train).predict_risk(test).to_numpy() for name, model in models.items()}
    risks["oracle (true risks)"] = expit(true_log_odds(test, truth=truth, curves=curves))
    perf = {name: performance(y, r) for name, r in risks.items()}
    oracle = perf["oracle (true risks)"]["auc"]
    rows = {name: {"auc": p["auc"], "oracle_share": (p["auc"] - 0.5) / (oracle - 0.5), "slope": p["slope"],
                   "log_loss": log_loss(y, np.clip(risks[name], 1e-12, 1 - 1e-12)),
                   "mean_gap": p["mean_risk"] - p["observed"]} for name, p in perf.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("model")


def factor_markdown(names: str | Sequence[str], *, parts: Sequence[str]) -> Markdown:
    """Parts of the registry's entries for one or more factors, as Markdown (one paragraph block per factor).

    Parameters
    ----------
    names : str or sequence of str
        Factor names from :data:`backpain_analysis.RISK_FACTORS`.
    parts : sequence of str
        Which parts of each entry, as :meth:`backpain_analysis.RiskFactor.to_markdown` takes them
        (``("article", "explanation")``, ``("evidence",)``, ``("encoding", "truth")``, ``("tip",)``).

    Returns
    -------
    IPython.display.Markdown
    """
    from .factors import get_factor

    names = [names] if isinstance(names, str) else list(names)
    return _markdown("\n\n".join(get_factor(name).to_markdown(parts=tuple(parts)) for name in names))


def scale_markdown(names: str | Sequence[str]) -> Markdown:
    """How the dose-response model reads each measured exposure, from the registry's scale, as Markdown.

    For each factor: the log column and unit, the shape (a restricted
    cubic spline with its knots, or a line), the reference and the advice,
    the plain-words threshold the threshold model and the points card's
    wording keep, the contrast of the effects table, and the simulation's
    graded true curve with its source. A yes/no factor says it enters yes/no.

    Parameters
    ----------
    names : str or sequence of str
        Factor names from :data:`backpain_analysis.RISK_FACTORS`.

    Returns
    -------
    IPython.display.Markdown
    """
    from .factors import get_factor

    names = [names] if isinstance(names, str) else list(names)
    blocks = []
    for name in names:
        f = get_factor(name)
        if f.scale is None:
            blocks.append(f"**{f.title}** (`{name}`): a yes/no input, entered yes/no; simulated odds ratio "
                          f"{f.simulated_or:g} ({f.simulated_or_source}).")
            continue
        sc = f.scale
        shape = (f"a restricted cubic spline with {sc.knots} knots at Harrell's quantiles of the training values "
                 "(linear beyond the outer knots)" if sc.shape == "spline" else "a straight line")
        lo, hi = sc.contrast
        blocks.append("\n".join([
            f"**{f.title}** (`{name}`)", "",
            f"- *On its own scale:* `{sc.column}` ({sc.unit}), as {shape}.",
            f"- *Reference:* {sc.describe(sc.reference)}; advice: {sc.advice}; the effects table compares "
            f"{lo:g} with {hi:g} {sc.unit}.",
            f"- *Plain-words threshold* (the threshold model's yes/no exposure): {f.encoding}",
            f"- *The simulation's true curve:* {sc.truth_source}.",
        ]))
    return _markdown("\n\n".join(blocks))


def _bullets(lines: Sequence[str], *, lead: str | None) -> Markdown:
    text = "\n".join(f"- {line}" for line in lines)
    return _markdown(f"{lead}\n\n{text}" if lead else text)


def treatment_guidance(*, lead: bool = True) -> Markdown:
    """The article's advice for ordinary soreness (:data:`backpain_analysis.triage.TREATMENT_GUIDANCE`).

    Parameters
    ----------
    lead : bool, default=True
        Start with the sentence saying what the list is and when it applies.

    Returns
    -------
    IPython.display.Markdown
    """
    return _bullets(TREATMENT_GUIDANCE, lead=_TREATMENT_LEAD if lead else None)


def warning_signs(*, lead: bool = True) -> Markdown:
    """The warning signs that override every number (:data:`backpain_analysis.triage.WARNING_SIGNS`).

    Parameters
    ----------
    lead : bool, default=True
        Start with the sentence saying to stop and see a clinician when one appears.

    Returns
    -------
    IPython.display.Markdown
    """
    return _bullets(WARNING_SIGNS, lead=_WARNING_LEAD if lead else None)
