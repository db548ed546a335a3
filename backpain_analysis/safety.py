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


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise_cell`.

    The rule runs once per distinct value of each text column (a column of a
    million cells holds few of them); a categorical column's categories are
    its distinct values. A column in which no cell changes is returned as
    it is; one in which some do comes back as a categorical column (codes
    and the neutralised texts), which writes and reads as the same cells.
    """
    out = frame.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            if not _is_text(pd.Series(s.cat.categories)):
                continue
            codes, uniques = s.cat.codes.to_numpy(), np.asarray(s.cat.categories, dtype=object)
        elif _is_text(s):
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
        else:
            continue
        fixed = np.asarray([neutralise_cell(v) for v in uniques], dtype=object)
        if all(f is u for f, u in zip(fixed, uniques, strict=True)):
            continue
        # neutralising can make two distinct values equal ("'=x" and "=x"): categories must stay distinct
        remap, categories = pd.factorize(fixed)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        out[col] = pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object)),
                             index=out.index, name=col)
    return out


def printable(text: object) -> str:
    """Text from the input made safe for a terminal: control characters (escape sequences) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
