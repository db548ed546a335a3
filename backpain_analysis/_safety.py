"""Untrusted text going out: spreadsheet formula neutralisation (one home for the rule)."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["neutralise_cell", "neutralise_frame"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a
    formula to Excel and LibreOffice (OWASP "CSV injection"). Numbers, and
    text that is just a number such as ``"-5"``, are left alone.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            values = out[col].astype(object)
            # only the few cells that start like a formula go through the per-cell rule
            try:
                risky = values.str.startswith(_FORMULA_START, na=False).astype(bool)
            except AttributeError:  # no text in the column at all
                continue
            if risky.any():
                values = values.copy()
                values[risky] = values[risky].map(neutralise_cell)
            out[col] = values
    return out
