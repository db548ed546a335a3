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

DISCLAIMER = (
    "Estimates from a logistic model, not a diagnosis. Red-flag symptoms (new bladder or bowel "
    "problems, numbness in the groin, leg weakness, fever, a fall or blow) need a clinician, "
    "whatever the number says."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every file-level error
        self.print_usage(sys.stderr)
        self.exit(EXIT_FILE, f"{self.prog}: error: {message}\n")


def _write_log(log: object, out: Path) -> None:
    from .schema import to_file_values

    table = to_file_values(log)
    if out.suffix.lower() == ".xlsx":
        table.to_excel(out, index=False, sheet_name="Sessions")
    else:
        table.to_csv(out, index=False, lineterminator="\n")


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_cohort

    if args.clients < 1 or args.weeks < 1:
        raise _UserError("--clients and --weeks must be at least 1.")
    log = simulate_cohort(n_clients=args.clients, weeks=args.weeks, seed=args.seed, missing=not args.complete)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_log(log, out)
    rate = float(log["back_pain"].astype(float).mean())
    print(f"Wrote {out}: {len(log)} SIMULATED sessions of {args.clients} clients over {args.weeks} weeks "
          f"(seed {args.seed}); back pain after {rate:.1%} of sessions.")
    return EXIT_OK


def _report_validation(result: object, *, show_problems: bool = True, limit: int | None = 50) -> None:
    print(result.summary())
    if show_problems and result.n_rejected:
        lines = result.problem_report().splitlines()
        print(f"\nProblems ({len(lines)}):")
        shown = lines if limit is None else lines[:limit]
        print("\n".join(f"  {line}" for line in shown))
        if len(shown) < len(lines):
            print(f"  ... and {len(lines) - len(shown)} more (use --all to list every problem)")


def _cmd_validate(args: argparse.Namespace) -> int:
    from .schema import load_log

    result = load_log(args.file)
    _report_validation(result, limit=None if args.all else 50)
    return EXIT_OK if result.ok else EXIT_ROWS


def _cmd_fit(args: argparse.Namespace) -> int:
    import numpy as np

    from .model import PainRiskModel, format_odds_ratios
    from .schema import load_log

    result = load_log(args.file)
    _report_validation(result, limit=20)
    model = PainRiskModel(C=np.inf if args.C is None else args.C).fit(result.data)
    t = model.training_
    print(f"\nFitted on {t['labelled']} labelled sessions of {t['clients']} clients: {t['events']} with back pain"
          + (f"; {t['unlabelled']} sessions without a recorded outcome were used for load history only."
             if t["unlabelled"] else "."))
    print("\nOdds ratios (95% CI):")
    print(format_odds_ratios(model.odds_ratios()).to_string())
    if args.out:
        path = model.save(args.out)
        print(f"\nModel saved to {path}")
    print(f"\n{DISCLAIMER}")
    return EXIT_OK


class _UserError(Exception):
    """A mistake in the command line the user can fix."""


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backpain",
        description="Back pain after workouts: validate session logs, simulate cohorts, fit and apply the risk model.",
        epilog=DISCLAIMER,
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

    p = sub.add_parser("validate", help="check a session log against the contract",
                       description="List every problem in a session log. Exit 0 if clean, 1 if rows were "
                                   "rejected, 2 on a file-level error.")
    p.add_argument("file", help="session log, .csv or .xlsx")
    p.add_argument("--all", action="store_true", help="list every problem, not only the first 50")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("fit", help="fit the risk model on a log with back_pain recorded",
                       description="Fit the logistic model on a session log with back_pain recorded and "
                                   "print its odds ratios.")
    p.add_argument("file", help="session log, .csv or .xlsx")
    p.add_argument("--out", help="where to save the model (JSON)")
    p.add_argument("--C", type=float, default=None,
                   help="inverse L2 penalty; default: unpenalised maximum likelihood")
    p.set_defaults(func=_cmd_fit)
    return parser


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from .model import ModelError
    from .schema import LogFileError

    try:
        return func(args)
    except (LogFileError, ModelError, _UserError) as exc:
        print(f"backpain {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FILE
    except PermissionError as exc:
        print(f"backpain {args.command}: error: permission denied: {exc.filename}", file=sys.stderr)
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
