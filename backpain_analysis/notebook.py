"""What every notebook of the suite shares: the bundled data, the default model, the theme, the safety cells.

A notebook's setup cell is one call::

    from backpain_analysis.notebook import factor_markdown, setup, treatment_guidance, warning_signs

    log, model = setup()  # the theme; the SIMULATED example sessions and the model fitted on them
    print(describe_sessions(log))

and its closing cells are ``treatment_guidance()`` and ``warning_signs()``. A number
the data decide is printed by code, not typed into the prose (a re-run on new data
would silently contradict it): :func:`pain_rate_text` and :func:`odds_ratio_text`
put the usual ones into words, the direction included.
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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .paths import EXTERNAL_DIR, RAW_DIR, project_file
from .triage import TREATMENT_GUIDANCE, WARNING_SIGNS

if TYPE_CHECKING:
    import pandas as pd
    from IPython.display import Markdown

    from . import PainRiskModel, ValidationResult

__all__ = [
    "EXAMPLE_CLIENTS",
    "EXAMPLE_SESSIONS",
    "EXTERNAL_DIR",
    "describe_sessions",
    "example_clients",
    "example_sessions",
    "factor_markdown",
    "odds_ratio_text",
    "pain_rate_text",
    "project_file",
    "set_theme",
    "setup",
    "treatment_guidance",
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
        :meth:`~backpain_analysis.PainRiskModel.odds_ratios`, without a truth).
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
    text = (f"{row['title'] if label is None else label}: odds ratio {row['odds_ratio']:.2f} "
            f"(95% CI {low:.2f}-{high:.2f})")
    truth = row.get("true_or")
    if truth is not None and truth == truth:  # not NaN: the simulation's true value is known
        covers = low <= truth <= high
        text += f", against a true {truth:g}: the interval {'covers' if covers else 'misses'} the truth"
    return text + f"; it {'includes' if low <= 1 <= high else 'excludes'} 1 (no effect)"


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
