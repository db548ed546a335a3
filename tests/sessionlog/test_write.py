"""Writing a log: typed values back into cells that read back the same."""

from __future__ import annotations

import pandas as pd

from backpain_analysis.sessionlog import COLUMNS, to_file_values, validate_log


def test_typed_frame_roundtrip(small_log):
    res = validate_log(small_log)
    assert res.ok and res.n_accepted == len(small_log)
    text = to_file_values(res.data)
    again = validate_log(text)
    assert again.ok
    pd.testing.assert_frame_equal(again.data[[c.name for c in COLUMNS]], res.data[[c.name for c in COLUMNS]])
