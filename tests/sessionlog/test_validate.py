"""Validating a log: every rejection reason, all problems at once, row accounting, the pandera schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpain_analysis.sessionlog import (
    COLUMNS,
    REQUIRED_COLUMNS,
    LogFileError,
    load_log,
    validate_log,
)

HEADER = "client_id,date,duration_min,rpe"


def test_minimal_file_is_accepted_and_typed(write_csv):
    res = load_log(write_csv(f"{HEADER}\nA,2026-03-02,60,6\nB,2026-03-03,45.5,4\n"))
    assert res.rows_in == 2 and res.n_accepted == 2 and res.ok
    assert list(res.data.index) == [2, 3] and res.data.index.name == "row"
    assert res.data["duration_min"].tolist() == [60.0, 45.5]
    assert res.data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02", "2026-03-03"]
    # absent optional columns exist, all missing, and are noted
    assert res.data["warmup_min"].isna().all()
    assert any("not recorded in this file" in n for n in res.notes)


def test_column_names_case_and_spaces_and_extra_columns(write_csv):
    res = load_log(write_csv(" Client_ID ,DATE, Duration_Min ,RPE,Notes\nA,2026-03-02,60,6,felt fine\n"))
    assert res.ok
    assert "notes" in res.data.columns
    assert any("kept and ignored: notes" in n for n in res.notes)


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("duration_min", "abc", "not a number"),
        ("duration_min", "0", "out of range"),
        ("duration_min", "301", "out of range"),
        ("rpe", "11", "out of range"),
        ("rpe", "", "required value is blank"),
        ("client_id", "", "required value is blank"),
        ("date", "31/31/2026", "not a date"),
        ("date", "2026-13-02", "not a date"),
        ("date", "2026-02-30", "not a date"),
        ("date", "", "required value is blank"),
        ("start_time", "25:00", "not a time"),
        ("start_time", "7pm", "not a time"),
        ("warmup_min", "-1", "out of range"),
        ("warmup_min", "121", "out of range"),
        ("cooldown_min", "ten", "not a number"),
        ("stretching", "maybe", "not yes/no"),
        ("form_score", "3.5", "not a whole number"),
        ("form_score", "6", "out of range"),
        ("heavy_lifting", "2", "not yes/no"),
        ("water_l", "16", "out of range"),
        ("plank_s", "1000", "out of range"),
        ("sitting_h", "25", "out of range"),
        ("sit_reach_cm", "-41", "out of range"),
        ("prior_back_pain", "sometimes", "not yes/no"),
        ("back_pain", "?", "not yes/no"),
        ("pain_score", "12", "out of range"),
        ("pain_days", "-2", "out of range"),
        ("bladder_bowel", "x", "not yes/no"),
    ],
)
def test_every_rejection_reason(write_csv, column, value, problem):
    base = {"client_id": "A", "date": "2026-03-02", "duration_min": "60", "rpe": "6"}
    row = dict(base, **{column: value})
    cols = list(dict.fromkeys([*REQUIRED_COLUMNS, column]))
    text = ",".join(cols) + "\n" + ",".join(base.get(c, "") for c in cols) + "\n" + ",".join(row[c] for c in cols)
    res = load_log(write_csv(text + "\n"))
    assert res.rows_in == 2 and res.n_accepted == 1 and res.n_rejected == 1
    p = res.problems.iloc[0]
    assert (p["row"], p["column"], p["value"]) == (3, column, value)
    assert problem in p["problem"] and "expected" in p["problem"]


def test_all_problems_reported_at_once_and_accounting(write_csv):
    text = (
        f"{HEADER},stretching\n"
        "A,2026-03-02,60,6,yes\n"
        "A,not-a-date,999,6,maybe\n"  # three problems in one row
        "B,2026-03-04,30,4,no\n"
        ",2026-03-05,30,12,no\n"  # two problems
    )
    res = load_log(write_csv(text))
    assert res.rows_in == 4
    assert res.n_accepted + res.n_rejected == res.rows_in
    assert res.n_rejected == 2
    assert sorted(res.problems["row"].tolist()) == [3, 3, 3, 5, 5]
    report = res.problem_report()
    assert "log.csv, row 3, column date: 'not-a-date'" in report


def test_blank_rows_are_noted_not_counted(write_csv):
    res = load_log(write_csv(f"{HEADER}\nA,2026-03-02,60,6\n,,,\nB,2026-03-03,45,4\n\n"))
    assert res.rows_in == 2 and res.n_accepted == 2
    assert list(res.data.index) == [2, 4]
    assert any("blank row" in n for n in res.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("client_id,date,rpe\nA,2026-03-02,5\n", "required column(s) missing: duration_min"),
        (f"{HEADER}\n", "no data rows"),
        ("", "could not be read"),
        (f"{HEADER},RPE\nA,2026-03-02,60,6,6\n", "appears twice"),
    ],
)
def test_file_level_errors(write_csv, text, message):
    with pytest.raises(LogFileError, match=r"log\.csv") as err:
        load_log(write_csv(text))
    assert message in str(err.value)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_repeated_header_is_a_file_error_naming_both_columns(tmp_path, fmt):
    names = [*REQUIRED_COLUMNS, "a", "b", "c", "d", "e", "f", " RPE "]  # rpe in columns D and K
    frame = pd.DataFrame([["A", "2026-03-02", "60", "6", *[""] * 6, "7"]], columns=range(len(names)))
    path = tmp_path / f"log.{fmt}"
    if fmt == "csv":
        path.write_text(",".join(names) + "\n" + ",".join(frame.iloc[0]) + "\n")
    else:
        pd.DataFrame([names, *frame.values.tolist()]).to_excel(path, header=False, index=False)
    with pytest.raises(LogFileError) as err:
        load_log(path)
    message = str(err.value)
    assert message.startswith(f"log.{fmt}: column 'rpe' appears twice")
    assert "columns 4 and 11" in message and "D and K" in message


def test_values_under_no_header_are_a_file_error_naming_the_column(write_csv):
    with pytest.raises(LogFileError, match=r"column\(s\) 3 \(C\) hold values but have no header"):
        load_log(write_csv("client_id,date,,duration_min,rpe\nA,2026-03-02,x,60,6\n"))


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "yes", "no", "1", "0", "2026-03-02", "12:30", "-5", "1e9", "nan", "inf", "=1+1"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-1000, 1000).map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.fixed_dictionaries({c.name: cell for c in COLUMNS}), min_size=1, max_size=8),
    drop=st.sets(st.sampled_from([c.name for c in COLUMNS if c.level != "required"])),
)
def test_garbage_in_clean_report_out(rows, drop):
    """Random cells never raise: accepted + rejected = rows in, every problem names row and column."""
    frame = pd.DataFrame(rows).drop(columns=sorted(drop)).astype(object)
    try:
        res = validate_log(frame, source="fuzz.csv")
    except LogFileError as exc:  # only a file with no non-blank row, or whose date order cannot be told, fails
        assert "no data rows" in str(exc) or "--date-order" in str(exc)
        return
    assert res.n_accepted + res.n_rejected == res.rows_in
    assert set(res.problems["row"]).isdisjoint(res.data.index)
    assert set(res.problems["row"]) | set(res.data.index) <= set(range(2, 2 + len(rows)))
    assert res.problems["column"].isin([c.name for c in COLUMNS]).all()
    assert (res.problems["problem"].str.len() > 0).all()
    # accepted values respect the contract
    for c in COLUMNS:
        v = res.data[c.name].dropna()
        if c.kind in ("number", "integer") and len(v):
            assert v.between(c.min if c.min is not None else -np.inf, c.max if c.max is not None else np.inf).all()


_NUMERIC = [c for c in COLUMNS if c.kind in ("number", "integer")]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.data())
def test_value_checks_agree_with_the_pandera_schema(data):
    """The fast array checks report exactly the cells the pandera schema rejects."""
    import pandera.pandas as pa

    from backpain_analysis.sessionlog import check_values, session_log_schema

    n = data.draw(st.integers(1, 12))
    cells = st.one_of(st.just(np.nan), st.floats(-50, 1000, allow_nan=False), st.integers(-5, 20).map(float))
    frame = pd.DataFrame({c.name: data.draw(st.lists(cells, min_size=n, max_size=n)) for c in _NUMERIC},
                         index=pd.RangeIndex(2, n + 2, name="row"))
    frame["client_id"] = data.draw(st.lists(st.one_of(st.none(), st.just("C1")), min_size=n, max_size=n))
    fast = {(int(r), c) for r, c in check_values(frame)[["row", "column"]].itertuples(index=False)}
    try:
        session_log_schema().validate(frame, lazy=True)
        slow = set()
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        slow = {(int(r), c) for r, c in cases[["index", "column"]].itertuples(index=False)}
    assert fast == slow
