"""The session log: its contract, and how a trainer's file is read, parsed, checked and written.

One row per client session. The layers, each a module:

* :mod:`~backpain_analysis.sessionlog.contract` - which columns a log has and
  what each accepts (:data:`COLUMNS`, :class:`Column`);
* :mod:`~backpain_analysis.sessionlog.read` - a CSV or XLSX file into cells as
  read (:func:`read_log`, :class:`LogFileError`);
* :mod:`~backpain_analysis.sessionlog.parse` - cells into typed values
  (numbers, yes/no, dates, times);
* :mod:`~backpain_analysis.sessionlog.validate` - every problem at once, each
  row accounted for (:func:`validate_log`, :func:`load_log`,
  :class:`ValidationResult`);
* :mod:`~backpain_analysis.sessionlog.write` - typed values back into cells
  (:func:`to_file_values`), and the CSV files the package writes, neutralised
  (:func:`write_csv`);
* :mod:`~backpain_analysis.sessionlog.template` - an empty log for a trainer to
  fill in (:func:`~backpain_analysis.sessionlog.template.write_template`). It is
  not imported here: its example rows come from the simulation, which reads
  the contract, so importing it from this package would make an import cycle.

A file-level problem raises :class:`LogFileError`; a row-level problem rejects
that row only, so that ``rows_in == n_accepted + n_rejected`` always holds.
"""

from __future__ import annotations

from .contract import COLUMNS, REQUIRED_COLUMNS, Column, column, contract_table
from .read import EXTRA_VALUES, LogFileError, read_log
from .validate import ValidationResult, check_values, load_log, session_log_schema, validate_log
from .write import to_file_values, write_csv

__all__ = [
    "COLUMNS",
    "EXTRA_VALUES",
    "REQUIRED_COLUMNS",
    "Column",
    "LogFileError",
    "ValidationResult",
    "check_values",
    "column",
    "contract_table",
    "load_log",
    "read_log",
    "session_log_schema",
    "to_file_values",
    "write_csv",
    "validate_log",
]
