"""The trainer template: sheets, Excel validation, and the round trip template -> filled -> check."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from backpain_analysis.check import run_check
from backpain_analysis.sessionlog import COLUMNS, load_log
from backpain_analysis.sessionlog.template import instructions_table, write_template


def test_xlsx_template_sheets_and_validation(tmp_path):
    path = write_template(tmp_path / "clients.xlsx")[0]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Sessions", "Instructions", "Example"]
    headers = [c.value for c in wb["Sessions"][1]]
    assert headers == [c.name for c in COLUMNS]
    rules = {str(dv.sqref).split(":")[0][:-1]: dv for dv in wb["Sessions"].data_validations.dataValidation}
    letter = {c.name: chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26) for i, c in enumerate(COLUMNS)}
    assert rules[letter["stretching"]].type == "list" and rules[letter["stretching"]].formula1 == '"yes,no"'
    rpe = rules[letter["rpe"]]
    assert rpe.type == "decimal" and (rpe.formula1, rpe.formula2) == ("0", "10")
    assert rules[letter["form_score"]].type == "whole"
    assert rules[letter["date"]].type == "date"
    days = rules[letter["pain_days"]]  # no upper limit: at least 0
    assert days.type == "decimal" and days.operator == "greaterThanOrEqual" and days.formula1 == "0"
    # every number column gets a number rule, never a text-length one
    assert all(rules[letter[c.name]].type in ("decimal", "whole") for c in COLUMNS if c.kind in ("number", "integer"))
    # every column is explained, with the cause it relates to
    text = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row if c.value)
    for col in COLUMNS:
        assert col.name in text
    assert "Lack of warm-up" in text and "red flags" in text
    # an empty template is an empty log (no phantom rows from formatting)
    with pytest.raises(Exception, match="no data rows"):
        load_log(path)
    with pytest.raises(FileExistsError):
        write_template(path)


def test_xlsx_round_trip_filled_like_a_trainer(tmp_path):
    path = write_template(tmp_path / "clients.xlsx")[0]
    wb = load_workbook(path)
    ws = wb["Sessions"]
    col = {c.name: i + 1 for i, c in enumerate(COLUMNS)}
    start = dt.datetime(2026, 3, 2)
    r = 2
    for client in ("Anna", "Ben"):
        for day in range(0, 35, 2):
            ws.cell(r, col["client_id"], client)
            ws.cell(r, col["date"], start + dt.timedelta(days=day))  # an Excel date cell
            ws.cell(r, col["duration_min"], 60)
            ws.cell(r, col["rpe"], 6 if day < 28 else 9)
            ws.cell(r, col["start_time"], dt.time(7, 30) if client == "Anna" else "18:00")
            ws.cell(r, col["warmup_min"], 5 if client == "Anna" else 15)
            ws.cell(r, col["stretching"], "yes")
            ws.cell(r, col["back_pain"], "no" if day % 6 else "yes")
            r += 1
    ws.cell(2, col["plank_s"], 45)
    ws.cell(2, col["prior_back_pain"], "no")
    wb.save(path)
    result = run_check(path, tmp_path / "report", progress=False)
    assert result.exit_code == 0
    assert result.validation.rows_in == r - 2 == len(result.scores)
    assert set(result.scores["client_id"]) == {"Anna", "Ben"}
    assert (tmp_path / "report" / "report.html").exists()


def test_csv_template_round_trip(tmp_path):
    log, instructions, example = write_template(tmp_path / "clients.csv")
    assert pd.read_csv(log).columns.tolist() == [c.name for c in COLUMNS]
    assert len(pd.read_csv(instructions)) == len(COLUMNS)
    # the example rows are themselves a valid log
    res = load_log(example)
    assert res.ok and res.n_accepted >= 3
    filled = pd.concat([pd.read_csv(log, dtype=str), pd.read_csv(example, dtype=str)])
    filled.to_csv(log, index=False)
    assert run_check(log, tmp_path / "r", progress=False).exit_code == 0


def test_instructions_cover_every_column():
    table = instructions_table()
    assert table["column"].tolist() == [c.name for c in COLUMNS]
    assert (table["what to enter"].str.len() > 5).all()


def test_the_template_carries_the_red_flag_columns_with_their_meaning(tmp_path):
    """Symptom and intake-form columns: headers, colours, drop-downs and ranges, and the Instructions text."""
    from backpain_analysis.sessionlog import column

    path = write_template(tmp_path / "clients.xlsx")[0]
    wb = load_workbook(path)
    ws = wb["Sessions"]
    headers = [c.value for c in ws[1]]
    new = ("bladder_sensation", "sexual_dysfunction", "leg_weakness_severe", "gait_disturbance", "unwell",
           "night_pain", "major_trauma", "birth_year", "history_of_cancer", "weight_loss", "osteoporosis",
           "steroids", "immunosuppressed", "iv_drug_use")
    assert set(new) <= set(headers)
    rules = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    letter = {c.value: c.column_letter for c in ws[1]}
    for name in new:
        dv = rules[letter[name]]
        if column(name).kind == "yesno":
            assert dv.type == "list" and dv.formula1 == '"yes,no"', name
    year = rules[letter["birth_year"]]
    assert year.type == "whole" and year.formula1 == "1900" and int(year.formula2) >= 2026
    # intake columns have their own header colour, distinct from symptoms and client measurements
    fill = {c.value: c.fill.fgColor.rgb for c in ws[1]}
    assert fill["history_of_cancer"] == fill["birth_year"] != fill["numbness"]
    assert fill["history_of_cancer"] not in (fill["plank_s"], fill["client_id"])
    rows = {r[0]: r for r in wb["Instructions"].iter_rows(min_row=6, values_only=True)}
    for name in new:
        assert rows[name][2] == column(name).description
    assert "intake form" in rows["history_of_cancer"][1] and "never the risk estimate" in rows["birth_year"][1]
    assert "red flags" in rows["night_pain"][4]
    intro = " ".join(str(c.value) for c in wb["Instructions"]["A"][:3] if c.value)
    assert "yellow = intake form" in intro
