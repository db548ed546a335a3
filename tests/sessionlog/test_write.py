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


def _cells(path):
    """The cells of a CSV file as a CSV reader gives them (after the byte-order mark)."""
    import csv
    import io

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _same_cell(a: str, b: str) -> bool:
    """Equal text, or the same number written two ways (``2`` and ``2.0``)."""
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def test_write_csv_gives_the_cells_of_pandas_to_csv(tmp_path, hostile_names):
    import numpy as np

    from backpain_analysis.safety import neutralise_frame
    from backpain_analysis.sessionlog import write_csv

    rng = np.random.default_rng(5)
    n = 400
    names = np.array([*hostile_names, "Zoë", "a,b", 'say "hi"', "two\nlines", "-5", "", "=1+1"], dtype=object)
    frame = pd.DataFrame({
        "row": np.arange(2, n + 2),
        "client_id": names[rng.integers(0, len(names), n)],
        "risk": np.where(rng.random(n) < 0.1, np.nan, rng.random(n).round(4)),
        "whole": rng.integers(0, 5, n).astype(float),
        "count": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 9, n)), dtype="Int64"),
        "tier": pd.Categorical(rng.choice(["low", "moderate", "high"], n)),
        "flag": rng.random(n) < 0.5,
        "text": pd.array(np.where(rng.random(n) < 0.1, None, names[rng.integers(0, len(names), n)]),
                         dtype="string"),
    })
    fast, slow = tmp_path / "fast.csv", tmp_path / "slow.csv"
    write_csv(frame, fast)
    neutralise_frame(frame).to_csv(slow, index=False, lineterminator="\n", encoding="utf-8-sig")
    a, b = _cells(fast), _cells(slow)
    assert len(a) == len(b) == n + 1
    assert a[0] == b[0] == list(frame.columns)
    diff = [(i, j, x, y) for i, (ra, rb) in enumerate(zip(a, b, strict=True))
            for j, (x, y) in enumerate(zip(ra, rb, strict=True)) if not _same_cell(x, y)]
    assert diff == []
    # read back as a trainer's spreadsheet would: the same values, formulas neutralised
    again = pd.read_csv(fast, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert not again["client_id"].str.startswith(("=", "+", "@")).any()
    assert (again["client_id"] == neutralise_frame(frame)["client_id"].astype(str).to_numpy()).all()
