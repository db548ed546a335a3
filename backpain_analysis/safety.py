"""Untrusted text going out: spreadsheet formula neutralisation (one home for the rule)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .textcols import from_codes

__all__ = ["neutralise_cell", "neutralise_frame", "neutralised_codes", "printable"]

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


def neutralised_codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray, bool] | None:
    """A text column as codes and its distinct values passed through :func:`neutralise_cell`.

    The rule runs once per distinct value (a column of a million cells holds
    few of them); a categorical column's categories are its distinct values.

    Parameters
    ----------
    series : Series
        Any column.

    Returns
    -------
    tuple or None
        ``(codes, texts, changed)``: cell ``i`` is ``texts[codes[i]]``
        (``-1``: missing), and ``changed`` says whether the rule altered any
        text (neutralising can make two texts equal, ``"'=x"`` and
        ``"=x"``); ``None`` for a column that holds no text.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        if not _is_text(pd.Series(series.cat.categories)):
            return None
        codes, uniques = series.cat.codes.to_numpy(), np.asarray(series.cat.categories, dtype=object)
    elif _is_text(series):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    else:
        return None
    fixed = np.asarray([neutralise_cell(v) for v in uniques], dtype=object)
    return codes, fixed, any(f is not u for f, u in zip(fixed, uniques, strict=True))


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise_cell`.

    The rule runs once per distinct value of each text column
    (:func:`neutralised_codes`). A column in which no cell changes is
    returned as it is; one in which some do comes back as a categorical
    column (codes and the neutralised texts), which writes and reads as the
    same cells.
    """
    out = frame.copy(deep=False)
    for col in out.columns:
        found = neutralised_codes(out[col])
        if found is not None and found[2]:
            codes, texts, _ = found
            out[col] = pd.Series(from_codes(texts, codes), index=out.index, name=col)
    return out


def printable(text: object) -> str:
    """Text from the input made safe for a terminal: control characters (escape sequences) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
