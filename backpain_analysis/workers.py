"""Forked worker processes for the package's parallel work (charts, bootstrap replicates), or none.

Workers are forked, so that they start at once with the data already in
memory; where fork is not available (Windows, macOS by default) or only one
core is usable, the work stays in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["fork_cores", "quiet_fork"]


def fork_cores() -> int:
    """The cores forked workers can use: the usable cores where fork is available, else 1 (no workers)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def quiet_fork() -> Iterator[None]:
    """Fork workers inside this block without Python's warning about forking a threaded process (3.12+).

    The workers only compute and return; they start no threads of their own
    that the warning is about.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield
