"""Real published data behind two of the causes: sitting (driving) and load on the back.

Everything else in the project runs on a simulated cohort; these two small
datasets are real observations, shipped with their provenance in
``data/external/`` (see ``data/external/README.md``):

``driving_backpain.csv``
    Kelsey J.L., Hardy R.J. (1975). Driving of motor vehicles as a risk factor
    for acute herniated lumbar intervertebral disc. *Am J Epidemiol* 102(1),
    63-73. 217 case-control pairs matched on age and sex; distributed as
    ``backpain`` in the R package HSAUR3 (Everitt & Hothorn).
``backpack.csv``
    Mintz J., Mintz J., Moore K., Schuh K. (2002). Oh, my aching back! A
    statistical analysis of backpack weights. *Stats* 32. 100 students of
    Cal Poly San Luis Obispo; distributed as ``Backpack`` in the R package
    Stat2Data (Cannon et al.).

:func:`driving_conditional_logit` analyses the matched pairs the way the design
requires -- conditional logistic regression stratified on the pair -- and
sets two ordinary logistic regressions beside it to show what ignoring the
matching does. :func:`backpack_logistic` fits the chance of back problems
against the backpack-to-body-weight ratio. The datasets live in the repository
checkout, not in an installed package: the loaders say so when a file is
missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import EXTERNAL_DIR
from .sessionlog.contract import TEXT

__all__ = [
    "BACKPACK_FILE",
    "DRIVING_FILE",
    "BackpackEvidence",
    "DrivingEvidence",
    "EvidenceDataError",
    "backpack_logistic",
    "discordant_pairs",
    "driving_conditional_logit",
    "load_backpack",
    "load_driving",
    "plot_backpack_fit",
]

#: File name of the matched case-control study of driving and herniated discs.
DRIVING_FILE = "driving_backpain.csv"
#: File name of the backpack survey.
BACKPACK_FILE = "backpack.csv"

_DRIVING_COLUMNS = ("pair_id", "status", "driver", "suburban")
_BACKPACK_COLUMNS = ("BackpackWeight", "BodyWeight", "Ratio", "BackProblems", "Major", "Year", "Sex", "Status",
                     "Units")


class EvidenceDataError(ValueError):
    """A real dataset is present but does not have the expected content; the message says what is wrong."""


# ---------------------------------------------------------------------------------------------------- loading
def _read(name: str, directory: str | Path | None, columns: tuple[str, ...]) -> pd.DataFrame:
    folder = Path(EXTERNAL_DIR if directory is None else directory)
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{name} not found in {folder}. The real datasets ship in data/external/ of the repository "
            "checkout (provenance in data/external/README.md); they are not part of an installed package, "
            "so run from a checkout or pass directory=."
        )
    data = pd.read_csv(path)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise EvidenceDataError(f"{name}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}.")
    return data


def _yes_no(series: pd.Series, *, name: str, column: str) -> pd.Series:
    values = series.astype(TEXT).str.strip().str.lower()
    bad = sorted(set(values.dropna()) - {"yes", "no"}) + (["(blank)"] if values.isna().any() else [])
    if bad:
        raise EvidenceDataError(f"{name}: column {column} must be yes/no, found {', '.join(bad)}.")
    return values.eq("yes").astype(bool)


def load_driving(*, directory: str | Path | None = None) -> pd.DataFrame:
    """The driving and herniated-disc matched case-control study (Kelsey & Hardy 1975), as typed rows.

    Parameters
    ----------
    directory : str or Path or None, default=None
        Folder holding ``driving_backpain.csv``; ``None`` means
        :data:`~backpain_analysis.paths.EXTERNAL_DIR`.

    Returns
    -------
    DataFrame of shape (2 * n_pairs, 5)
        Sorted by pair, case first: ``pair_id`` (int), ``status``
        ("case"/"control"), ``case`` (bool), ``driver`` and ``suburban``
        (bool: drives a car; lives in the suburbs).

    Raises
    ------
    FileNotFoundError
        When the file is not there (it ships only with a repository checkout).
    EvidenceDataError
        When a column is missing, a value is not yes/no or case/control, or a
        pair does not hold exactly one case and one control.

    References
    ----------
    Kelsey J.L., Hardy R.J. (1975). Driving of motor vehicles as a risk factor
    for acute herniated lumbar intervertebral disc. *Am J Epidemiol* 102(1), 63-73.
    """
    raw = _read(DRIVING_FILE, directory, _DRIVING_COLUMNS)
    status = raw["status"].astype(TEXT).str.strip().str.lower()
    if status.isna().any() or not status.isin(["case", "control"]).all():
        raise EvidenceDataError(f"{DRIVING_FILE}: status must be case or control in every row.")
    pair_id = pd.to_numeric(raw["pair_id"], errors="coerce")
    if pair_id.isna().any():
        raise EvidenceDataError(f"{DRIVING_FILE}: pair_id must be a number in every row.")
    data = pd.DataFrame({
        "pair_id": pair_id.astype("int64"),
        "status": status.astype(str),
        "case": status.eq("case").astype(bool),
        "driver": _yes_no(raw["driver"], name=DRIVING_FILE, column="driver"),
        "suburban": _yes_no(raw["suburban"], name=DRIVING_FILE, column="suburban"),
    })
    per_pair = data.groupby("pair_id")["case"].agg(["size", "sum"])
    broken = per_pair.index[(per_pair["size"] != 2) | (per_pair["sum"] != 1)]
    if len(broken):
        raise EvidenceDataError(
            f"{DRIVING_FILE}: every pair needs exactly one case and one control; "
            f"{len(broken)} pair(s) do not (first: {broken[0]})."
        )
    return data.sort_values(["pair_id", "case"], ascending=[True, False], kind="stable").reset_index(drop=True)


def load_backpack(*, directory: str | Path | None = None) -> pd.DataFrame:
    """The backpack survey of 100 students (Mintz et al. 2002), as typed rows.

    Parameters
    ----------
    directory : str or Path or None, default=None
        Folder holding ``backpack.csv``; ``None`` means
        :data:`~backpain_analysis.paths.EXTERNAL_DIR`.

    Returns
    -------
    DataFrame of shape (n_students, 9)
        ``BackpackWeight`` and ``BodyWeight`` (lb), ``Ratio`` (their
        quotient), ``BackProblems`` (int, 1 = yes), ``Major``, ``Year``,
        ``Sex``, ``Status``, ``Units``.

    Raises
    ------
    FileNotFoundError
        When the file is not there (it ships only with a repository checkout).
    EvidenceDataError
        When a column is missing, ``BackProblems`` is not 0/1, or ``Ratio`` is
        not a positive number.

    References
    ----------
    Mintz J., Mintz J., Moore K., Schuh K. (2002). Oh, my aching back! A
    statistical analysis of backpack weights. *Stats: The Magazine for
    Students of Statistics* 32.
    """
    data = _read(BACKPACK_FILE, directory, _BACKPACK_COLUMNS)
    outcome = pd.to_numeric(data["BackProblems"], errors="coerce")
    if outcome.isna().any() or not outcome.isin([0, 1]).all():
        raise EvidenceDataError(f"{BACKPACK_FILE}: BackProblems must be 0 or 1 in every row.")
    ratio = pd.to_numeric(data["Ratio"], errors="coerce")
    if ratio.isna().any() or (ratio <= 0).any():
        raise EvidenceDataError(f"{BACKPACK_FILE}: Ratio must be a positive number in every row.")
    data = data.copy()
    data["BackProblems"] = outcome.astype("int64")
    data["Ratio"] = ratio.astype("float64")
    return data


@contextmanager
def _fit_problems_raise() -> Iterator[None]:
    """Turn statsmodels' convergence and separation warnings into errors: a fit that failed must not look fine."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", PerfectSeparationWarning)
        yield


# ---------------------------------------------------------------------------------------------------- driving
def discordant_pairs(data: pd.DataFrame, *, exposure: str = "driver") -> pd.DataFrame:
    """The matched-pair 2x2 table: the case's exposure against its control's.

    Only the off-diagonal cells (discordant pairs) carry information about
    the exposure in a conditional analysis: for one binary exposure in 1:1
    matched pairs the conditional maximum likelihood odds ratio is b / c,
    exposed-case pairs over exposed-control pairs (the McNemar comparison).

    Parameters
    ----------
    data : DataFrame of shape (2 * n_pairs, n_columns)
        From :func:`load_driving`.
    exposure : str, default="driver"
        A boolean column of ``data``.

    Returns
    -------
    DataFrame of shape (2, 2)
        Pair counts; rows ``case <exposure>`` yes/no, columns ``control
        <exposure>`` yes/no. ``table.loc["yes", "no"]`` is b,
        ``table.loc["no", "yes"]`` is c.
    """
    wide = data.pivot(index="pair_id", columns="status", values=exposure).astype(bool)
    levels = ["yes", "no"]
    case = pd.Categorical(np.where(wide["case"], "yes", "no"), categories=levels)
    control = pd.Categorical(np.where(wide["control"], "yes", "no"), categories=levels)
    table = pd.crosstab(case, control, dropna=False)
    table.index.name, table.columns.name = f"case {exposure}", f"control {exposure}"
    return table.reindex(index=levels, columns=levels, fill_value=0).astype("int64")


@dataclass(frozen=True, eq=False)
class DrivingEvidence:
    """Result of :func:`driving_conditional_logit`.

    Attributes
    ----------
    exposures : tuple of str
        Exposures in the model; the first is the one reported.
    n_pairs : int
        Matched pairs analysed.
    conditional : DataFrame of shape (n_exposures, 4)
        Conditional-logit ``odds_ratio``, ``ci_low``, ``ci_high``, ``p_value``
        per exposure.
    comparison : DataFrame of shape (3, 4)
        The first exposure's odds ratio from the conditional fit and from two
        ordinary logistic regressions of the same rows (one ignoring the
        pairs, one with an intercept per pair).
    discordant : DataFrame of shape (2, 2)
        :func:`discordant_pairs` for the first exposure.
    mcnemar_p_value : float
        Exact McNemar test of the first exposure (binomial test of b against
        b + c discordant pairs).
    """

    exposures: tuple[str, ...]
    n_pairs: int
    conditional: pd.DataFrame
    comparison: pd.DataFrame
    discordant: pd.DataFrame
    mcnemar_p_value: float

    @property
    def odds_ratio(self) -> float:
        """Conditional odds ratio of the first exposure."""
        return float(self.conditional["odds_ratio"].iloc[0])

    @property
    def ci_low(self) -> float:
        """Lower end of its confidence interval."""
        return float(self.conditional["ci_low"].iloc[0])

    @property
    def ci_high(self) -> float:
        """Upper end of its confidence interval."""
        return float(self.conditional["ci_high"].iloc[0])

    @property
    def p_value(self) -> float:
        """Wald p-value of the first exposure."""
        return float(self.conditional["p_value"].iloc[0])


def _or_table(params: pd.Series, bse: pd.Series, pvalues: pd.Series, names: list[str], alpha: float) -> pd.DataFrame:
    from scipy import stats

    z = stats.norm.ppf(1 - alpha / 2)
    b, se = params[names].to_numpy(float), bse[names].to_numpy(float)
    return pd.DataFrame(
        {"odds_ratio": np.exp(b), "ci_low": np.exp(b - z * se), "ci_high": np.exp(b + z * se),
         "p_value": pvalues[names].to_numpy(float)},
        index=pd.Index(names, name="exposure"),
    )


def driving_conditional_logit(data: pd.DataFrame | None = None, *, exposures: tuple[str, ...] = ("driver",),
                              alpha: float = 0.05) -> DrivingEvidence:
    """Odds ratio of driving for a herniated lumbar disc, by conditional logistic regression on matched pairs.

    Cases and controls were matched on age and sex, so each pair is its own
    stratum: the conditional likelihood compares the case with its own
    control and the pair-specific baseline risk drops out. For comparison the
    same rows are also fitted with ordinary logistic regression, (i) ignoring
    the pairs, which compares marginal exposure rates and is biased towards 1
    when the matching factors go with the exposure, and (ii) with one
    intercept per pair, whose unconditional maximum likelihood estimate is
    known to be the square of the conditional one for 1:1 pairs (Breslow &
    Day 1980, section 7.1), because the number of nuisance parameters grows
    with the data.

    Parameters
    ----------
    data : DataFrame or None, default=None
        From :func:`load_driving`; ``None`` loads the bundled file.
    exposures : tuple of str, default=("driver",)
        Boolean columns entered together; the first is reported
        (``("driver", "suburban")`` adjusts driving for suburban residence).
    alpha : float, default=0.05
        1 - confidence level of the Wald intervals.

    Returns
    -------
    DrivingEvidence

    References
    ----------
    Kelsey J.L., Hardy R.J. (1975). *Am J Epidemiol* 102(1), 63-73 (the data).
    Breslow N.E., Day N.E. (1980). *Statistical Methods in Cancer Research,
    Vol. I: The Analysis of Case-Control Studies*. IARC, Lyon, chapter 7.

    Examples
    --------
    >>> fit = driving_conditional_logit()
    >>> print(f"{fit.odds_ratio:.2f}")
    2.16
    """
    import statsmodels.api as sm
    from statsmodels.discrete.conditional_models import ConditionalLogit
    from statsmodels.stats.contingency_tables import mcnemar

    data = load_driving() if data is None else data
    names = list(exposures)
    if not names:
        raise ValueError("exposures must name at least one column")
    y = data["case"].astype(float).to_numpy()
    X = data[names].astype(float)

    with _fit_problems_raise():
        cond = ConditionalLogit(y, X, groups=data["pair_id"].to_numpy()).fit(disp=0, method="newton")
        pooled = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
        dummies = pd.get_dummies(data["pair_id"], prefix="pair", dtype=float)
        per_pair = sm.Logit(y, pd.concat([X, dummies], axis=1)).fit(disp=0, method="newton", maxiter=100)
    conditional = _or_table(cond.params, cond.bse, cond.pvalues, names, alpha)
    comparison = pd.concat([
        conditional.iloc[[0]],
        _or_table(pooled.params, pooled.bse, pooled.pvalues, names[:1], alpha),
        _or_table(per_pair.params, per_pair.bse, per_pair.pvalues, names[:1], alpha),
    ])
    comparison.index = pd.Index(
        ["conditional logistic, matched on pair (correct)", "ordinary logistic, pairs ignored",
         "ordinary logistic, one intercept per pair"],
        name="analysis",
    )
    table = discordant_pairs(data, exposure=names[0])
    return DrivingEvidence(
        exposures=tuple(names),
        n_pairs=int(data["pair_id"].nunique()),
        conditional=conditional,
        comparison=comparison,
        discordant=table,
        mcnemar_p_value=float(mcnemar(table.to_numpy(), exact=True).pvalue),
    )


# ---------------------------------------------------------------------------------------------------- backpack
@dataclass(frozen=True, eq=False)
class BackpackEvidence:
    """Result of :func:`backpack_logistic`: ``logit P(back problems) = intercept + slope * Ratio``.

    Attributes
    ----------
    per : float
        Step of ``Ratio`` the odds ratio refers to (0.05 = 5% of body weight).
    n : int
        Students.
    events : int
        Students reporting back problems.
    odds_ratio, ci_low, ci_high : float
        Odds ratio per ``per`` of ratio and its Wald confidence interval.
    p_value : float
        Wald p-value of the slope.
    intercept, slope : float
        Fitted coefficients (slope per unit of ``Ratio``).
    cov : ndarray of shape (2, 2)
        Covariance of (intercept, slope).
    alpha : float
        1 - confidence level of the intervals.
    """

    per: float
    n: int
    events: int
    odds_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    intercept: float
    slope: float
    cov: np.ndarray
    alpha: float

    def curve(self, ratio: np.ndarray | pd.Series) -> pd.DataFrame:
        """Fitted probability of back problems with a pointwise confidence band.

        Parameters
        ----------
        ratio : array-like of shape (n_points,)
            Backpack weight over body weight.

        Returns
        -------
        DataFrame of shape (n_points, 4)
            ``ratio``, ``probability``, ``ci_low``, ``ci_high`` (Wald band on
            the log-odds scale, transformed back).
        """
        from scipy import stats

        r = np.asarray(ratio, dtype=float)
        design = np.column_stack([np.ones_like(r), r])
        eta = design @ np.array([self.intercept, self.slope])
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov, design))
        z = stats.norm.ppf(1 - self.alpha / 2)
        expit = stats.logistic.cdf
        return pd.DataFrame({"ratio": r, "probability": expit(eta), "ci_low": expit(eta - z * se),
                             "ci_high": expit(eta + z * se)})


def backpack_logistic(data: pd.DataFrame | None = None, *, per: float = 0.05, alpha: float = 0.05
                      ) -> BackpackEvidence:
    """Odds ratio of back problems per ``per`` of backpack-to-body-weight ratio (Mintz et al. 2002 data).

    An unpenalised maximum likelihood logistic regression of ``BackProblems``
    on ``Ratio`` (statsmodels ``Logit``, fitted quietly). The data are a
    cross-sectional survey of 100 students: an association, not a cause, and
    back problems were self-reported.

    Parameters
    ----------
    data : DataFrame or None, default=None
        From :func:`load_backpack`; ``None`` loads the bundled file.
    per : float, default=0.05
        Step of the ratio the odds ratio is reported for (0.05 = a backpack
        heavier by 5% of body weight).
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    BackpackEvidence

    References
    ----------
    Mintz J., Mintz J., Moore K., Schuh K. (2002). Oh, my aching back! A
    statistical analysis of backpack weights. *Stats* 32.

    Examples
    --------
    >>> fit = backpack_logistic()
    >>> print(f"{fit.odds_ratio:.2f} ({fit.ci_low:.2f}-{fit.ci_high:.2f})")
    1.70 (0.95-3.05)
    """
    import statsmodels.api as sm
    from scipy import stats

    if not per > 0:
        raise ValueError(f"per must be positive, got {per!r}")
    data = load_backpack() if data is None else data
    y = data["BackProblems"].astype(float).to_numpy()
    X = np.column_stack([np.ones(len(data)), data["Ratio"].astype(float).to_numpy()])
    with _fit_problems_raise():
        res = sm.Logit(y, X).fit(disp=0)
    b0, b1 = (float(v) for v in res.params)
    se = float(res.bse[1])
    z = stats.norm.ppf(1 - alpha / 2)
    return BackpackEvidence(
        per=float(per), n=len(data), events=int(y.sum()),
        odds_ratio=float(np.exp(per * b1)), ci_low=float(np.exp(per * (b1 - z * se))),
        ci_high=float(np.exp(per * (b1 + z * se))), p_value=float(res.pvalues[1]),
        intercept=b0, slope=b1, cov=np.asarray(res.cov_params(), dtype=float), alpha=float(alpha),
    )


def plot_backpack_fit(data: pd.DataFrame, fit: BackpackEvidence, *, bins: int = 4, seed: int = 0,
                      ax: object = None) -> object:
    """The fitted curve of :func:`backpack_logistic` over the students it was fitted on.

    Draws each student as a jittered point at 0 (no back problems) or 1, the
    observed share with back problems in ``bins`` quantile bins of the ratio
    (95% Wilson intervals), and the fitted probability with its confidence
    band.

    Parameters
    ----------
    data : DataFrame of shape (n_students, n_columns)
        From :func:`load_backpack`.
    fit : BackpackEvidence
    bins : int, default=4
        Quantile bins for the observed shares.
    seed : int, default=0
        Seed of the vertical jitter.
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from statsmodels.stats.proportion import proportion_confint

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    rng = np.random.default_rng(seed)
    y = data["BackProblems"].to_numpy(float)
    points = pd.DataFrame({"ratio": data["Ratio"].to_numpy(float),
                           "y": y + rng.uniform(-0.03, 0.03, len(y)),
                           "student": np.where(y == 1, "back problems", "no back problems")})
    sns.scatterplot(data=points, x="ratio", y="y", hue="student", hue_order=["no back problems", "back problems"],
                    palette=["0.55", "C3"], alpha=0.6, s=22, ax=ax)
    grid = np.linspace(points["ratio"].min(), points["ratio"].max(), 200)
    curve = fit.curve(grid)
    ax.plot(curve["ratio"], curve["probability"], color="C0", label="fitted probability")
    ax.fill_between(curve["ratio"], curve["ci_low"], curve["ci_high"], color="C0", alpha=0.15,
                    label=f"{1 - fit.alpha:.0%} confidence band")
    groups = pd.qcut(points["ratio"], bins)
    observed = pd.DataFrame({"ratio": points["ratio"], "y": y}).groupby(groups, observed=True).agg(
        ratio=("ratio", "mean"), events=("y", "sum"), n=("y", "size"))
    lo, hi = proportion_confint(observed["events"], observed["n"], alpha=0.05, method="wilson")
    share = observed["events"] / observed["n"]
    ax.errorbar(observed["ratio"], share, yerr=[share - np.asarray(lo), np.asarray(hi) - share], fmt="s",
                color="C1", capsize=3, label=f"observed share ({bins} bins, 95% CI)")
    ax.set(xlabel="backpack weight / body weight", ylabel="probability of back problems", ylim=(-0.08, 1.08))
    ax.xaxis.set_major_locator(plt.MultipleLocator(0.02))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax
