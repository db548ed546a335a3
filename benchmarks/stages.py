"""The measured stages; each runs in a fresh Python process (``python -m benchmarks.stages STAGE PARAMS``).

A stage does its set-up (imports, loading its input) untimed, then runs the
measured step inside :class:`Timer`, then checks that the step's result is
correct (rows scored == rows in, probabilities in (0, 1), ...). The process
prints one line, ``BENCHMARK-RESULT {json}``, that the runner reads.

Memory: on entering the timed step the kernel's peak-RSS counter of the
process is reset (``/proc/self/clear_refs``), and on leaving it ``VmHWM`` is
read, so ``peak_mb`` is the largest resident memory of the process while the
step ran, including what it already held (the imported libraries and the
stage's input). Where the reset is not available the whole-process
``ru_maxrss`` is reported and ``peak_method`` says so.

Only the standard library is imported at module level, so that the
``import`` stage measures ``import backpain_analysis`` in a clean interpreter.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["MARKER", "STAGES", "Timer", "run_stage"]

#: Prefix of the result line a stage process prints.
MARKER = "BENCHMARK-RESULT "


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak resident set size to the current one (Linux >= 4.0)
        return True
    except OSError:
        return False


def _vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def maxrss_mb(usage: resource.struct_rusage) -> float:
    """``ru_maxrss`` in MB (kilobytes on Linux, bytes on macOS)."""
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


class Timer:
    """Context manager around the measured step: wall and CPU seconds, peak RSS.

    Attributes
    ----------
    seconds, cpu_seconds : float
        Wall-clock and CPU (user + system, this process and its waited-for
        children) time of the step.
    peak_mb : float
        Peak resident memory of the process during the step (see the module notes).
    peak_method : str
        ``"VmHWM reset"`` or ``"ru_maxrss (whole process)"``.
    """

    def __enter__(self) -> Timer:
        self._reset = _reset_peak()
        self._cpu = self._cpu_now()
        self._t = time.perf_counter()
        return self

    @staticmethod
    def _cpu_now() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t
        self.cpu_seconds = self._cpu_now() - self._cpu
        hwm = _vm_hwm_mb() if self._reset else None
        if hwm is not None:
            self.peak_mb, self.peak_method = hwm, "VmHWM reset"
        else:
            self.peak_mb = maxrss_mb(resource.getrusage(resource.RUSAGE_SELF))
            self.peak_method = "ru_maxrss (whole process)"


class _Checks:
    """Collects correctness failures of a stage (the runner reports them and fails)."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def __call__(self, ok: object, message: str) -> None:
        if not bool(ok):
            self.failures.append(message)


# --------------------------------------------------------------------------------------------- the stages
def _bare_read(p: dict, timer: Timer, check: _Checks) -> dict:
    import pandas as pd

    with timer:
        frame = pd.read_csv(p["path"])
    check(len(frame) == p["sessions"], f"read_csv gave {len(frame)} rows, expected {p['sessions']}")
    return {"rows_in": len(frame), "rows_out": len(frame)}


def _check_validation(result: object, p: dict, check: _Checks) -> None:
    check(result.rows_in == p["sessions"], f"rows_in {result.rows_in} != {p['sessions']} rows in the file")
    check(result.n_accepted + result.n_rejected == result.rows_in, "accepted + rejected != rows in")
    check(result.n_rejected == 0, f"{result.n_rejected} simulated rows were rejected")


def _read_validate(p: dict, timer: Timer, check: _Checks) -> dict:
    from backpain_analysis.sessionlog import load_log

    with timer:
        result = load_log(p["path"])
    _check_validation(result, p, check)
    check(list(result.data.index[:2]) == [2, 3][: len(result.data)], "row numbers do not start at 2")
    return {"rows_in": result.rows_in, "rows_out": result.n_accepted}


def _check_steps(p: dict, timer: Timer, check: _Checks) -> dict:
    """``run_check`` in this process (imports not timed): its own wall seconds of each step."""
    import tempfile

    from backpain_analysis.check import run_check

    with tempfile.TemporaryDirectory(prefix="bench-steps-") as out, timer:
        result = run_check(p["path"], out, progress=False)
    check(result.exit_code == 0, f"run_check exited with {result.exit_code}")
    check(len(result.scores) == p["sessions"], f"{len(result.scores)} scores for {p['sessions']} sessions")
    return {"rows_in": result.validation.rows_in, "rows_out": len(result.scores),
            "steps": {k: round(v, 4) for k, v in result.timings.items()}}


def _check_risk(risk: object, data: object, check: _Checks) -> None:
    import numpy as np

    values = np.asarray(risk, dtype=float)
    check(len(values) == len(data), f"{len(values)} risks for {len(data)} sessions")
    check(risk.index.equals(data.index), "risks are not aligned with the log's rows")
    check(np.isfinite(values).all() and ((values > 0) & (values < 1)).all(), "a risk outside (0, 1)")


def _encode(p: dict, timer: Timer, check: _Checks) -> dict:
    import numpy as np

    from backpain_analysis.features import prepare_log
    from backpain_analysis.model import load_default_model
    from backpain_analysis.sessionlog import load_log

    data = load_log(p["path"]).data
    model = load_default_model()
    with timer:
        prepared = prepare_log(data)
        design = model.encoder_.transform(prepared)
    check(prepared.index.equals(data.index), "prepare_log changed the rows")
    check(design.shape == (len(data), len(model.feature_names_)),
          f"design of shape {design.shape}, expected ({len(data)}, {len(model.feature_names_)})")
    binary = [j for j, n in enumerate(model.feature_names_)
              if n.endswith(("_unknown", "_step")) or model.encoder_.kinds_.get(n) == "binary"]
    check(np.isfinite(design).all(), "a non-finite encoded value")
    check(((design[:, binary] >= 0) & (design[:, binary] <= 1)).all(), "a yes/no column outside [0, 1]")
    return {"rows_in": len(data), "rows_out": int(design.shape[0]), "features": int(design.shape[1])}


def _predict(p: dict, timer: Timer, check: _Checks) -> dict:
    from backpain_analysis.model import load_default_model
    from backpain_analysis.sessionlog import load_log

    data = load_log(p["path"]).data
    model = load_default_model()
    with timer:
        risk = model.predict_risk(data)
    _check_risk(risk, data, check)
    return {"rows_in": len(data), "rows_out": len(risk), "mean_risk": float(risk.mean())}


def _read_predict(p: dict, timer: Timer, check: _Checks) -> dict:
    from backpain_analysis.model import load_default_model
    from backpain_analysis.sessionlog import load_log

    model = load_default_model()
    with timer:
        result = load_log(p["path"])
        risk = model.predict_risk(result.data)
    _check_validation(result, p, check)
    _check_risk(risk, result.data, check)
    return {"rows_in": result.rows_in, "rows_out": len(risk)}


def _fit(p: dict, timer: Timer, check: _Checks) -> dict:
    import numpy as np

    from backpain_analysis.model import PainRiskModel
    from backpain_analysis.sessionlog import load_log

    data = load_log(p["path"]).data
    with timer:
        model = PainRiskModel().fit(data)
    t = model.training_
    check(t["sessions"] == len(data), f"fitted on {t['sessions']} sessions, expected {len(data)}")
    check(t["labelled"] + t["unlabelled"] == len(data), "labelled + unlabelled != sessions")
    check(np.isfinite(model.coef_).all() and np.isfinite(model.intercept_), "a non-finite coefficient")
    return {"rows_in": len(data), "rows_out": t["labelled"], "features": len(model.coef_),
            "events": t["events"], "clients": t["clients"]}


def _fit_bootstrap(p: dict, timer: Timer, check: _Checks) -> dict:
    import numpy as np

    from backpain_analysis.model import bootstrap_validate
    from backpain_analysis.sessionlog import load_log

    data = load_log(p["path"]).data
    with timer:
        result = bootstrap_validate(data, B=p["B"], seed=0)
    check(result.n_requested == p["B"], f"{result.n_requested} replicates requested, expected {p['B']}")
    check(result.n_bootstrap + result.n_failed == p["B"], "replicates used + dropped != requested")
    check(result.n_bootstrap > 0, "no bootstrap replicate gave a fit")
    auc = float(result.table.loc["auc", "corrected"])
    check(np.isfinite(auc) and 0.5 < auc < 1, f"corrected c-statistic {auc} outside (0.5, 1)")
    return {"rows_in": len(data), "rows_out": result.n_sessions, "replicates": result.n_bootstrap,
            "features": len(result.model.coef_), "clients": result.n_clients, "auc_corrected": auc}


def _export_design(p: dict, timer: Timer, check: _Checks) -> dict:
    """Write the model's design (features, outcome, client) as CSV for the R side-by-side run."""
    import pandas as pd

    from backpain_analysis.features import RiskFactorEncoder, prepare_log
    from backpain_analysis.sessionlog import load_log

    data = load_log(p["path"]).data
    with timer:
        prepared = prepare_log(data)
        enc = RiskFactorEncoder().fit(prepared)
        design = pd.DataFrame(enc.transform(prepared), columns=enc.get_feature_names_out(), index=data.index)
        labelled = data["back_pain"].notna().to_numpy()
        design = design.loc[labelled]
        design.insert(0, "back_pain", data.loc[labelled, "back_pain"].astype(int).to_numpy())
        design.insert(1, "client", data.loc[labelled, "client_id"].astype(str).to_numpy())
        design.to_csv(p["out"], index=False)
    check(len(design) > 0, "no labelled session")
    return {"rows_in": len(data), "rows_out": len(design), "features": design.shape[1] - 2}


def _import(p: dict, timer: Timer, check: _Checks) -> dict:
    with timer:
        import backpain_analysis
    check(hasattr(backpain_analysis, "__version__"), "backpain_analysis has no __version__")
    heavy = sorted(m for m in ("pandas", "numpy", "sklearn", "scipy", "statsmodels", "matplotlib")
                   if m in sys.modules)
    return {"rows_in": 0, "rows_out": 0, "heavy_modules_loaded": heavy}


def _notebooks(p: dict, timer: Timer, check: _Checks) -> dict:
    import contextlib
    import io

    from suite.runner import run_suite

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        log = io.StringIO()
        with timer, contextlib.redirect_stdout(log):
            manifest = run_suite(reports_dir=Path(tmp))
    runs = manifest["notebooks"]
    failed = [r["notebook"] for r in runs if r["status"] != "ok"]
    check(len(runs) > 0, "no notebook ran")
    check(not failed, f"notebooks failed: {', '.join(failed)}")
    kernels = maxrss_mb(resource.getrusage(resource.RUSAGE_CHILDREN))
    return {"rows_in": len(runs), "rows_out": len(runs) - len(failed), "notebooks": len(runs),
            "slowest": max(runs, key=lambda r: r["seconds"])["notebook"] if runs else None,
            "kernel_peak_mb": kernels}


#: A world of other shapes than the registry's truths (dose_response stage): warm-up benefit fading
#: exponentially, a quadratic plank effect, a step in RPE, a U-shaped load ratio, a steeper flexibility slope.
OTHER_SHAPES = {
    "short_warmup": "lambda x: np.log(1.6) * np.exp(-x / 4.0)",
    "weak_core": "lambda x: np.log(1.8) * np.clip((90 - x) / 90, 0, 1) ** 2",
    "hard_session": "lambda x: np.log(1.5) * (x >= 8)",
    "load_spike": "lambda x: np.log(1.6) * ((x - 1.1) / 0.5) ** 2 * (np.abs(x - 1.1) < 1.2)",
    "poor_flexibility": "lambda x: np.log(1.3) * np.clip(-x / 15, 0, 3)",
}


def _dose_response(p: dict, timer: Timer, check: _Checks) -> dict:
    """Discrimination and calibration on unseen clients of three SIMULATED worlds, for both kinds of model."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from backpain_analysis.model import PainRiskModel
    from backpain_analysis.simulate import simulate_cohort, true_log_odds
    from backpain_analysis.validation import performance

    other = {k: eval(v, {"np": np}) for k, v in OTHER_SHAPES.items()}
    worlds = {"graded": ("graded", None), "other_shapes": ("graded", other), "threshold": ("threshold", None)}
    facts: dict = {}
    with timer:
        for name, (truth, curves) in worlds.items():
            train = simulate_cohort(n_clients=p["train_clients"], weeks=16, seed=p["seed"], truth=truth,
                                    curves=curves)
            test = simulate_cohort(n_clients=p["test_clients"], weeks=16, seed=p["seed"] + 1, truth=truth,
                                   curves=curves, missing=False)
            y = test["back_pain"].astype(bool).to_numpy()
            oracle = float(roc_auc_score(y, true_log_odds(test, truth=truth, curves=curves)))
            facts[f"{name}_oracle_auc"] = oracle
            for terms in ("dose-response", "threshold"):
                risk = PainRiskModel(terms=terms).fit(train).predict_risk(test).to_numpy()
                perf = performance(y, risk)
                key = f"{name}_{terms.replace('-', '_')}"
                facts[f"{key}_auc"] = float(perf["auc"])
                facts[f"{key}_oracle_share"] = float((perf["auc"] - 0.5) / (oracle - 0.5))
                facts[f"{key}_slope"] = float(perf["slope"])
                facts[f"{key}_mean_gap"] = float(risk.mean() - y.mean())
                facts[f"{key}_logloss"] = float(-np.mean(y * np.log(risk) + (~y) * np.log(1 - risk)))
    check(all(np.isfinite(v) for v in facts.values()), "a non-finite accuracy figure")
    return facts


#: Stage name -> function(params, timer, check) -> facts.
STAGES: dict[str, Callable[[dict, Timer, _Checks], dict]] = {
    "bare_read": _bare_read,
    "read_validate": _read_validate,
    "encode": _encode,
    "predict": _predict,
    "read_predict": _read_predict,
    "check_steps": _check_steps,
    "fit": _fit,
    "fit_bootstrap": _fit_bootstrap,
    "dose_response": _dose_response,
    "export_design": _export_design,
    "import": _import,
    "notebooks": _notebooks,
}


def run_stage(name: str, params: dict) -> dict:
    """Run one stage in this process and return its measurement (what the stage process prints).

    Parameters
    ----------
    name : str
        A key of :data:`STAGES`.
    params : dict
        ``path`` and ``sessions`` of the input log, plus stage options (``B``, ``out``).

    Returns
    -------
    dict
        ``stage``, ``seconds``, ``cpu_seconds``, ``peak_mb``, ``peak_method``,
        ``failures`` (list of str; empty when the result was correct) and the
        stage's facts (``rows_in``, ``rows_out``, ...).
    """
    timer, check = Timer(), _Checks()
    facts = STAGES[name](params, timer, check)
    return {"stage": name, "seconds": timer.seconds, "cpu_seconds": timer.cpu_seconds,
            "peak_mb": timer.peak_mb, "peak_method": timer.peak_method, "failures": check.failures, **facts}


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.stages STAGE PARAMS_JSON``: run one stage, print its result line."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in STAGES:
        print(f"usage: python -m benchmarks.stages {{{','.join(STAGES)}}} PARAMS_JSON", file=sys.stderr)
        return 2
    result = run_stage(argv[0], json.loads(argv[1]))
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
