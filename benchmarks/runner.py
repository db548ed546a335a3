"""Run every stage in its own process, collect the measurements, judge them against the targets.

See :mod:`benchmarks` for the command line. Each measurement is a fresh
Python process, so imports, caches and memory of one stage never help or
hurt another; ``backpain check`` is run exactly as a user runs it
(``python -m backpain_analysis check FILE --out DIR``) and timed from
process start to exit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .stages import MARKER, maxrss_mb

__all__ = [
    "DEFAULT_SIZES",
    "PROJECT_DIR",
    "REPEAT_LIMIT",
    "EXAMPLE",
    "MANY",
    "MANY_SIZES",
    "MANY_STAGES",
    "SIZED_STAGES",
    "STAGE_TITLES",
    "BenchmarkError",
    "Measurement",
    "Results",
    "Target",
    "evaluate_targets",
    "m_path",
    "run_benchmarks",
    "stage_growth",
    "step_seconds",
]

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)

#: Stages measured at every log size, in table order.
SIZED_STAGES = ("bare_read", "read_validate", "encode", "predict", "read_predict", "check", "check_steps")
#: Stages also measured on the many-clients log (about 60 sessions per client), at the sizes of MANY_SIZES.
MANY_STAGES = ("bare_read", "check", "check_steps")
#: Sizes of the many-clients log (only those also in the run's sizes are measured).
MANY_SIZES = (100_000, 1_000_000)
#: Suffix of the stage names measured on the many-clients log.
MANY = "_many"
#: The bundled 12-client example, as a trainer's first run checks it.
EXAMPLE = "data/raw/example_clients.csv"
STAGE_TITLES = {
    "bare_read": "pandas.read_csv only (the floor)",
    "read_validate": "read + validate (load_log)",
    "encode": "encode (prepare_log + RiskFactorEncoder)",
    "predict": "predict (predict_risk, encoding included)",
    "read_predict": "read + validate + encode + predict",
    "check": "backpain check, whole command (report included)",
    "check_steps": "run_check in-process (steps timed; imports not included)",
    "bare_read_many": "pandas.read_csv only, many-clients log (the floor)",
    "check_many": "backpain check, whole command, many-clients log",
    "check_steps_many": "run_check in-process, many-clients log",
    "check_example": "backpain check, the bundled 12-client example",
    "fit": "fit (PainRiskModel().fit)",
    "fit_bootstrap": "fit + bootstrap validation",
    "dose_response": "accuracy on unseen clients of three simulated worlds (both models)",
    "rms_fit": "R rms::lrm fit",
    "rms_fit_validate": "R rms::lrm + rms::validate",
    "import": "import backpain_analysis",
    "notebooks": "notebook suite (every notebook, fresh kernel each)",
}


class BenchmarkError(RuntimeError):
    """A stage process failed or produced a wrong result."""


@dataclass
class Measurement:
    """One measured stage.

    Attributes
    ----------
    stage : str
        Key of :data:`STAGE_TITLES`.
    sessions : int or None
        Rows of the input log (``None`` for stages without one).
    seconds : float
        Wall-clock seconds (best of the repeats).
    cpu_seconds : float
        CPU seconds of that run.
    peak_mb : float
        Peak resident memory (MB) of that run; ``peak_method`` says how it was taken.
    peak_method : str
    failures : list of str
        Correctness checks that failed (empty when the result was right).
    facts : dict
        What the stage reported (``rows_in``, ``rows_out``, ...).
    runs : list of float
        Wall seconds of every repeat.
    """

    stage: str
    sessions: int | None
    seconds: float
    cpu_seconds: float
    peak_mb: float
    peak_method: str
    failures: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    runs: list[float] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Readable name of the stage."""
        return STAGE_TITLES.get(self.stage, self.stage)

    @property
    def rate(self) -> float | None:
        """Sessions per second."""
        return self.sessions / self.seconds if self.sessions and self.seconds > 0 else None


@dataclass
class Target:
    """One target of the issue, with what was measured and whether it was met."""

    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run (or for reference only)
    margin: str = ""


@dataclass
class Results:
    """Everything a benchmark run produced."""

    measurements: list[Measurement]
    machine: dict
    settings: dict
    data: list[dict]
    started: str
    total_seconds: float = 0.0

    def get(self, stage: str, sessions: int | None = None) -> Measurement | None:
        """The measurement of ``stage`` at ``sessions`` rows (``None``: the stage's only one)."""
        for m in self.measurements:
            if m.stage == stage and (sessions is None or m.sessions == sessions):
                return m
        return None


# --------------------------------------------------------------------------------------------- processes
def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def _spawn(args: Sequence[str], *, timeout: float) -> tuple[int, str, str, float, object]:
    """Run a process; return (exit code, stdout, stderr, wall seconds, its own rusage)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(args), stdout=out, stderr=err, cwd=PROJECT_DIR, env=_env())
        deadline = start + timeout
        while True:  # os.wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would be cumulative)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), wall, usage


def _stage_process(stage: str, params: dict, *, timeout: float) -> dict:
    code, out, err, _, _ = _spawn([sys.executable, "-m", "benchmarks.stages", stage, json.dumps(params)],
                                  timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith(MARKER)]
    if code != 0 or not lines:
        tail = "\n".join((err or out).strip().splitlines()[-15:])
        raise BenchmarkError(f"stage {stage} ({params.get('sessions')} sessions) failed with exit code {code}:\n"
                             f"{tail}")
    return json.loads(lines[-1][len(MARKER):])


def _best(results: list[dict], stage: str, sessions: int | None) -> Measurement:
    best = min(results, key=lambda r: r["seconds"])
    facts = {k: v for k, v in best.items()
             if k not in {"stage", "seconds", "cpu_seconds", "peak_mb", "peak_method", "failures"}}
    failures = sorted({f for r in results for f in r["failures"]})
    return Measurement(stage, sessions, best["seconds"], best["cpu_seconds"], best["peak_mb"], best["peak_method"],
                       failures, facts, [r["seconds"] for r in results])


def measure_stage(stage: str, params: dict, *, repeat: int = 1, timeout: float = 3600) -> Measurement:
    """Run a stage ``repeat`` times, each in a fresh process; keep the fastest run.

    A stage whose first run takes longer than :data:`REPEAT_LIMIT` seconds runs once.

    Parameters
    ----------
    stage : str
        A key of :data:`benchmarks.stages.STAGES`.
    params : dict
        The stage's parameters (``path`` and ``sessions`` of the log, ...).
    repeat : int, default=1
    timeout : float, default=3600
        Seconds before a stage process is killed.

    Returns
    -------
    Measurement
    """
    results = [_stage_process(stage, params, timeout=timeout)]
    while len(results) < _runs(repeat, results[0]["seconds"]):
        results.append(_stage_process(stage, params, timeout=timeout))
    return _best(results, stage, params.get("sessions"))


#: A stage whose first run takes longer than this (seconds) is not repeated.
REPEAT_LIMIT = 30.0


def _runs(repeat: int, first_seconds: float) -> int:
    return max(1, repeat) if first_seconds < REPEAT_LIMIT else 1


def measure_check(path: str, sessions: int, *, repeat: int = 1, timeout: float = 3600) -> Measurement:
    """``backpain check FILE --out DIR`` as a user runs it, timed from process start to exit.

    Peak memory is the process's own ``ru_maxrss`` (from ``os.wait4``).
    The outputs are then checked: exit code 0, one score per session in
    ``scores.csv``, every risk in (0, 1), a non-empty ``report.html``.
    """
    import pandas as pd

    results: list[dict] = []
    while not results or len(results) < _runs(repeat, results[0]["seconds"]):
        with tempfile.TemporaryDirectory(prefix="bench-check-") as out_dir:
            code, out, err, wall, usage = _spawn(
                [sys.executable, "-m", "backpain_analysis", "check", path, "--out", out_dir, "--no-progress"],
                timeout=timeout)
            failures = []
            if code != 0:
                failures.append(f"backpain check exited with {code}: {(err or out).strip()[-500:]}")
            scores_path, report = Path(out_dir) / "scores.csv", Path(out_dir) / "report.html"
            rows_out, report_mb = 0, 0.0
            if scores_path.exists():
                scores = pd.read_csv(scores_path, usecols=["row", "risk"])
                rows_out = len(scores)
                if rows_out != sessions:
                    failures.append(f"scores.csv has {rows_out} rows for {sessions} sessions in")
                if not scores["risk"].between(0, 1, inclusive="neither").all():
                    failures.append("a risk in scores.csv outside (0, 1)")
                if scores["row"].duplicated().any():
                    failures.append("a row scored twice")
            else:
                failures.append("no scores.csv written")
            if report.exists() and report.stat().st_size > 0:
                report_mb = report.stat().st_size / 1e6
            else:
                failures.append("no report.html written")
        results.append({"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                        "peak_mb": maxrss_mb(usage), "peak_method": "ru_maxrss of the process (os.wait4)",
                        "failures": failures, "rows_in": sessions, "rows_out": rows_out, "path": path,
                        "report_mb": round(report_mb, 2)})
    return _best(results, "check", sessions)


def rscript() -> str | None:
    """Path of ``Rscript`` when R and the rms package are installed, else ``None``."""
    exe = shutil.which("Rscript")
    if exe is None:
        return None
    try:
        ok = subprocess.run([exe, "-e", "suppressPackageStartupMessages(library(rms))"],
                            capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if ok else None


def measure_rms(exe: str, design_csv: str, sessions: int, B: int, *, timeout: float = 3600) -> list[Measurement]:
    """Fit and validate the same design with R's rms; the times are R's own ``system.time``."""
    script = Path(__file__).with_name("rms_validate.R")
    code, out, err, _, usage = _spawn([exe, str(script), design_csv, str(B)], timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("RMS-RESULT ")]
    if code != 0 or not lines:
        raise BenchmarkError(f"Rscript failed with exit code {code}:\n{(err or out).strip()[-1500:]}")
    r = json.loads(lines[-1][len("RMS-RESULT "):])
    facts = {"rows_in": sessions, "rows_out": r["n"], "features": r["features"], "replicates": r["replicates"],
             "B": r["B"], "rms_version": r["rms_version"], "r_version": r["r_version"],
             "dxy_corrected": r["dxy_corrected"]}
    peak, method = maxrss_mb(usage), "ru_maxrss of the R process (os.wait4)"
    return [
        Measurement("rms_fit", sessions, r["fit_seconds"], float("nan"), peak, method, [], facts, [r["fit_seconds"]]),
        Measurement("rms_fit_validate", sessions, r["fit_seconds"] + r["validate_seconds"], float("nan"), peak,
                    method, [], facts, [r["fit_seconds"] + r["validate_seconds"]]),
    ]


# --------------------------------------------------------------------------------------------- the machine
def machine_info() -> dict:
    """CPU model, cores, memory, OS, Python and library versions, git commit, load average."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    packages = {}
    for name in ("backpain-analysis", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "pandera",
                 "matplotlib", "jinja2", "nbclient", "papermill"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None

    def git(*args: str) -> str | None:
        try:
            res = subprocess.run(["git", *args], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return res.stdout.strip() if res.returncode == 0 else None

    status = git("status", "--porcelain")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": packages,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


# --------------------------------------------------------------------------------------------- a whole run
def run_benchmarks(
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    fit_size: int | None = 50_000,
    bootstrap: int = 200,
    repeat: int = 1,
    notebooks: bool = True,
    r: bool | None = None,
    data_dir: str | Path | None = None,
    seed: int | None = None,
    stages: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> Results:
    """Generate the logs, measure every stage, and return the results.

    Parameters
    ----------
    sizes : sequence of int, default=(10_000, 100_000, 1_000_000)
        Session counts of the logs measured by the sized stages.
    fit_size : int or None, default=50_000
        Sessions of the log for ``fit`` and ``fit_bootstrap`` (``None``: skip both).
    bootstrap : int, default=200
        Bootstrap replicates of ``fit_bootstrap`` (and of R's ``validate``).
    repeat : int, default=1
        Fresh-process runs of each stage; the fastest is kept (stages
        longer than :data:`REPEAT_LIMIT` seconds run once).
    notebooks : bool, default=True
        Also time the whole notebook suite.
    r : bool or None, default=None
        Also run R's rms on the fit log: ``None`` when ``Rscript`` with rms
        is installed, ``True`` requires it.
    data_dir : str or Path or None, default=None
        Keep (and reuse) the generated logs there; default: a temporary folder, removed at the end.
    seed : int or None, default=None
        Seed of the simulated logs (default :data:`benchmarks.data.SEED`).
    stages : sequence of str or None, default=None
        Measure only these stages (names as in :data:`STAGE_TITLES`; ``rms`` for R).
    log : callable or None, default=None
        Called with a line of progress after each measurement.

    Returns
    -------
    Results

    Raises
    ------
    BenchmarkError
        A stage process failed, or R was required and is not installed.
    """
    from datetime import UTC, datetime

    from .data import SEED, SHORT_WEEKS, write_log

    say = log or (lambda line: None)
    seed = SEED if seed is None else seed
    wanted = None if stages is None else set(stages)

    def want(stage: str) -> bool:
        return wanted is None or stage in wanted

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    machine = machine_info()
    r_exe = None
    if r is not False and fit_size and want("rms"):
        r_exe = rscript()
        if r is True and r_exe is None:
            raise BenchmarkError("R side by side asked for, but Rscript with the rms package is not installed "
                                 "(Debian: apt-get install r-base-core r-cran-rms).")
    settings = {"sizes": list(sizes), "fit_size": fit_size, "bootstrap": bootstrap, "repeat": repeat,
                "notebooks": notebooks, "r": r_exe is not None, "seed": seed,
                "stages": None if wanted is None else sorted(wanted)}
    measurements: list[Measurement] = []
    data: list[dict] = []

    def record(m: Measurement) -> None:
        measurements.append(m)
        n = f"{m.sessions:>9,}" if m.sessions else " " * 9
        flag = "  WRONG RESULT: " + "; ".join(m.failures) if m.failures else ""
        say(f"  {m.title:<50} {n} {m.seconds:8.2f} s {m.peak_mb:8.0f} MB{flag}")

    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="backpain-bench-")
        data_dir = tmp.name
    try:
        if want("import"):
            record(measure_stage("import", {}, repeat=max(repeat, 3)))
        for n in sizes:
            say(f"{n:,} sessions: generating the simulated log ...")
            info = write_log(data_dir, n, seed=seed)
            data.append(info)
            say(f"  {info['path']}: {info['clients']:,} clients, {info['megabytes']:.1f} MB"
                + (" (reused)" if info["reused"] else ""))
            params = {"path": info["path"], "sessions": n}
            for stage in SIZED_STAGES:
                if not want(stage):
                    continue
                if stage == "check":
                    record(measure_check(info["path"], n, repeat=repeat))
                else:
                    record(measure_stage(stage, params, repeat=repeat))
        for n in [n for n in sizes if n in MANY_SIZES]:
            if not any(want(stage) for stage in MANY_STAGES):
                break
            say(f"{n:,} sessions, many clients: generating the simulated log ...")
            info = write_log(data_dir, n, seed=seed, weeks=SHORT_WEEKS)
            data.append(info)
            say(f"  {info['path']}: {info['clients']:,} clients, {info['megabytes']:.1f} MB"
                + (" (reused)" if info["reused"] else ""))
            params = {"path": info["path"], "sessions": n}
            for stage in MANY_STAGES:
                if want(stage):
                    m = (measure_check(info["path"], n, repeat=repeat) if stage == "check"
                         else measure_stage(stage, params, repeat=repeat))
                    m.stage += MANY
                    record(m)
        if want("check"):
            from backpain_analysis.sessionlog import load_log

            example = PROJECT_DIR / EXAMPLE
            m = measure_check(str(example), load_log(example).n_accepted, repeat=max(repeat, 3))
            m.stage, m.sessions = "check_example", None
            record(m)
        if fit_size and (want("fit") or want("fit_bootstrap") or r_exe):
            say(f"{fit_size:,} sessions for the fit: generating the simulated log ...")
            info = write_log(data_dir, fit_size, seed=seed)
            if info["path"] not in {d["path"] for d in data}:
                data.append(info)
            params = {"path": info["path"], "sessions": fit_size, "B": bootstrap}
            if want("fit"):
                record(measure_stage("fit", params, repeat=repeat))
            if want("fit_bootstrap"):
                record(measure_stage("fit_bootstrap", params, repeat=repeat))
            if r_exe:
                design = str(Path(data_dir) / f"design_{fit_size}_seed{seed}.csv")
                measure_stage("export_design", dict(params, out=design))
                for m in measure_rms(r_exe, design, fit_size, bootstrap):
                    record(m)
        if want("dose_response"):
            say("accuracy on three simulated worlds (dose-response and threshold models) ...")
            record(measure_stage("dose_response", {"train_clients": 500, "test_clients": 300, "seed": 11},
                                 repeat=1))
        if notebooks and want("notebooks"):
            say("notebook suite ...")
            record(measure_stage("notebooks", {}, repeat=1))
    finally:
        if tmp is not None:
            tmp.cleanup()
    machine["load_average_end"] = [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return Results(measurements, machine, settings, data, started, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------- the targets
def _fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _limit(name: str, goal: str, m: Measurement | None, value: Callable[[Measurement], float], limit: float,
           fmt: Callable[[float], str]) -> Target:
    """A 'value < limit' target; the margin says by how much it was missed (or the headroom)."""
    if m is None:
        return Target(name, goal, "not measured", None)
    v = value(m)
    met = v < limit and not m.failures
    if m.failures:
        margin = "wrong result: " + "; ".join(m.failures)
    elif met:
        margin = f"{(1 - v / limit):.0%} under"
    else:
        margin = f"missed by {fmt(v - limit)} ({v / limit - 1:.0%} over)"
    return Target(name, goal, fmt(v), met, margin)


def m_path(m: Measurement | None) -> str | None:
    """The input log of a measurement, when it recorded one."""
    return None if m is None else m.facts.get("path")


def step_seconds(results: Results, stage: str, sessions: int) -> dict[str, float]:
    """Wall seconds of each step of ``run_check`` in a ``check_steps`` measurement (empty when not measured)."""
    m = results.get(stage, sessions)
    return dict(m.facts.get("steps", {})) if m and not m.failures else {}


def stage_growth(results: Results, mid: int, big: int) -> list[tuple[str, float, float]]:
    """``(stage, seconds at mid, seconds at big)`` of every sized stage and every step of the check, both logs."""
    out = []
    for suffix in ("", MANY):
        for stage in SIZED_STAGES:
            a, b = results.get(stage + suffix, mid), results.get(stage + suffix, big)
            if a and b and a.seconds > 0:
                out.append((stage + suffix, a.seconds, b.seconds))
        a, b = step_seconds(results, "check_steps" + suffix, mid), step_seconds(results, "check_steps" + suffix, big)
        for step in a:
            if step in b and a[step] > 0:
                out.append((f"check_steps{suffix}: {step}", a[step], b[step]))
    return out


def evaluate_targets(results: Results, *, big: int = 1_000_000, mid: int = 100_000) -> list[Target]:
    """The issue's targets against this run's figures (``met=None`` when not measured).

    Parameters
    ----------
    results : Results
    big, mid : int, default=1_000_000, 100_000
        The log sizes of the end-to-end and growth targets.

    Returns
    -------
    list of Target
    """
    mb_gb = lambda v: f"{v / 1024:.2f} GB"  # noqa: E731
    out = []
    for suffix, log in (("", "benchmark log"), (MANY, "many-clients log")):
        check, floor = results.get("check" + suffix, big), results.get("bare_read" + suffix, big)
        clients = next((d["clients"] for d in results.data if m_path(check) == d["path"]), None) if check else None
        who = f"{log}{f', {clients:,} clients' if clients else ''}"
        target = _limit(f"backpain check, 1M sessions ({who}): time against a bare read", "<= 12x pandas.read_csv",
                        check if floor else None, lambda m, f=floor: m.seconds / f.seconds, 12.0001,
                        lambda v: f"{v:.1f}x")
        if check and floor:
            target.measured += f" ({_fmt_s(check.seconds)} vs {_fmt_s(floor.seconds)})"
        out.append(target)
        out.append(_limit(f"backpain check, 1M sessions ({log}): peak memory", "< 2 GB", check,
                          lambda m: m.peak_mb, 2 * 1024, mb_gb))
    out.append(_limit("backpain check, 1M sessions: time (issue 10: under the 26.3 s of the threshold model's run)",
                      "< 26.3 s", results.get("check", big), lambda m: m.seconds, 26.3, _fmt_s))
    out.append(_limit("backpain check, the bundled 12-client example, end to end", "< 2 s",
                      results.get("check_example"), lambda m: m.seconds, 2, _fmt_s))
    e2e, floor = results.get("read_predict", big), results.get("bare_read", big)
    target = _limit("read + validate + encode + predict, 1M sessions", "< 3x pandas.read_csv alone",
                    e2e if floor else None, lambda m: m.seconds / floor.seconds, 3, lambda v: f"{v:.2f}x")
    if e2e and floor:
        target.measured += f" ({_fmt_s(e2e.seconds)} vs {_fmt_s(floor.seconds)})"
    out.append(target)
    growth = [(name, b / a) for name, a, b in stage_growth(results, mid, big)]
    if growth:
        worst_stage, worst = max(growth, key=lambda g: g[1])
        text = ", ".join(f"{s}: {g:.1f}x" for s, g in growth)
        met = worst <= 11
        margin = "all within" if met else f"{worst_stage} grows {worst:.1f}x"
        out.append(Target("every stage grows linearly: 1M vs 100k sessions", "<= 11x", text, met, margin))
    else:
        out.append(Target("every stage grows linearly: 1M vs 100k sessions", "<= 11x", "not measured", None))
    fit_size = results.settings.get("fit_size")
    n_fit = f"{fit_size:,}" if fit_size else "?"
    B = results.settings.get("bootstrap")
    out.append(_limit(f"fit, {n_fit} sessions", "< 1 s", results.get("fit", fit_size), lambda m: m.seconds, 1,
                      _fmt_s))
    boot = results.get("fit_bootstrap", fit_size)
    out.append(_limit(f"fit + {B}-replicate bootstrap validation, {n_fit} sessions", "< 5 s", boot,
                      lambda m: m.seconds, 5, _fmt_s))
    rms = results.get("rms_fit_validate", fit_size)
    if rms and boot:
        out.append(Target(f"R: rms::lrm + validate(B={B}) on the same design", "side by side",
                          _fmt_s(rms.seconds), None, f"{rms.seconds / boot.seconds:.0f}x the Python time"))
    acc = results.get("dose_response")
    if acc is not None and not acc.failures:
        f = acc.facts
        share = f["graded_dose_response_oracle_share"]
        out.append(Target("graded world, unseen clients: share of the oracle's discrimination", ">= 95%",
                          f"{share:.1%} (AUC {f['graded_dose_response_auc']:.3f}, oracle {f['graded_oracle_auc']:.3f})",
                          share >= 0.95, f"threshold model {f['graded_threshold_oracle_share']:.1%}"))
        slope = f["graded_dose_response_slope"]
        out.append(Target("graded world: calibration slope", "0.9-1.1", f"{slope:.2f}", 0.9 <= slope <= 1.1,
                          "within" if 0.9 <= slope <= 1.1 else "outside"))
        gap = f["graded_dose_response_mean_gap"]
        out.append(Target("graded world: mean risk against the observed rate", "within 1 point",
                          f"{100 * gap:+.2f} points", abs(gap) <= 0.01, ""))
        loss = f["threshold_threshold_auc"] - f["threshold_dose_response_auc"]
        out.append(Target("threshold world: AUC lost against the threshold model", "<= 0.005", f"{loss:+.4f}",
                          loss <= 0.005, f"dose-response {f['threshold_dose_response_auc']:.3f}, threshold "
                          f"{f['threshold_threshold_auc']:.3f}"))
        out.append(Target("world of other shapes: share of the oracle's discrimination", "side by side",
                          f"{f['other_shapes_dose_response_oracle_share']:.1%}", None,
                          f"threshold model {f['other_shapes_threshold_oracle_share']:.1%}"))
    else:
        out.append(Target("dose-response accuracy on simulated worlds", "see issue 10", "not measured", None))
    out.append(_limit("whole notebook suite", "< 2 minutes", results.get("notebooks"), lambda m: m.seconds, 120,
                      _fmt_s))
    out.append(_limit("import backpain_analysis", "< 1 s", results.get("import"), lambda m: m.seconds, 1,
                      lambda v: f"{v * 1000:.0f} ms"))
    return out
