"""Writing a session log: typed values back into cells as a trainer types them."""

from __future__ import annotations

import pandas as pd

from .contract import COLUMN_NAMES, COLUMNS

__all__ = ["to_file_values"]


def to_file_values(log: pd.DataFrame) -> pd.DataFrame:
    """Typed log -> cells as a trainer would type them (dates ISO, yes/no, blanks).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A typed session log (for example from :func:`~backpain_analysis.sessionlog.validate_log` or
        :func:`~backpain_analysis.simulate_cohort`).

    Returns
    -------
    DataFrame of shape (n_sessions, n_columns)
        Text-friendly columns, in contract order, ready for ``to_csv``.
    """
    out = {}
    for col in COLUMNS:
        if col.name not in log.columns:
            continue
        v = log[col.name]
        if col.kind == "yesno":
            v = v.astype("boolean").map({True: "yes", False: "no"}).astype(object)
        elif col.kind == "date":
            v = pd.to_datetime(v).dt.strftime("%Y-%m-%d")
        elif col.kind in ("integer", "number"):
            v = pd.to_numeric(v).astype("Float64")
            if col.kind == "integer" or bool(((v % 1) == 0).all()):
                v = v.astype("Int64")
        out[col.name] = v
    extra = [c for c in log.columns if c not in COLUMN_NAMES]
    return pd.concat([pd.DataFrame(out, index=log.index), log[extra]], axis=1)
