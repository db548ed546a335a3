"""``python -m benchmarks``: measure every stage, print the table, write ``docs/benchmarks.md``."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from .runner import DEFAULT_SIZES, PROJECT_DIR, STAGE_TITLES, BenchmarkError, run_benchmarks

__all__ = ["main"]

DEFAULT_OUT = PROJECT_DIR / "docs" / "benchmarks.md"
QUICK_SIZES = (10_000, 100_000)


def _positive(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time and measure the memory of every stage of backpain-analysis on simulated session logs "
                    "(generated on the fly, never committed), each stage in a fresh process, and judge the "
                    "results against the project's targets.",
    )
    p.add_argument("--sizes", type=_positive, nargs="+", metavar="N",
                   help="session counts of the logs (default: 10000 100000 1000000; with --quick: 10000 100000)")
    p.add_argument("--quick", action="store_true",
                   help="a fast run while developing: sizes 10000 100000 unless --sizes is given, no notebook "
                        "suite, no R, and nothing written unless --out is given")
    p.add_argument("--out", help=f"Markdown file to write, or - for none (default: "
                                 f"{DEFAULT_OUT.relative_to(PROJECT_DIR)})")
    p.add_argument("--skip-notebooks", action="store_true", help="do not time the notebook suite")
    p.add_argument("--fit-size", type=_positive, default=50_000, metavar="N",
                   help="sessions of the log for fit and fit + bootstrap (default: 50000)")
    p.add_argument("--bootstrap", type=_positive, default=200, metavar="B",
                   help="bootstrap replicates (default: 200)")
    p.add_argument("--repeat", type=_positive, default=1, metavar="R",
                   help="runs of each stage, each in a fresh process; the fastest is kept; a stage that takes over "
                        "30 s runs once (default: 1)")
    r = p.add_mutually_exclusive_group()
    r.add_argument("--r", dest="r", action="store_const", const=True, default=None,
                   help="require the R side by side (rms::lrm + validate); default: run it if Rscript with "
                        "rms is installed")
    r.add_argument("--no-r", dest="r", action="store_const", const=False, help="skip R")
    p.add_argument("--only", nargs="+", metavar="STAGE", choices=[*STAGE_TITLES, "rms"],
                   help=f"measure only these stages ({', '.join([*STAGE_TITLES, 'rms'])})")
    p.add_argument("--data-dir", help="keep the generated logs in this folder and reuse them "
                                      "(default: a temporary folder, removed at the end)")
    p.add_argument("--seed", type=int, default=None, help="seed of the simulated logs")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; exit 0, or 1 when a stage failed or gave a wrong result."""
    from .report import markdown, text_table

    args = build_parser().parse_args(argv)
    sizes = tuple(args.sizes) if args.sizes else (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    notebooks = not (args.skip_notebooks or args.quick)
    r = False if (args.quick and args.r is None) else args.r
    out = args.out if args.out is not None else ("-" if args.quick else str(DEFAULT_OUT))
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        results = run_benchmarks(sizes=sizes, fit_size=args.fit_size, bootstrap=args.bootstrap,
                                 repeat=args.repeat, notebooks=notebooks, r=r, data_dir=args.data_dir,
                                 seed=args.seed, stages=args.only, log=say)
    except BenchmarkError as exc:
        print(f"benchmarks: error: {exc}", file=sys.stderr)
        return 1
    print(text_table(results))
    if out != "-":
        command = "python -m benchmarks" + ("" if argv is None and len(sys.argv) == 1 else " " + shlex.join(
            sys.argv[1:] if argv is None else list(argv)))
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown(results, command=command), encoding="utf-8")
        print(f"\nWrote {path}")
    wrong = [m for m in results.measurements if m.failures]
    if wrong:
        print(f"benchmarks: {len(wrong)} stage(s) gave a wrong result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
