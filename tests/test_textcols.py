"""Text columns built per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from backpain_analysis.textcols import from_codes


def test_cells_are_the_texts_of_their_codes_and_equal_texts_share_a_category():
    rng = np.random.default_rng(3)
    texts = ["a", "b", "a", "c"]
    codes = rng.integers(-1, len(texts), size=500)
    out = from_codes(texts, codes)
    expected = [texts[c] if c >= 0 else None for c in codes]
    assert [None if pd.isna(v) else v for v in out] == expected
    assert sorted(out.categories) == ["a", "b", "c"]


def test_no_codes_give_an_empty_column():
    out = from_codes(["a"], np.array([], dtype=int))
    assert len(out) == 0


def test_ordered_columns_take_the_order_of_the_texts():
    out = pd.Series(from_codes(["2026-01-02", "2026-01-10"], np.array([1, 0, 1]), ordered=True))
    assert out.min() == "2026-01-02" and out.max() == "2026-01-10"
