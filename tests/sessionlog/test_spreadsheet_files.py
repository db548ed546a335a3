"""Files as trainers' own spreadsheets write them: local date orders, 12-hour times, padded text, booleans,
Windows-1252, workbook sheets, blank formatted rows; the date order settled once per file and stated."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backpain_analysis.check import run_check
from backpain_analysis.cli import main
from backpain_analysis.sessionlog import LogFileError, load_log, read_log, validate_log
from backpain_analysis.sessionlog.parse import date_evidence, parse_date, parse_time, parse_yesno

#: 15 sessions from 2 to 16 March 2026, so that days 13-16 tell day-first from month-first.
DATES = [dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(15)]
TIMES = [dt.time(7 + i % 12, 30 if i % 2 else 45) for i in range(15)]


def _rows(date: callable, time: callable, *, sep: str, decimal: str = ".", yes: str = "yes", no: str = "no",
          notes: str | None = None) -> str:
    header = ["client_id", "date", "duration_min", "rpe", "start_time", "stretching", "water_l"]
    lines = [sep.join(header + (["notes"] if notes else []))]
    for i, (d, t) in enumerate(zip(DATES, TIMES, strict=True)):
        cells = [f"C{i % 3 + 1:02d}", date(d), str(45 + i), f"{5 + (i % 4) * 0.5:g}".replace(".", decimal),
                 time(t), yes if i % 2 == 0 else no, f"{1.5 + i / 10:.1f}".replace(".", decimal)]
        lines.append(sep.join(cells + ([notes] if notes else [])))
    return "\r\n".join(lines) + "\r\n"


def _twelve_hour(t: dt.time) -> str:
    return f"{t.hour % 12 or 12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def _assert_read_right(res, order: str) -> None:
    assert (res.rows_in, res.n_accepted, res.n_rejected) == (15, 15, 0), res.problem_report()
    assert res.data["date"].dt.date.tolist() == DATES
    assert res.data["start_time"].tolist() == [t.strftime("%H:%M") for t in TIMES]
    assert res.data["stretching"].tolist() == [i % 2 == 0 for i in range(15)]
    assert res.data["rpe"].tolist() == [5 + (i % 4) * 0.5 for i in range(15)]
    assert res.date_order == order
    assert order in res.notes[0] and order in res.summary()


# --------------------------------------------------------------------------- the formats of the issue


LOCAL_FILES = {
    # name: (text, encoding, order)
    "german_excel": (_rows(lambda d: d.strftime("%d.%m.%Y"), lambda t: t.strftime("%H:%M"), sep=";",
                           decimal=",", yes="WAHR", no="FALSCH"), "cp1252", "dmy"),
    "french_cp1252": (_rows(lambda d: d.strftime("%d/%m/%Y"), lambda t: t.strftime("%H:%M"), sep=";",
                            decimal=",", notes="cœur à l’été, 5 € – ok"), "cp1252", "dmy"),
    "uk": (_rows(lambda d: d.strftime("%d/%m/%Y"), lambda t: t.strftime("%H:%M"), sep=",", yes="TRUE",
                 no="FALSE"), "utf-8-sig", "dmy"),
    "us": (_rows(lambda d: f"{d.month}/{d.day}/{d.year}", _twelve_hour, sep=",", yes="TRUE", no="FALSE"),
           "utf-8", "mdy"),
    "libreoffice_german_default": (_rows(lambda d: d.strftime("%d.%m.%y"), lambda t: t.strftime("%H:%M:%S"),
                                         sep=";", decimal=","), "utf-8", "dmy"),
    "dashes_no_leading_zeros": (_rows(lambda d: f"{d.day}-{d.month}-{d.year}", lambda t: f"{t.hour}:{t.minute:02d}",
                                      sep=","), "latin-1", "dmy"),
    "iso_slashes": (_rows(lambda d: d.strftime("%Y/%m/%d"), lambda t: _twelve_hour(t).replace(" ", "").lower(),
                          sep="\t"), "utf-16", "ymd"),
}


@pytest.mark.parametrize("name", sorted(LOCAL_FILES))
def test_a_local_spreadsheet_csv_is_read_with_the_right_dates_and_times(write_csv, name):
    text, encoding, order = LOCAL_FILES[name]
    res = load_log(write_csv(text, name=f"{name}.csv", encoding=encoding))
    _assert_read_right(res, order)
    if name == "french_cp1252":
        assert res.data["notes"].iloc[0] == "cœur à l’été, 5 € – ok"
    if name == "libreoffice_german_default":
        assert any("15 date(s) written with a two-digit year were read as 20YY" in n and "2026-03-02" in n
                   for n in res.notes)


def test_the_check_states_the_date_order_in_its_summary_and_report(write_csv, tmp_path):
    text, encoding, _ = LOCAL_FILES["us"]
    result = run_check(write_csv(text, encoding=encoding), tmp_path / "out", progress=False)
    assert len(result.scores) == 15 and result.exit_code == 0
    assert "dates read month first (mdy" in result.summary
    html = result.files["report"].read_text(encoding="utf-8")
    assert "dates read month first (mdy" in html
    scores = pd.read_csv(result.files["scores"], encoding="utf-8-sig")
    assert scores["date"].tolist() == [d.isoformat() for d in DATES]


# --------------------------------------------------------------------------- one order per file


def test_a_file_whose_every_date_reads_both_ways_is_refused_naming_the_option(write_csv):
    path = write_csv("client_id,date,duration_min,rpe\nA,09/03/2026,60,6\nB,2026-03-10,45,4\nC,03/03/2026,30,3\n")
    with pytest.raises(LogFileError) as err:
        load_log(path)
    message = str(err.value)
    assert message.startswith("log.csv: every date in the file can be read day first or month first")
    assert "'09/03/2026': 9 March 2026 or 3 September 2026" in message
    assert "--date-order dmy|mdy|ymd" in message
    for order, day in (("dmy", dt.date(2026, 3, 9)), ("mdy", dt.date(2026, 9, 3))):
        res = load_log(path, date_order=order)
        assert res.ok and res.data["date"].dt.date.tolist() == [day, dt.date(2026, 3, 10), dt.date(2026, 3, 3)]
        assert res.date_order == order and "as given by --date-order" in res.notes[0]


def test_a_date_contradicting_the_files_order_rejects_its_row_naming_the_order(write_csv):
    text = ("client_id,date,duration_min,rpe\n"
            "A,15/03/2026,60,6\nA,16/03/2026,60,6\nA,09/03/2026,60,6\nB,03/17/2026,45,4\nB,31/02/2026,45,4\n")
    res = load_log(write_csv(text))
    assert (res.rows_in, res.n_accepted, res.n_rejected) == (5, 3, 2)
    assert res.date_order == "dmy"
    assert res.data["date"].dt.date.tolist() == [dt.date(2026, 3, 15), dt.date(2026, 3, 16), dt.date(2026, 3, 9)]
    problems = dict(zip(res.problems["row"], res.problems["problem"], strict=True))
    assert problems[5].startswith("reads only month first, as 2026-03-17, but this file's dates are day first (dmy")
    assert problems[6].startswith("not a date")
    assert "1 row(s) whose date reads only the other way are rejected" in res.notes[0]


def test_as_many_dates_one_way_as_the_other_is_a_file_error(write_csv):
    with pytest.raises(LogFileError, match=r"disagree on their order.*'15/03/2026'.*'03/16/2026'.*--date-order"):
        load_log(write_csv("client_id,date,duration_min,rpe\nA,15/03/2026,60,6\nB,03/16/2026,45,4\n"))


def test_date_order_ymd_accepts_year_first_dates_only(write_csv):
    path = write_csv("client_id,date,duration_min,rpe\nA,2026-03-09,60,6\nB,15.03.2026,45,4\nC,26-03-10,45,4\n")
    res = load_log(path, date_order="YMD")
    assert res.date_order == "ymd" and res.data["date"].dt.date.tolist() == [dt.date(2026, 3, 9),
                                                                              dt.date(2026, 3, 10)]
    assert res.problems["problem"].iloc[0].startswith("reads only day first, as 2026-03-15, but this file's dates "
                                                      "are year first (ymd")
    with pytest.raises(ValueError, match="date_order must be one of dmy, mdy, ymd"):
        load_log(path, date_order="dym")


def test_excel_date_cells_need_no_order_and_say_so(tmp_path):
    path = tmp_path / "log.xlsx"
    pd.DataFrame({"client_id": ["A", "B"], "date": [dt.datetime(2026, 3, 9, 18, 30), dt.datetime(2026, 3, 10)],
                  "duration_min": [60, 45], "rpe": [6, 4]}).to_excel(path, index=False)
    res = load_log(path)
    assert res.ok and res.date_order is None and "date cells (no date order needed)" in res.notes[0]
    assert res.data["date"].dt.date.tolist() == [dt.date(2026, 3, 9), dt.date(2026, 3, 10)]


def test_date_evidence_counts_rows_not_distinct_values():
    cells = pd.Series(["15.03.2026"] * 3 + ["03/16/2026", "09.03.2026", "2026-03-09", ""], dtype="string")
    from backpain_analysis.sessionlog.parse import distinct_values

    for distinct in (None, distinct_values(cells)):
        ev = date_evidence(cells, distinct=distinct)
        assert (ev.day_first, ev.month_first, ev.ambiguous, ev.year_first) == (3, 1, 1, 1)
        assert ev.examples == {"day_first": "15.03.2026", "month_first": "03/16/2026", "ambiguous": "09.03.2026"}


def test_parse_date_forms():
    cells = pd.Series(["2026-03-09", "2026/3/9", "2026.03.09", "9.3.2026", " 09.03.2026\u00a0", "09-03-2026",
                       "9/3/26", "09.03.2026 18:30", "2026-03-09T07:30:00", "9.3-2026", "9.3.226", "1/2/3"],
                      dtype="string")
    got = parse_date(cells, order="dmy").dt.strftime("%Y-%m-%d").tolist()
    assert got[:9] == ["2026-03-09"] * 9
    assert pd.isna(got[9:]).all()  # mixed separators, a three-digit or one-digit year


# --------------------------------------------------------------------------- times, text, booleans


def test_times_as_spreadsheets_write_them():
    text = pd.Series(["07:30", "7:30", "07:30:00", "7:30 AM", "7:30am", "1:45 PM", "1:45pm", "1:45 p.m.",
                      "12:05 AM", "12:05 PM", "\u00a07:30\u202fAM ", "2026-03-09 07:30:00", "09.03.2026 13:45",
                      "13:45 PM", "0:30 AM", "24:00", "7:60", "7pm", "7.30"], dtype="string")
    assert parse_time(text).tolist() == [
        "07:30", "07:30", "07:30", "07:30", "07:30", "13:45", "13:45", "13:45", "00:05", "12:05", "07:30",
        "07:30", "13:45", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]
    cells = pd.Series([dt.time(7, 30), dt.datetime(1899, 12, 30, 13, 45), dt.datetime(2026, 3, 9, 6, 5),
                       dt.timedelta(hours=18, minutes=15), "1:45 PM", 0.5, True, None], dtype=object)
    assert parse_time(cells).tolist() == ["07:30", "13:45", "06:05", "18:15", "13:45", pd.NA, pd.NA, pd.NA]


def test_padded_text_and_boolean_cells(write_csv):
    nbsp = "\u00a0"
    text = (f" client_id ,date{nbsp},duration_min,rpe,stretching,heavy_lifting\n"
            f"{nbsp}C01 , 2026-03-09{nbsp},{nbsp}60{nbsp}, 6 ,{nbsp}TRUE ,False\n"
            f"C02,2026-03-10,45,4,wahr,FALSCH\n")
    res = load_log(write_csv(text))
    assert res.ok, res.problem_report()
    assert res.data["client_id"].tolist() == ["C01", "C02"]
    assert res.data["duration_min"].tolist() == [60, 45]
    assert res.data["stretching"].tolist() == [True, True] and res.data["heavy_lifting"].tolist() == [False, False]
    assert parse_yesno(pd.Series([True, False, "TRUE", "VRAI", "faux", 1, None], dtype=object)).tolist() == [
        True, False, True, True, False, True, pd.NA]


# --------------------------------------------------------------------------- encodings


def test_windows_1252_latin_1_and_utf16_without_bom(write_csv):
    base = "client_id;date;duration_min;rpe;notes\nJosé;2026-03-09;60;6,5;{}\n"
    for notes, encoding in (("cœur l’été 5 €", "cp1252"),
                            ("«café» ±5", "latin-1"),  # no byte in 0x80-0x9F: read as Windows-1252, the same text
                            ("ctrl\x81x", "latin-1"),  # 0x81 is undefined in Windows-1252: read as Latin-1
                            ("naïve", "utf-8"), ("naïve", "utf-8-sig"),
                            ("Zoë", "utf-16-le"), ("Zoë", "utf-16-be")):  # UTF-16 without a BOM
        path = write_csv(base.format(notes), encoding=encoding)
        res = load_log(path)
        assert res.ok, (encoding, res.problem_report())
        assert res.data["client_id"].iloc[0] == "José" and res.data["notes"].iloc[0] == notes, encoding
        assert res.data["rpe"].iloc[0] == 6.5


# --------------------------------------------------------------------------- workbooks


def _book(path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path) as book:
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name, index=False)


LOG = pd.DataFrame({"client_id": ["A", "B"], "date": ["2026-03-09", "2026-03-10"], "duration_min": [60, 45],
                    "rpe": [6, 4]})


def test_workbook_sheet_named_sessions_in_any_case_else_the_first_with_the_headers(tmp_path):
    intro = pd.DataFrame({"Read me": ["the log is on another sheet"]})
    other = LOG.assign(client_id=["X", "Y"])
    _book(tmp_path / "a.xlsx", {"Intro": intro, "Old": other, "SESSIONS ": LOG})
    res = load_log(tmp_path / "a.xlsx")
    assert res.data["client_id"].tolist() == ["A", "B"] and "read sheet 'SESSIONS '" in " ".join(res.notes)
    _book(tmp_path / "b.xlsx", {"Intro": intro, "Log 2026": LOG, "Old": other})
    res = load_log(tmp_path / "b.xlsx")
    assert res.data["client_id"].tolist() == ["A", "B"]
    assert any("read sheet 'Log 2026' (the first sheet whose first row has the required columns" in n
               for n in res.notes)
    res = load_log(tmp_path / "b.xlsx", sheet="old")
    assert res.data["client_id"].tolist() == ["X", "Y"] and any("chosen with --sheet" in n for n in res.notes)
    with pytest.raises(LogFileError, match=r"b\.xlsx: has no sheet named 'Nope' \(--sheet\); its sheets: 'Intro'"):
        load_log(tmp_path / "b.xlsx", sheet="Nope")
    (tmp_path / "x.csv").write_text("client_id,date,duration_min,rpe\n")
    with pytest.raises(LogFileError, match=r"x\.csv: a text file has no sheets; --sheet"):
        read_log(tmp_path / "x.csv", sheet="Log")


def test_blank_formatted_rows_are_skipped_and_counted_not_rejected(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws.append(["client_id", "date", "duration_min", "rpe", "stretching"])
    ws.append(["A", dt.datetime(2026, 3, 9), 60, 6, True])
    ws.append([None, None, None, None, None])
    ws.append(["B", dt.datetime(2026, 3, 10), 45, 4, False])
    for r in range(5, 40):  # a template's formatted area: styled cells, some holding spaces
        for c in range(1, 6):
            cell = ws.cell(row=r, column=c, value=" " if r % 7 == 0 else None)
            cell.fill = PatternFill("solid", fgColor="FFE0B2")
            cell.number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "log.xlsx")
    res = load_log(tmp_path / "log.xlsx")
    assert (res.rows_in, res.n_accepted, res.n_rejected) == (2, 2, 0)
    assert res.data["stretching"].tolist() == [True, False]
    # rows 36-39 hold no value at all (only a style): the workbook reader never sees them
    assert [n for n in res.notes if "blank row" in n] == ["32 blank row(s) skipped, every cell empty (rows 3, 5-35)"]


def test_validate_log_on_a_frame_takes_the_date_order():
    frame = pd.DataFrame({"client_id": ["A"], "date": ["9/3/2026"], "duration_min": [60], "rpe": [6]})
    assert validate_log(frame, date_order="mdy").data["date"].dt.date.tolist() == [dt.date(2026, 9, 3)]


# --------------------------------------------------------------------------- the command line


def test_cli_date_order_and_sheet_options(write_csv, tmp_path, capsys):
    path = write_csv("client_id,date,duration_min,rpe\nA,09/03/2026,60,6\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "backpain validate: error: log.csv: every date in the file can be read" in err and "--date-order" in err
    assert "Traceback" not in err
    assert main(["validate", str(path), "--date-order", "dmy"]) == 0
    assert "dates read day first (dmy" in capsys.readouterr().out
    assert main(["check", str(path), "--out", str(tmp_path / "r"), "--no-progress", "--date-order", "mdy"]) == 0
    assert "dates read month first (mdy" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(path), "--date-order", "xyz"])
    assert exit_.value.code == 2 and "invalid choice: 'xyz'" in capsys.readouterr().err
    assert main(["validate", str(path), "--sheet", "Log"]) == 2
    assert "has no sheets" in capsys.readouterr().err
    book = tmp_path / "b.xlsx"
    _book(book, {"Intro": pd.DataFrame({"x": [1]}), "Log": LOG})
    assert main(["fit", str(book), "--sheet", "Intro", "--bootstrap", "0"]) == 2
    assert "required column(s) missing in sheet 'Intro' (chosen with --sheet" in capsys.readouterr().err
