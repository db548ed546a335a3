"""Untrusted text going out: spreadsheet formula neutralisation (one home for the rule)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["neutralise_cell", "neutralise_frame", "printable"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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
            values = out[col].to_numpy(dtype=object, copy=True)
            # the rule runs once per distinct value (a column of a million cells holds few of them), and only
            # the cells whose text it changed are replaced
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            fixed = np.asarray([neutralise_cell(v) for v in uniques], dtype=object)
            changed = np.flatnonzero([f is not u for f, u in zip(fixed, uniques, strict=True)])
            if len(changed):
                hit = np.isin(codes, changed)
                values[hit] = fixed[codes[hit]]
            out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def printable(text: object) -> str:
    """Text from the input made safe for a terminal: control characters (escape sequences) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
