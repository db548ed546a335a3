"""The ``backpain`` command line.

Every error reaches the user as one readable message (never a traceback):
exit 2 for a file-level problem, 1 when rows were rejected where that matters.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["main"]

EXIT_OK, EXIT_ROWS, EXIT_FILE = 0, 1, 2
#: The points card's kinds of ranges (:data:`backpain_analysis.points.RANGES`, a test holds them equal), typed
#: here so that building the parser imports nothing heavy.
CARD_RANGES: tuple[str, ...] = ("fine", "registry")
#: Largest distance between card and model risk (probability) that a points card may have.
CARD_LIMIT = 0.03


def _disclaimer() -> str:
    """The one "not a diagnosis" notice (:func:`backpain_analysis.triage.disclaimer`), imported when needed."""
    from .triage import disclaimer

    return disclaimer()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every file-level error
        self.print_usage(sys.stderr)
        self.exit(EXIT_FILE, f"{self.prog}: error: {message}\n")


def _printable_lines(text: str) -> str:
    """Text that may quote the input file, with control characters escaped line by line (no terminal tricks)."""
    from .safety import printable

    return "\n".join(printable(line) for line in text.split("\n"))


def _write_log(log: object, out: Path) -> None:
    from .sessionlog.write import to_file_values

    table = to_file_values(log)
    if out.suffix.lower() == ".xlsx":
        table.to_excel(out, index=False, sheet_name="Sessions")
    else:
        table.to_csv(out, index=False, lineterminator="\n")


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_cohort

    if args.clients < 1 or args.weeks < 1:
        raise _UserError("--clients and --weeks must be at least 1.")
    if Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise _UserError("--out must name a .csv or .xlsx file.")
    log = simulate_cohort(n_clients=args.clients, weeks=args.weeks, seed=args.seed, missing=not args.complete)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_log(log, out)
    rate = float(log["back_pain"].astype(float).mean())
    print(f"Wrote {out}: {len(log)} SIMULATED sessions of {args.clients} clients over {args.weeks} weeks "
          f"(seed {args.seed}); back pain after {rate:.1%} of sessions.")
    return EXIT_OK


def _report_validation(result: object, *, show_problems: bool = True, limit: int | None = 50) -> None:
    print(_printable_lines(result.summary()))
    if show_problems and result.n_rejected:
        lines = result.problem_report().splitlines()
        print(f"\nProblems ({len(lines)}):")
        shown = lines if limit is None else lines[:limit]
        print("\n".join(f"  {line}" for line in shown))
        if len(shown) < len(lines):
            print(f"  ... and {len(lines) - len(shown)} more (use --all to list every problem)")


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    """``--date-order`` and ``--sheet``: how the log file is read (``validate``, ``check``, ``fit``)."""
    p.add_argument("--date-order", choices=("dmy", "mdy", "ymd"), default=None, type=str.lower,
                   help="order of the dates in the file: dmy = day first (09.03.2026, 09/03/2026), mdy = month "
                        "first (3/9/2026), ymd = year first (2026-03-09); by default detected from the dates that "
                        "can be read only one way (a day above 12)")
    p.add_argument("--sheet", metavar="NAME", default=None,
                   help="workbook sheet to read (default: the sheet named Sessions, else the first sheet with the "
                        "required columns)")


def _cmd_validate(args: argparse.Namespace) -> int:
    from .sessionlog.validate import load_log

    result = load_log(args.file, date_order=args.date_order, sheet=args.sheet)
    _report_validation(result, limit=None if args.all else 50)
    return EXIT_OK if result.ok else EXIT_ROWS


def _cmd_fit(args: argparse.Namespace) -> int:
    import numpy as np

    from .model import ModelError, PainRiskModel, load_default_model, update_model
    from .sessionlog.validate import load_log
    from .validation import check_fit_data

    if args.bootstrap < 0:
        raise _UserError("--bootstrap must be 0 (no validation) or more.")
    if args.C is not None and not args.C > 0:
        raise _UserError("--C must be a positive number.")
    if not (np.isfinite(args.prior_scale) and args.prior_scale > 0):
        raise _UserError("--prior-scale must be a positive number.")
    if args.card and Path(args.card).suffix.lower() not in (".png", ".pdf"):
        raise _UserError("--card must name a .png or .pdf file.")
    for option, value in (("--out", args.out), ("--card", args.card), ("--base", args.base)):  # before the work
        if value and Path(value).is_dir():
            raise _UserError(f"{option} {value} is a folder; give a file name.")
    base = load_default_model() if args.base is None else PainRiskModel.load(args.base)
    result = load_log(args.file, date_order=args.date_order, sheet=args.sheet)
    _report_validation(result, limit=20)
    if result.n_accepted == 0:
        raise ModelError("nothing to fit: every row was rejected (see the problems above).")
    log = result.data
    check = check_fit_data(log, factors=base.encoder_.factors_)
    print(f"\nEvents: {check.events} of {check.labelled} labelled sessions were followed by back pain within "
          f"48 h ({check.clients} clients).")
    for reason in check.constant.values():
        print(f"Left out of a fit from scratch, same value in every labelled session: {reason}.")
    if check.sample_size is not None:
        print(check.sample_size.summary())
    if check.separated:
        print(f"NOTE: {len(check.separated)} feature(s) perfectly predict the outcome in this log (separation): "
              f"{', '.join(check.separated)}; an update's priors carry them, a fit from scratch needs a penalty.")
    if check.collinear:
        print(f"NOTE: these features always go together in this log: {', '.join(check.collinear)}; an update's "
              "priors carry them, a fit from scratch needs a penalty.")
    # the fit from scratch (offered only when the log meets the sample-size criteria): as before this command
    # updated models, unpenalised when the checks allow it, else penalised with C chosen by cross-validation
    if args.C is not None:
        C, why = args.C, f"L2 penalty C={args.C:g} (--C)"
    elif args.penalty == "none" or (args.penalty == "auto" and not check.needs_penalty):
        C, why = np.inf, "unpenalised maximum likelihood"
    else:
        C = "cv"
        why = "penalised (--penalty cv)" if args.penalty == "cv" else (
            "penalised, because the checks above say an unpenalised fit would be unreliable or impossible")
    if args.method == "scratch" and not check.usable_factors:
        raise ModelError("no risk factor varies in this log's labelled sessions; nothing to fit from scratch.")
    scratch = PainRiskModel(factors=check.usable_factors if check.constant else base.encoder_.factors_, C=C,
                            terms=base.terms)
    base_name = Path(args.base).name if args.base else "default_model.json"
    update = update_model(log, base=base, method=args.method, prior_scale=args.prior_scale, scratch=scratch,
                          base_name=base_name)
    model = update.model
    print(f"\n{update.summary()}")
    if update.method == "scratch":
        print(f"\nThe fit from scratch:\n{model.summary(how=why)}")
    if args.bootstrap:
        try:
            validation = update.validate(log, seed=args.seed)
        except ModelError as exc:
            print(f"\nNo validation on your own data: {exc}")
        else:
            print(f"\n{validation.summary()}")
        if update.method == "scratch":
            boot = model.validate(B=args.bootstrap, seed=args.seed)
            print(f"\n{boot.summary()}")
            print("Read 'corrected' as what to expect on new clients like these ('apparent' is measured on the "
                  "data the model learned from). AUC 0.5 = no better than chance, 1 = perfect; calibration slope "
                  "below 1 = risks too extreme (overfitted), above 1 = too timid.")
    if args.card:
        from .paths import RAW_DIR

        t = update.data
        bundled = Path(args.file).resolve().parent == RAW_DIR.resolve()  # the shipped logs are simulated
        name = Path(args.file).name + (", SIMULATED" if bundled else "")
        source = f"{name} ({t['labelled']:,} sessions of {t['clients']} clients)"
        if update.method != "scratch":
            b = base.training_
            verb = {"keep": "kept after testing on", "intercept": "recalibrated in the large on",
                    "recalibrate": "recalibrated on", "revise": "revised on"}[update.method]
            source = (f"{base_name} ({b.get('labelled', 0):,} sessions of {b.get('clients', '?')} clients), "
                      f"{verb} {source}")
        card = model.points_card(log=log, log_name=Path(args.file).name, source=source, ranges=args.card_ranges)
        path = card.save(args.card)
        print(f"\nPoints card written to {path}: {len(card.factors)} factors, {len(card.table)} levels "
              f"({args.card_ranges} ranges), 0-{len(card.risk_table) - 1} points; "
              f"card risk within {100 * card.reference['max_abs_difference']:.1f} percentage points of the model's "
              "on this log.")
        if card.reference["max_abs_difference"] > CARD_LIMIT:
            print(f"WARNING: the card is more than {100 * CARD_LIMIT:.0f} percentage points away from the model for "
                  "some sessions of this log; use the model's own numbers (backpain check) rather than the card.")
    if args.out:
        path = model.save(args.out)
        print(f"\nModel saved to {path} ({update.method}; its file records the base model, the method, the priors "
              "and the counts of the data it was updated on).")
    print(f"\n{_disclaimer()}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .check import run_check

    if args.top < 0:
        raise _UserError("--top must be 0 or more.")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _UserError(f"--out {out} is a file; give a folder for report.html, scores.csv and rejected.csv.")
    result = run_check(args.file, args.out, model_path=args.model, strict=args.strict,
                       progress=None if not args.no_progress else False, top_n=args.top,
                       date_order=args.date_order, sheet=args.sheet)
    print(_printable_lines(result.summary))
    print(f"\n{_disclaimer()}")
    return result.exit_code


def _cmd_template(args: argparse.Namespace) -> int:
    from .sessionlog.template import write_template

    try:
        written = write_template(args.file, overwrite=args.force)
    except (FileExistsError, ValueError) as exc:
        raise _UserError(str(exc)) from None
    for path in written:
        print(f"Wrote {path}")
    print("Fill in one row per session (see the Instructions), then run: "
          f"backpain check {written[0].name} --out report/")
    return EXIT_OK


class _UserError(Exception):
    """A mistake in the command line the user can fix."""


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backpain",
        description="Back pain after workouts: validate session logs, simulate cohorts, fit and apply the risk model.",
        epilog=_disclaimer(),
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"backpain-analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("simulate", help="write a SIMULATED session log with known effects",
                       description="Write a simulated session log (every value simulated) whose back pain "
                                   "is drawn from the registry's published effect sizes.")
    p.add_argument("--clients", type=int, default=300, help="number of clients (default: 300)")
    p.add_argument("--weeks", type=int, default=16, help="weeks per client (default: 16)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--complete", action="store_true", help="leave no value unrecorded")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("template", help="write an empty session log to fill in (.xlsx or .csv)",
                       description="Write an empty session log with the right headers, an Instructions sheet "
                                   "explaining every column, SIMULATED example rows and, for .xlsx, Excel data "
                                   "validation that catches typos while typing.")
    p.add_argument("file", help="file to write: clients.xlsx (recommended) or clients.csv")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("check", help="score a client file and write a report",
                       description="Check a client file: red flags first, each client's current risk, trend, "
                                   "top factors and action plan, training-load charts. Writes report.html "
                                   "(self-contained), scores.csv and rejected.csv. Exit 0 when at least one row "
                                   "was scored, 1 with --strict if any row was rejected (or if nothing could be "
                                   "scored), 2 on a file-level error.")
    p.add_argument("file", help="client session log, .csv or .xlsx")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--model", help="model JSON from 'backpain fit' (default: the bundled model)")
    p.add_argument("--strict", action="store_true", help="exit 1 if any row was rejected")
    p.add_argument("--top", type=int, default=10,
                   help="the N clients with the highest risk get a full section (default: 10)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_reading_options(p)
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("validate", help="check a session log against the contract",
                       description="List every problem in a session log. Exit 0 if clean, 1 if rows were "
                                   "rejected, 2 on a file-level error.")
    p.add_argument("file", help="session log, .csv or .xlsx")
    p.add_argument("--all", action="store_true", help="list every problem, not only the first 50")
    _add_reading_options(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("fit", help="update the risk model with a log with back_pain recorded",
                       description="Update the default model (or --base) with a session log with back_pain "
                                   "recorded: report the events and whether they are enough to fit the model's "
                                   "parameters from scratch (Riley et al. 2020, BMJ 368:m441); keep the model, "
                                   "recalibrate it in the large (a new intercept), recalibrate it (intercept and "
                                   "slope) or revise every coefficient with priors centred on the model's, chosen "
                                   "by likelihood-ratio tests in sequence (after Vergouwe et al. 2017, Stat Med "
                                   "36:4529); print the effects beside the base model's and a leave-one-client-out "
                                   "validation of the choice.")
    p.add_argument("file", help="session log, .csv or .xlsx")
    p.add_argument("--out", help="where to save the model (JSON)")
    p.add_argument("--method", choices=("auto", "keep", "intercept", "recalibrate", "revise", "scratch"),
                   default="auto",
                   help="auto (default): chosen by the tests; keep: the base model unchanged; intercept: "
                        "recalibration in the large; recalibrate: new intercept and slope; revise: every "
                        "coefficient re-estimated with normal priors centred on the base model's; scratch: a fit "
                        "on this log alone (only when it meets the sample-size criteria)")
    p.add_argument("--base", metavar="MODEL.json", default=None,
                   help="the model to update (default: the bundled model)")
    p.add_argument("--prior-scale", type=float, default=1.0, metavar="S",
                   help="the revision's prior SDs are the base model's standard errors times S (default: 1)")
    p.add_argument("--penalty", choices=("auto", "none", "cv"), default="auto",
                   help="for a fit from scratch: auto (default): unpenalised when the log has enough events for "
                        "the parameters and no factor perfectly predicts back pain, else an L2 penalty chosen by "
                        "cross-validation grouped by client; none: always unpenalised; cv: always penalised")
    p.add_argument("--C", type=float, default=None,
                   help="for a fit from scratch: a fixed inverse L2 penalty (overrides --penalty)")
    p.add_argument("--bootstrap", type=int, default=200, metavar="B",
                   help="validation: the leave-one-client-out comparison of the base, updated and scratch models "
                        "and, for a fit from scratch, B bootstrap replicates resampling clients (default: 200; 0 "
                        "skips all validation)")
    p.add_argument("--seed", type=int, default=0, help="seed of the validation (default: 0)")
    p.add_argument("--card", metavar="PATH", help="also write a printable points card (.png or .pdf)")
    p.add_argument("--card-ranges", choices=CARD_RANGES, default=CARD_RANGES[0],
                   help="the card's ranges for measured factors: 'fine' (default: runs of values that score the "
                        "same points, within 2.5 percentage points of the model on the log) or 'registry' (the "
                        "plain-words ranges, e.g. warm-up under 5 / 5 to 9 / 10+ min: shorter, further from the "
                        "model)")
    _add_reading_options(p)
    p.set_defaults(func=_cmd_fit)
    return parser


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from .model import ModelError
    from .sessionlog.read import LogFileError

    try:
        return func(args)
    except (LogFileError, ModelError, _UserError) as exc:
        print(_printable_lines(f"backpain {args.command}: error: {exc}"), file=sys.stderr)
        return EXIT_FILE
    except PermissionError as exc:
        print(f"backpain {args.command}: error: permission denied: {exc.filename}", file=sys.stderr)
        return EXIT_FILE
    except OSError as exc:  # a folder where a file should be, a full disk, a missing drive...
        where = f": {exc.filename}" if exc.filename else ""
        print(f"backpain {args.command}: error: cannot write or read{where} ({exc.strerror or exc})",
              file=sys.stderr)
        return EXIT_FILE
    except KeyboardInterrupt:
        print("backpain: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: still no traceback for the user
        print(f"backpain {args.command}: internal error ({type(exc).__name__}: {exc}). "
              "Please report this with the command you ran.", file=sys.stderr)
        return 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``backpain`` command line; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_FILE
    return _run(args.func, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
