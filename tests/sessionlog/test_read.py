"""Reading CSV and XLSX files: separators, encodings, quoted line breaks, ragged rows, file-level errors."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpain_analysis.sessionlog import (
    COLUMNS,
    EXTRA_VALUES,
    REQUIRED_COLUMNS,
    LogFileError,
    column,
    load_log,
    read_log,
)

HEADER = "client_id,date,duration_min,rpe"


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(LogFileError, match="no such file"):
        load_log(tmp_path / "nope.csv")
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(LogFileError, match="unsupported file type"):
        load_log(tmp_path / "x.pdf")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(LogFileError, match="could not be opened as an Excel workbook"):
        load_log(tmp_path / "bad.xlsx")


def test_excel_locale_csv_semicolon_decimal_comma_latin1_bom(write_csv):
    text = "client_id;date;duration_min;rpe;water_l;stretching\nJosé;2026-03-02;60;6,5;1,5;Yes\n"
    for enc in ("utf-8-sig", "latin-1"):
        res = load_log(write_csv(text, encoding=enc))
        assert res.ok, res.problem_report()
        assert res.data["rpe"].iloc[0] == 6.5 and res.data["water_l"].iloc[0] == 1.5
        assert res.data["client_id"].iloc[0] == "José"
        assert bool(res.data["stretching"].iloc[0]) is True


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("header_too", [False, True])
def test_a_trailing_separator_on_every_row_is_harmless(write_csv, sep, header_too):
    header = sep.join([*REQUIRED_COLUMNS, "stretching"]) + (sep if header_too else "")
    rows = [["A", "2026-03-02", "60", "6", "yes"], ["B", "2026-03-03", "45", "4", "no"]]
    res = load_log(write_csv(header + "\n" + "".join(sep.join(r) + sep + "\n" for r in rows)))
    assert res.ok and res.rows_in == 2, res.problem_report()
    assert res.data["client_id"].tolist() == ["A", "B"]  # no column shift
    assert res.data["duration_min"].tolist() == [60, 45] and res.data["rpe"].tolist() == [6, 4]
    assert res.data["stretching"].tolist() == [True, False]
    assert EXTRA_VALUES not in res.data.columns


def test_a_row_with_extra_values_is_rejected_alone_without_a_shift(write_csv):
    # an unquoted decimal comma in a comma file, on the first data row
    path = write_csv(f"{HEADER}\nA,2026-03-02,60,6,5\nB,2026-03-03,45,4\n")
    raw, _ = read_log(path)
    assert list(raw.columns) == [*REQUIRED_COLUMNS, EXTRA_VALUES]
    assert raw.loc[2, "client_id"] == "A" and raw.loc[2, EXTRA_VALUES] == "5"
    res = load_log(path)
    assert (res.rows_in, res.n_accepted, res.n_rejected) == (2, 1, 1)
    assert res.data["client_id"].tolist() == ["B"] and res.data["duration_min"].tolist() == [45]
    assert res.problems[["row", "column", "value"]].values.tolist() == [[2, EXTRA_VALUES, "5"]]
    problem = res.problems["problem"].iloc[0]
    assert "more values than the header has columns" in problem and "'5'" in problem
    assert "at most 4 values" in problem and "decimal comma" in problem
    assert "log.csv, row 2, column (beyond the header): '5'" in res.problem_report()


def test_a_ragged_row_later_in_the_file_is_rejected_alone(write_csv):
    text = f"{HEADER}\nA,2026-03-02,60,6\nB,2026-03-03,45,4,x,,y,,\nC,2026-03-04,30,3,  ,\nD,2026-03-05,20,2\n"
    res = load_log(write_csv(text))
    assert (res.rows_in, res.n_accepted, res.n_rejected) == (4, 3, 1)
    assert res.data.index.tolist() == [2, 4, 5] and res.data["client_id"].tolist() == ["A", "C", "D"]
    assert res.data["rpe"].tolist() == [6, 3, 2]
    # the extra values are named as written, blank trailing ones left out
    assert res.problems[["row", "column", "value"]].values.tolist() == [[3, EXTRA_VALUES, "x,,y"]]


def test_a_row_with_fewer_values_than_the_header_has_blanks_for_the_rest(write_csv):
    res = load_log(write_csv(f"{HEADER},stretching\nA,2026-03-02,60,6\nB,2026-03-03,45\n"))
    assert res.data.index.tolist() == [2] and res.data["stretching"].isna().all()
    assert res.problems[["row", "column", "value"]].values.tolist() == [[3, "rpe", ""]]


def test_a_row_with_only_extra_values_is_not_a_blank_row(write_csv):
    res = load_log(write_csv(f"{HEADER}\nA,2026-03-02,60,6\n,,,,lost?\n"))
    assert (res.rows_in, res.n_rejected) == (2, 1)
    assert EXTRA_VALUES in res.problems["column"].tolist() and set(res.problems["row"]) == {3}


def test_row_numbers_are_file_lines_when_a_quoted_value_holds_line_breaks(write_csv):
    text = (
        f"{HEADER},notes\n"
        'A,2026-03-02,60,6,"felt fine\nthen tired\r\nthen fine"\n'  # lines 2-4
        "B,2026-03-03,45,44,ok\n"  # line 5
        'C,2026-03-04,30,3,"a, b",extra\n'  # line 6: a ragged row too (the slow path)
        "D,2026-03-05,30,3\n"
    )
    for name, body in (("fast.csv", text.replace(',extra\n', '\n')), ("slow.csv", text)):
        res = load_log(write_csv(body, name=name))
        assert res.data.loc[2, "notes"] == "felt fine\nthen tired\r\nthen fine"
        assert res.rows_in == 4 and res.n_accepted + res.n_rejected == 4
        assert res.problems.loc[res.problems["column"] == "rpe", "row"].tolist() == [5]
        assert set(res.data.index) == ({2, 7} if name == "slow.csv" else {2, 6, 7})
    assert res.problems.loc[res.problems["column"] == EXTRA_VALUES, ["row", "value"]].values.tolist() == [
        [6, "extra"]
    ]


def test_an_unclosed_quote_is_a_file_error_naming_its_row(write_csv):
    with pytest.raises(LogFileError, match=r'log\.csv: .*quote \(\"\) opened on row 3 is never closed'):
        load_log(write_csv(f'{HEADER}\nA,2026-03-02,60,6\nB,"2026-03-03,45,4\nC,2026-03-04,30,3\n'))


def test_utf16_tab_separated_unicode_text_with_decimal_commas(write_csv):
    text = "".join("\t".join(r) + "\r\n" for r in (
        [*REQUIRED_COLUMNS, "water_l"], ["José", "2026-03-02", "60", "6,5", "1.5"],
        ["Zoë", "2026-03-03", "45", "4", "2"],
    ))
    for encoding in ("utf-16", "utf-16-be", "utf-8"):
        body = text.encode(encoding)
        if encoding == "utf-16-be":
            body = b"\xfe\xff" + body  # the big-endian BOM
        path = write_csv("", name=f"unicode-{encoding}.txt")
        path.write_bytes(body)
        res = load_log(path)
        assert res.ok and res.rows_in == 2, res.problem_report()
        assert res.data["client_id"].tolist() == ["José", "Zoë"]
        assert res.data["rpe"].tolist() == [6.5, 4] and res.data["water_l"].tolist() == [1.5, 2]


def test_a_comma_file_does_not_read_decimal_commas(write_csv):
    res = load_log(write_csv(f'{HEADER}\nA,2026-03-02,60,"6,5"\n'))
    assert res.problems[["row", "column", "value"]].values.tolist() == [[2, "rpe", "6,5"]]


def test_excel_missing_columns_message_names_the_sheet_read(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"Read me": ["the log is on the next sheet"]}).to_excel(book, sheet_name="Intro", index=False)
        pd.DataFrame({"client_id": ["A"], "date": ["2026-03-02"], "rpe": [6]}).to_excel(
            book, sheet_name="Log", index=False)
    with pytest.raises(LogFileError) as err:
        load_log(path)
    assert re.search(r"^book\.xlsx: required column\(s\) missing in sheet 'Intro' \(the first sheet.*'Log'.*--sheet",
                     str(err.value))


_SEPARATORS = (",", ";", "\t")


_OPTIONAL = [c.name for c in COLUMNS if c.level != "required"]


_file_cell = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=10),
    st.sampled_from(["", " ", "6,5", "6.5", '"', 'a"b', "x\ny", "two\r\nlines", "\r", ",", ";", "\t", "=1+1"]),
    st.integers(-1000, 1000).map(str),
)


def _quote(value: str, sep: str) -> str:
    """A cell as a CSV writer writes it: quoted only when it must be."""
    if any(ch in value for ch in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _line_breaks(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


@st.composite
def _csv_logs(draw):
    """A CSV session log as text, with what each written record holds and the line it starts on."""
    sep = draw(st.sampled_from(_SEPARATORS))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    names = [*REQUIRED_COLUMNS, *draw(st.lists(st.sampled_from(_OPTIONAL), unique=True, max_size=4))]
    text = sep.join(names) + sep * draw(st.integers(0, 2)) + end
    records = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 5)) == 0:  # a blank line
            records.append({"line": _line_breaks(text) + 1, "cells": [], "extra": []})
            text += end
            continue
        good = draw(st.booleans())  # a plausible row, or garbage in every cell
        cells = [column(n).example if good and draw(st.integers(0, 4)) else draw(_file_cell) for n in names]
        cells = cells[: draw(st.integers(1, len(cells)))] if draw(st.integers(0, 5)) == 0 else cells  # a short row
        extra = []
        if len(cells) == len(names):  # values past the header, then trailing separators
            extra = draw(st.lists(_file_cell, max_size=3)) if draw(st.integers(0, 3)) == 0 else []
            extra += [""] * draw(st.integers(0, 2))
        records.append({"line": _line_breaks(text) + 1, "cells": cells, "extra": extra})
        text += sep.join(_quote(v, sep) for v in cells + extra) + end
    return sep, names, text, records


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(log=_csv_logs())
def test_garbage_files_read_through_load_log_keep_every_row_accounted(tmp_path_factory, log):
    """Random cells, separators, extra and trailing fields, blank lines: every written row is accounted for."""
    sep, names, text, records = log
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.csv"
    path.write_bytes(text.encode("utf-8"))

    def blank(values: list[str]) -> bool:
        return all(not v.strip() for v in values)

    filled = [r for r in records if not blank(r["cells"] + r["extra"])]
    try:
        res = load_log(path)
    except LogFileError as exc:  # only a file whose every row is blank, or whose date order cannot be told, fails
        assert ("no data rows" in str(exc) and not filled) or "--date-order" in str(exc), str(exc)
        return
    lines = {r["line"]: r for r in filled}
    assert res.rows_in == len(filled)
    assert res.n_accepted + res.n_rejected == res.rows_in
    rejected = set(res.problems["row"])
    assert rejected.isdisjoint(res.data.index)
    assert rejected | set(res.data.index) == set(lines)  # every row number is the line the row starts on
    assert res.problems["column"].isin([*names, EXTRA_VALUES]).all()
    for p in res.problems.itertuples(index=False):
        written = lines[p.row]
        if p.column == EXTRA_VALUES:
            shown = written["extra"][: max(i + 1 for i, v in enumerate(written["extra"]) if v.strip())]
            assert p.value == sep.join(shown)
        else:  # a cell-level problem shows the cell as written
            i = names.index(p.column)
            assert p.value == (written["cells"][i] if i < len(written["cells"]) else "")
    # a row with values past the header is always rejected
    assert {n for n, r in lines.items() if not blank(r["extra"])} <= rejected
    for r in filled:  # accepted rows are read as written, in the right columns
        if r["line"] in res.data.index and len(r["cells"]) == len(names):
            assert res.data.loc[r["line"], "client_id"] == r["cells"][0].strip()
