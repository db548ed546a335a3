"""Text columns built once per distinct value: a million sessions hold a few hundred distinct texts.

The check's per-session texts (top factors, triage messages, tiers) are built
from a code per session; :func:`from_codes` turns the texts of the codes into
a categorical column, so a text is stored, neutralised and written once, not
once per session.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["from_codes"]


def from_codes(texts: Sequence[str] | np.ndarray, codes: np.ndarray, *, ordered: bool = False) -> pd.Categorical:
    """The column whose cell ``i`` is ``texts[codes[i]]``, as a categorical of the distinct texts.

    Parameters
    ----------
    texts : sequence of str
        One text per code (texts may repeat: equal texts become one category).
    codes : ndarray of int of shape (n_cells,)
        Positions in ``texts``; ``-1`` gives a missing cell.
    ordered : bool, default=False
        The categories are ordered as ``texts`` first lists them (give the
        texts sorted, such as ISO dates, for ``min`` and ``max`` to work).

    Returns
    -------
    pandas.Categorical of shape (n_cells,)

    Examples
    --------
    >>> list(from_codes(["low", "high", "low"], np.array([0, 1, 2, 0])))
    ['low', 'high', 'low', 'low']
    """
    codes = np.asarray(codes).ravel()
    remap, categories = pd.factorize(np.asarray(texts, dtype=object))
    remap = np.append(remap, -1)  # code -1 stays missing
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(categories, dtype=object), ordered=ordered)
