"""``python -m suite``: execute the notebook suite into ``reports/``, or regenerate the stored outputs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from backpain_analysis.paths import NOTEBOOKS_DIR, REPORTS_DIR

from .runner import CELL_TIMEOUT, NotebookFailure, display_path, run_suite, update_notebooks

__all__ = ["build_parser", "main", "parse_only"]


def parse_only(values: Sequence[str] | None) -> list[str] | None:
    """The ``--only`` values as two-digit notebook numbers (``["3", "00,04"]`` -> ``["03", "00", "04"]``).

    Parameters
    ----------
    values : sequence of str or None
        As argparse gives them; each may hold several numbers separated by commas.

    Returns
    -------
    list of str or None
        ``None`` when no number was given (run every notebook).

    Raises
    ------
    ValueError
        When a value is not a number of at most two digits.
    """
    if not values:
        return None
    numbers = [v.strip() for value in values for v in value.split(",") if v.strip()]
    bad = [n for n in numbers if not n.isdigit() or len(n) > 2]
    if bad:
        raise ValueError(f"--only takes two-digit notebook numbers such as 03, not {', '.join(bad)}")
    return [n.zfill(2) for n in numbers]


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m suite``."""
    parser = argparse.ArgumentParser(
        prog="python -m suite",
        description="Execute the notebook suite into reports/ (HTML pages with code hidden, index.html, "
                    "manifest.json), or with --update-notebooks regenerate the outputs stored in the notebooks.",
    )
    parser.add_argument("--update-notebooks", action="store_true",
                        help="execute every notebook in place (stored outputs regenerated, timing metadata "
                             "stripped) and regenerate the contents list and prev/next cells; this is "
                             "`make notebooks`")
    parser.add_argument("--only", nargs="+", metavar="NN",
                        help="run only these notebooks, by number (e.g. --only 00 03, or --only 00,03)")
    parser.add_argument("--notebooks-dir", type=Path, default=NOTEBOOKS_DIR, help="default: notebooks/")
    parser.add_argument("--reports-dir", type=Path, default=REPORTS_DIR, help="default: reports/")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help=f"seconds one cell may run (default: {CELL_TIMEOUT})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 fine, 1 a notebook failed, 2 bad usage).

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
    """
    args = build_parser().parse_args(argv)
    try:
        only = parse_only(args.only)
        if args.update_notebooks:
            runs = update_notebooks(args.notebooks_dir, only=only, timeout=args.timeout)
            failures = [(r.notebook, r.failure) for r in runs if r.failure]
        else:
            manifest = run_suite(args.notebooks_dir, reports_dir=args.reports_dir, only=only, timeout=args.timeout)
            failures = [(n["notebook"], NotebookFailure(**n["failure"])) for n in manifest["notebooks"]
                        if n["status"] != "ok"]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for notebook, failure in failures:
        print(f"error: {failure.describe(notebook)}", file=sys.stderr)
    if failures and not args.update_notebooks:
        print(f"error: the executed notebooks (with the traceback) are in "
              f"{display_path(Path(args.reports_dir) / 'executed')}/", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
