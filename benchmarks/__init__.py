"""Benchmarks of backpain-analysis: speed, memory and how cost grows, against the project's targets.

Run from a checkout::

    python -m benchmarks                      # 10k, 100k and 1M sessions, fit, bootstrap, notebooks
    python -m benchmarks --quick              # 10k and 100k only, no notebooks, prints only
    python -m benchmarks --sizes 10000 --skip-notebooks --out -

Every log is simulated on the fly (reproducible seed) and every stage runs
in a fresh process; the results table, the machine and the verdict on each
target are printed and written to ``docs/benchmarks.md``. Modules:

* :mod:`benchmarks.data` -- the simulated logs.
* :mod:`benchmarks.stages` -- the measured stages (one process each).
* :mod:`benchmarks.runner` -- runs them, judges the targets.
* :mod:`benchmarks.report` -- the tables and the Markdown page.

This package imports nothing heavy, so that ``python -m benchmarks.stages
import`` measures ``import backpain_analysis`` in a clean interpreter.
"""

__all__: list[str] = []
