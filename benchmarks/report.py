"""The benchmark tables, as text for the terminal and as ``docs/benchmarks.md``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from .runner import MANY, SIZED_STAGES, Measurement, Results, Target, evaluate_targets, step_seconds

__all__ = ["COLUMNS", "growth_rows", "markdown", "table_rows", "text_table"]

#: Columns of the results table.
COLUMNS = ("stage", "sessions", "wall s", "sessions/s", "peak MB", "x read_csv", "cpu s", "result")


def _num(v: float | None, fmt: str) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


def _title(m: Measurement, B: int) -> str:
    if m.stage in ("fit_bootstrap", "rms_fit_validate"):
        return f"{m.title} (B={B})"
    if m.stage == "notebooks":
        return f"notebook suite ({m.facts.get('notebooks', '?')} notebooks, fresh kernel each)"
    return m.title


def _result(m: Measurement) -> str:
    if m.failures:
        return "WRONG: " + "; ".join(m.failures)
    rows_in, rows_out = m.facts.get("rows_in"), m.facts.get("rows_out")
    if m.stage == "import":
        return "ok"
    if m.stage == "notebooks":
        return f"ok: {rows_out} of {rows_in} ran"
    if m.stage in ("fit_bootstrap", "rms_fit_validate"):
        return f"ok: {m.facts.get('replicates')} replicates"
    if m.stage in ("fit", "rms_fit"):
        return f"ok: {m.facts.get('features')} features"
    return f"ok: {rows_out:,} of {rows_in:,} rows" if rows_in is not None else "ok"


def table_rows(results: Results) -> list[list[str]]:
    """One list of cells (see :data:`COLUMNS`) per measurement, in run order."""
    rows = []
    for m in results.measurements:
        base = m.stage.removesuffix(MANY)
        floor = (results.get("bare_read" + m.stage[len(base):], m.sessions) if base in SIZED_STAGES and m.sessions
                 else None)
        ratio = m.seconds / floor.seconds if floor and floor.seconds > 0 else None
        rows.append([
            _title(m, results.settings["bootstrap"]),
            _num(m.sessions, ",") if m.sessions else "-",
            _num(m.seconds, ".3f" if m.seconds < 1 else ".2f"),
            _num(m.rate, ",.0f"),
            _num(m.peak_mb, ",.0f"),
            _num(ratio, ".2f"),
            _num(m.cpu_seconds, ".2f"),
            _result(m),
        ])
    return rows


def growth_rows(results: Results) -> tuple[list[str], list[list[str]]]:
    """Wall seconds of each sized stage (and each step of the check) at each size, and the ratio between sizes."""
    sizes = results.settings["sizes"]
    header = ["stage", *[f"{n:,}" for n in sizes]]
    header += [f"{b:,} / {a:,}" for a, b in itertools.pairwise(sizes)]
    rows = []

    def row(title: str, seconds: list[float | None]) -> None:
        cells = [title, *[_num(v, ".3f") for v in seconds]]
        cells += [_num(b / a, ".1f") + "x" if a and b else "-" for a, b in itertools.pairwise(seconds)]
        rows.append(cells)

    for suffix in ("", MANY):
        for stage in SIZED_STAGES:
            ms = [results.get(stage + suffix, n) for n in sizes]
            if not any(ms):
                continue
            row(next(m.title for m in ms if m), [m.seconds if m else None for m in ms])
            if stage == "check_steps":
                steps = [step_seconds(results, stage + suffix, n) for n in sizes]
                for name in dict.fromkeys(k for st in steps for k in st):
                    row(f"- step: {name}", [st.get(name) for st in steps])
    return header, rows


def _verdict(t: Target) -> str:
    if t.met is None:
        return "for reference" if t.measured != "not measured" else "not measured"
    return "met" if t.met else "MISSED"


def _text(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> str:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    esc = lambda c: str(c).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(esc(c) for c in header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def text_table(results: Results) -> str:
    """The results, the growth and the targets as plain text for the terminal."""
    parts = [_text(COLUMNS, table_rows(results), right=(1, 2, 3, 4, 5, 6))]
    header, rows = growth_rows(results)
    if len(results.settings["sizes"]) > 1 and rows:
        parts.append("Growth (wall seconds):\n" + _text(header, rows, right=tuple(range(1, len(header)))))
    targets = evaluate_targets(results)
    parts.append("Targets:\n" + _text(["target", "goal", "measured", "verdict", "margin"],
                                      [[t.name, t.goal, t.measured, _verdict(t), t.margin] for t in targets]))
    return "\n\n".join(parts)


def _machine_lines(results: Results) -> list[str]:
    m = results.machine
    pk = m["packages"]
    libs = ", ".join(f"{k} {v}" for k, v in pk.items() if v and k != "backpain-analysis")
    commit = m.get("git_commit") or "unknown"
    if m.get("git_dirty"):
        commit += " (with uncommitted changes)"
    load = m.get("load_average")
    load_end = m.get("load_average_end")
    lines = [
        f"- Date: {results.started}",
        f"- CPU: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable by this process)",
        f"- RAM: {m['ram_gb']} GB",
        f"- OS: {m['os']}",
        f"- Python {m['python']}; backpain-analysis {pk.get('backpain-analysis')} at commit {commit}",
        f"- Libraries: {libs}",
    ]
    if load:
        lines.append(f"- Load average (1, 5, 15 min) at start: {', '.join(map(str, load))}; at the end: "
                     f"{', '.join(map(str, load_end or []))} (other work on the machine slows the figures)")
    rms = results.get("rms_fit_validate")
    if rms:
        lines.append(f"- R {rms.facts.get('r_version')}, rms {rms.facts.get('rms_version')}")
    return lines


def markdown(results: Results, *, command: str) -> str:
    """``docs/benchmarks.md``: what was run, the targets, the tables, the machine and the method.

    Parameters
    ----------
    results : Results
    command : str
        The command line that produced the results (quoted in the page).

    Returns
    -------
    str
    """
    s = results.settings
    targets = evaluate_targets(results)
    header, growth = growth_rows(results)
    data = ", ".join(f"{d['sessions']:,} sessions of {d['clients']:,} clients "
                     f"({d['megabytes']:.1f} MB{', many-clients log' if d.get('weeks', 32) != 32 else ''})"
                     for d in results.data)
    out = [
        "# Benchmarks",
        "",
        f"Generated by `{command}` on {results.started} in {results.total_seconds / 60:.1f} minutes; "
        "do not edit by hand, run the command again (`make bench` runs it with `--repeat 3`). "
        "All logs are **simulated** (`simulate_cohort`, seed "
        f"{s['seed']}; 32-week plans, about 100 sessions per client, and for the many-clients log 19-week plans, "
        "about 60 sessions per client), generated on the fly and not committed: "
        f"{data or 'none'}.",
        "",
        "## Targets",
        "",
        _md(["target", "goal", "measured", "verdict", "margin"],
            [[t.name, t.goal, t.measured, _verdict(t), t.margin] for t in targets]),
        "",
        "## Results",
        "",
        "Wall time of the measured step (best of "
        f"{s['repeat']} run{'s' if s['repeat'] != 1 else ''} in fresh processes"
        f"{'; stages over 30 s run once' if s['repeat'] != 1 else ''}), sessions per second, "
        "peak resident memory, and the ratio to reading the same CSV with `pandas.read_csv` alone "
        "(default options), which is the floor every stage starts from.",
        "",
        _md(COLUMNS, table_rows(results), right=(1, 2, 3, 4, 5, 6)),
        "",
    ]
    if len(s["sizes"]) > 1 and growth:
        out += ["## How cost grows", "", "Wall seconds of each stage by log size, and the ratio between sizes "
                "(10x the sessions should cost about 10x the time).", "",
                _md(header, growth, right=tuple(range(1, len(header)))), ""]
        big = results.get("check", s["sizes"][-1])
        e2e = results.get("read_predict", s["sizes"][-1])
        if big and e2e:
            out += [f"Of the {big.seconds:.1f} s of `backpain check` on {big.sessions:,} sessions, "
                    f"{e2e.seconds:.1f} s are reading, validating, encoding and predicting; the rest is "
                    "interpreter start-up and imports, top factors and triage per session, client summaries, "
                    "action plans, charts, the HTML report and `scores.csv`.", ""]
    out += ["## Machine", "", *_machine_lines(results), "", "## Method", "",
            "- Every measurement runs in a fresh Python process (`python -m benchmarks.stages STAGE ...`): set-up "
            "(imports, loading the stage's input) is not timed; the measured step is timed with "
            "`time.perf_counter` (wall) and `os.times` (CPU).",
            "- Peak memory of a stage is the process's resident-set high-water mark while the measured step "
            "ran: the kernel's counter is reset on entering the step (`/proc/self/clear_refs`) and `VmHWM` "
            "read on leaving it, so it includes what the process already held (libraries, the stage's input).",
            "- `backpain check` is the whole command as a user runs it (`python -m backpain_analysis check FILE "
            "--out DIR --no-progress`), timed from process start to exit, so start-up and imports are "
            "included; its memory is the process's own `ru_maxrss` (from `os.wait4`).",
            "- Every stage also checks its result (rows in = rows accepted = rows scored, risks in (0, 1), "
            "design values in [0, 1], bootstrap replicates accounted for, every notebook ran); a wrong result "
            "is shown in the table and fails the command.",
            "- `predict` is `PainRiskModel.predict_risk` on the validated log, so it includes `prepare_log` "
            "and the encoder; `encode` shows that part alone.",
            "- The notebook suite is `suite.runner.run_suite` into a temporary folder "
            "(papermill, a fresh kernel per notebook, HTML export included); its memory is that of the runner "
            "process (kernels run in their own processes).",
            ]
    if results.get("rms_fit_validate"):
        out.append("- R side by side: the same design (the model's features, encoded by "
                   "`RiskFactorEncoder`, labelled sessions only) written to CSV and fitted by `rms::lrm`, then "
                   f"`rms::validate(fit, B={s['bootstrap']}, cluster=client)`; times are R's own "
                   "`system.time` (reading the CSV and loading rms not included).")
    return "\n".join(out) + "\n"
