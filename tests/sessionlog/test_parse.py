"""Parsing cells into typed values: yes/no spellings, dates, times and numbers, from text and Excel cells."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backpain_analysis.sessionlog import COLUMNS, column, load_log
from backpain_analysis.sessionlog.parse import (
    PARSE_PROBLEMS,
    parse_cells,
    parse_date,
    parse_number,
    parse_time,
    parse_yesno,
)

HEADER = "client_id,date,duration_min,rpe"


@pytest.mark.parametrize("token", ["yes", "Y", "TRUE", "1", "no", "n", "False", "0"])
def test_yes_no_spellings(write_csv, token):
    res = load_log(write_csv(f"{HEADER},stretching\nA,2026-03-02,60,6,{token}\n"))
    assert res.ok
    assert bool(res.data["stretching"].iloc[0]) is (token.lower() in {"yes", "y", "true", "1"})


def test_excel_workbook_with_date_and_time_cells(tmp_path):
    path = tmp_path / "clients.xlsx"
    frame = pd.DataFrame({
        "Client_ID": [101, 102],
        "Date": [dt.datetime(2026, 3, 2), dt.datetime(2026, 3, 3)],
        "duration_min": [60, 45],
        "rpe": [6, 4],
        "start_time": [dt.time(7, 30), "18:00"],
    })
    frame.to_excel(path, index=False, sheet_name="Sessions")
    res = load_log(path)
    assert res.ok, res.problem_report()
    assert res.data["client_id"].tolist() == ["101", "102"]
    assert res.data["start_time"].tolist() == ["07:30", "18:00"]
    assert res.data["date"].dt.day.tolist() == [2, 3]


# --------------------------------------------------------------------------- each parser on its own


def test_parse_date_reads_iso_text_and_excel_date_cells_only():
    cells = pd.Series(["2026-03-02", " 2026-03-03 ", "02/03/2026", "2026-02-30", "", None,
                       dt.datetime(2026, 3, 4, 18, 30), dt.date(2026, 3, 5)], dtype=object)
    parsed = parse_date(cells)
    assert parsed.dtype == "datetime64[ns]"
    assert parsed.dt.strftime("%Y-%m-%d").tolist()[:2] == ["2026-03-02", "2026-03-03"]
    assert parsed.iloc[2:6].isna().all()
    assert parsed.iloc[6:].tolist() == [pd.Timestamp("2026-03-04"), pd.Timestamp("2026-03-05")]


def test_parse_time_reads_24_hour_text_and_excel_time_cells():
    cells = pd.Series(["7:05", "18:30:15", "24:00", "12:60", "7pm", "", dt.time(6, 45),
                       dt.datetime(2026, 3, 2, 19, 0)], dtype=object)
    assert parse_time(cells).tolist() == ["07:05", "18:30", pd.NA, pd.NA, pd.NA, pd.NA, "06:45", "19:00"]


def test_parse_number_decimal_mark_and_excel_cells():
    text = pd.Series(["6,5", "6.5", " 7 ", "abc", ""], dtype="string")
    assert parse_number(text, decimal=",").tolist()[:3] == [6.5, 6.5, 7.0]
    assert parse_number(text, decimal=",").iloc[3:].isna().all()
    assert parse_number(text).isna().tolist() == [True, False, False, True, True]
    assert parse_number(pd.Series([True, False])).isna().all()  # a yes/no cell is not a number


def test_parse_cells_picks_the_parser_of_the_column_kind():
    kinds = {c.kind for c in COLUMNS}
    assert kinds - {"text"} == set(PARSE_PROBLEMS)
    assert parse_cells(pd.Series([" C07 ", ""], dtype="string"), column("client_id")).tolist() == ["C07", pd.NA]
    assert parse_cells(pd.Series(["Yes", "f", "maybe"], dtype="string"), column("stretching")).tolist() == [
        True, False, pd.NA]
    assert parse_yesno(pd.Series(["1.0", "0.0"], dtype=object)).tolist() == [True, False]
