"""``backpain check`` from start to end: read, score, plan, chart, write (:func:`run_check`)."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..sessionlog.validate import ValidationResult, load_log
from ..sessionlog.write import write_csv
from .charts import ChartRenderer
from .render import model_note, render_report, summary_text
from .scoring import (
    SCORE_COLUMNS,
    SUMMARY_COLUMNS,
    action_plans,
    attention_clients,
    chart_order,
    client_ids,
    client_summary,
    open_questions,
    score_sessions,
    split_flagged,
)
from .whatif import what_if_clients, what_if_data

__all__ = ["CheckResult", "run_check"]


@dataclass
class CheckResult:
    """What :func:`run_check` produced.

    Attributes
    ----------
    exit_code : int
        0 when at least one row was scored (1 with ``strict`` and a rejected
        row, 1 when nothing could be scored).
    validation : ValidationResult
    scores : DataFrame
        One row per accepted input row (the contents of ``scores.csv``).
    clients : DataFrame
        One row per client (the report's summary table).
    files : dict of str to Path
        ``report``, ``scores`` and ``rejected``.
    summary : str
        The text printed at the end of ``backpain check``.
    timings : dict of str to float
        Wall seconds of each step (``read + validate``, ``score``, ``action
        plans``, ``charts and csv files``, ``report``), as the progress bar
        names them; ``make bench`` reports them. From the start of ``action
        plans`` the charts are drawn in other processes and the CSV files
        written in a thread; ``charts and csv files`` is the wait for the
        charts left, and ``report`` includes the wait for the CSV files.
    """

    exit_code: int
    validation: ValidationResult
    scores: pd.DataFrame
    clients: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    summary: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def _write_tables(scores: pd.DataFrame, problems: pd.DataFrame, files: dict[str, Path]) -> None:
    """``scores.csv`` and ``rejected.csv``: neutralised text, UTF-8 with a byte-order mark (Excel then opens
    accented client names on a double click)."""
    write_csv(scores[["row", "client_id", "date", "risk", "risk_tier", "top_factors", "triage"]], files["scores"])
    write_csv(problems[["row", "column", "value", "problem"]], files["rejected"])


def run_check(
    path: str | Path,
    out_dir: str | Path,
    *,
    model: object = None,
    model_path: str | Path | None = None,
    strict: bool = False,
    progress: bool | None = None,
    top_n: int = 10,
    max_detailed: int = 30,
    date_order: str | None = None,
    sheet: str | None = None,
) -> CheckResult:
    """Check a trainer's client file and write the report, scores and rejected rows.

    Parameters
    ----------
    path : str or Path
        The session log (CSV or XLSX).
    out_dir : str or Path
        Folder for ``report.html``, ``scores.csv`` and ``rejected.csv``.
    model : PainRiskModel or None, default=None
        A fitted model; by default the one in ``model_path`` or the bundled model.
    model_path : str or Path or None, default=None
        JSON model file (``backpain fit ... --out``).
    strict : bool, default=False
        Exit code 1 when any row was rejected.
    progress : bool or None, default=None
        Show progress bars on stderr (``None``: only on a terminal).
    top_n : int, default=10
        Clients with the highest current risk that get a full section even if
        not in the high tier.
    max_detailed : int, default=30
        Cap on full sections of clients without a red flag and on charts
        (raised to ``top_n`` if smaller), so a 1,000-client file stays a few
        MB; every client with a current red flag still gets a section, and
        charts alternate between red-flagged and other clients
        (:func:`~backpain_analysis.check.chart_order`).
    date_order : {"dmy", "mdy", "ymd"} or None, default=None
        The order of the file's text dates (``--date-order``); ``None``
        detects it. The summary and the report say which order was used.
    sheet : str or None, default=None
        The workbook sheet to read (``--sheet``; see
        :func:`~backpain_analysis.sessionlog.load_log`).

    Returns
    -------
    CheckResult

    Raises
    ------
    LogFileError, ModelError
        File-level problems (the CLI turns them into exit code 2).
    """
    from tqdm.auto import tqdm

    from ..model import PainRiskModel, load_default_model

    out_dir = Path(out_dir)
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    stages = tqdm(total=5, desc="backpain check", unit="step", disable=disable, file=sys.stderr)
    timings: dict[str, float] = {}
    clock = [time.perf_counter(), "read + validate"]

    def step(name: str | None) -> None:
        """End the current step (timed), start the next one."""
        now = time.perf_counter()
        timings[clock[1]] = now - clock[0]
        clock[:] = [now, name]
        stages.update()
        if name:
            stages.set_postfix_str(name)

    stages.set_postfix_str("read + validate")
    validation = load_log(path, date_order=date_order, sheet=sheet)
    if model is None:
        model = PainRiskModel.load(model_path) if model_path is not None else load_default_model()
    data = validation.data
    step("score")
    if len(data):
        scores = score_sessions(data, model)
        clients = client_summary(data, scores)
    else:
        scores = pd.DataFrame(columns=list(SCORE_COLUMNS))
        clients = pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    step("action plans")
    detailed = attention_clients(clients, top_n=top_n, max_detailed=max_detailed) if len(clients) else []
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:  # a command-line run: no screen needed
        matplotlib.use("Agg")
    import matplotlib.pyplot  # imported once here, not in every chart worker

    # charts (the bulk of the file) for at most max_detailed clients, in priority order
    charted = chart_order(clients, detailed, max_charts=max(max_detailed, top_n))
    rows = client_ids(data).isin(set(charted)).to_numpy() if charted else np.zeros(len(data), bool)
    data_c, scores_c = data.loc[rows], scores.loc[rows]  # each chart then searches a few rows, not the whole log
    files = {"report": out_dir / "report.html", "scores": out_dir / "scores.csv",
             "rejected": out_dir / "rejected.csv"}
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as background:
        with ChartRenderer(data_c, scores_c, charted) as renderer:
            # the charts render in other processes (forked before the thread below starts), the CSV files are
            # written in a thread (pyarrow's writer works without holding the interpreter), and meanwhile the
            # plans are made and the report rendered here; a red-flagged client's plan is "no training changes
            # until a clinician has assessed them": none is made
            written = background.submit(_write_tables, scores, validation.problems, files)
            planned = split_flagged(clients, detailed)[1]
            plans = action_plans(data, model, planned)
            questions = open_questions(data, clients) if len(clients) else {}
            what_if = what_if_data(model, data, what_if_clients(clients, detailed)) if detailed else None
            step("charts and csv files")
            charts = dict(zip(charted, tqdm(renderer.results(), total=len(charted), desc="charts", unit="client",
                                            disable=disable, leave=False, file=sys.stderr), strict=True))
        step("report")
        html = render_report(source=Path(path).name, validation=validation, scores=scores, clients=clients,
                             plans=plans, detailed=detailed, charts=charts, questions=questions,
                             model_note=model_note(model, model_path), what_if=what_if)
        files["report"].write_text(html, encoding="utf-8")
        written.result()  # the CSV files are complete (a failed write raises here)
    step(None)
    stages.close()

    if len(scores) == 0:
        code = 1
    else:
        code = 1 if (strict and validation.n_rejected) else 0
    return CheckResult(exit_code=code, validation=validation, scores=scores, clients=clients, files=files,
                       summary=summary_text(validation, scores, clients, out_dir, questions=questions),
                       timings=timings)
