"""A real spreadsheet program: LibreOffice Calc saves a trainer's workbook as XLSX and as CSV "as shown" in a
German and a US locale, and ``backpain check`` scores every row with the right dates and times; the template's
drop-downs and number ranges survive a LibreOffice round trip.

Each test runs ``soffice --headless`` with its own temporary user profile (``-env:UserInstallation``), whose
locale is set in the profile's ``registrymodifications.xcu``, so that the user's LibreOffice settings neither
affect nor are affected by the tests. Without ``soffice`` (Debian: ``libreoffice-calc-nogui``, which ``.ci/run``
installs) the tests skip.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from backpain_analysis.check import run_check

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (no soffice on PATH): apt-get install libreoffice-calc-nogui "
           "(.ci/run installs it) to run the spreadsheet-program tests",
)

#: Seconds one conversion may take (a fresh profile's first start is the slow one).
TIMEOUT = 180

#: Locale -> (CSV field separator as a character code, LibreOffice language id, date format, time format).
LOCALES = {
    "de-DE": (59, 1031, 14, "hh:mm"),  # 14: the locale's own short date (DD.MM.YYYY in German)
    "en-US": (44, 1033, "m/d/yy", "h:mm AM/PM"),
}

DATES = [dt.datetime(2026, 3, 2, 0, 0) + dt.timedelta(days=i) for i in range(15)]
TIMES = [dt.time(6 + i % 15, (15 * i) % 60) for i in range(15)]

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse">
<value>{locale}</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def profiles(tmp_path_factory) -> dict[str, Path]:
    """A private LibreOffice user profile per locale."""
    out = {}
    for locale in LOCALES:
        root = tmp_path_factory.mktemp(f"lo-profile-{locale}")
        (root / "user").mkdir()
        (root / "user" / "registrymodifications.xcu").write_text(_PROFILE.format(locale=locale), encoding="utf-8")
        out[locale] = root
    return out


def _convert(source: Path, target: str, out_dir: Path, profile: Path) -> Path:
    """``soffice --headless --convert-to target``; the converted file (the test fails with LibreOffice's words)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    extension = target.split(":", 1)[0]
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
               "--nolockcheck", "--convert-to", target, "--outdir", str(out_dir), str(source)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not convert {source.name} to {extension} within {TIMEOUT} s")
    result = out_dir / f"{source.stem}.{extension}"
    if not result.exists():
        pytest.fail(f"LibreOffice did not write {result.name} (exit {done.returncode}): {done.stdout} {done.stderr}")
    return result


def _trainer_workbook(path: Path, date_format: object, time_format: str) -> None:
    """A filled log as a trainer keeps it: real date, time, number and boolean cells, yes/no typed as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws.append(["client_id", "date", "duration_min", "rpe", "start_time", "warmup_min", "stretching", "water_l",
               "back_pain"])
    for i, (day, time) in enumerate(zip(DATES, TIMES, strict=True)):
        ws.append([f"C{i % 4 + 1:02d}", day, 40 + 2 * i, 4 + (i % 5) * 0.5, time, 5 + i % 3, i % 3 == 0,
                   1.5 + i / 10, "yes" if i % 4 == 0 else "no"])
        date_cell, time_cell = ws.cell(row=i + 2, column=2), ws.cell(row=i + 2, column=5)
        if isinstance(date_format, int):
            from openpyxl.styles.numbers import BUILTIN_FORMATS

            date_cell.number_format = BUILTIN_FORMATS[date_format]
        else:
            date_cell.number_format = date_format
        time_cell.number_format = time_format
    wb.save(path)


def _check_scores_every_row(path: Path, out_dir: Path, order: str | None) -> None:
    result = run_check(path, out_dir, progress=False)
    v = result.validation
    assert (v.rows_in, v.n_accepted, v.n_rejected) == (15, 15, 0), v.problem_report()
    assert result.exit_code == 0 and len(result.scores) == 15
    assert v.data["date"].dt.date.tolist() == [d.date() for d in DATES]
    assert v.data["start_time"].tolist() == [t.strftime("%H:%M") for t in TIMES]
    assert v.data["stretching"].tolist() == [i % 3 == 0 for i in range(15)]
    assert v.data["rpe"].tolist() == [4 + (i % 5) * 0.5 for i in range(15)]
    assert v.date_order == order
    scores = pd.read_csv(result.files["scores"], encoding="utf-8-sig")
    assert scores["date"].tolist() == [d.date().isoformat() for d in DATES]
    assert v.notes[0] in result.summary and "date" in v.notes[0]


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_libreoffice_saves_a_workbook_as_xlsx_and_csv_as_shown_and_check_scores_every_row(
        tmp_path, profiles, locale):
    separator, language, date_format, time_format = LOCALES[locale]
    source = tmp_path / f"trainer-{locale}.xlsx"
    _trainer_workbook(source, date_format, time_format)
    profile = profiles[locale]

    # CSV "as shown": separator, text delimiter ", UTF-8 (76), from line 1, no column formats, the locale's
    # language, quoted text not as text, detect special numbers, save cell contents as shown
    csv_filter = f'csv:Text - txt - csv (StarCalc):{separator},34,76,1,,{language},false,true,true'
    shown = _convert(source, csv_filter, tmp_path / "csv", profile)
    text = shown.read_text(encoding="utf-8")
    first = text.splitlines()[1]
    if locale == "de-DE":  # what the trainer's file really holds: day first, ';', decimal commas, WAHR/FALSCH
        assert first.startswith("C01;02.03.2026;40;4;06:00;5;WAHR;1,5;yes"), first
    else:  # month first with a two-digit year, 12-hour times, TRUE/FALSE
        assert first.startswith("C01,3/2/26,40,4,6:00 AM,5,TRUE,1.5,yes"), first
        assert ",1:45 PM," in text  # row 9: 13:45
    _check_scores_every_row(shown, tmp_path / "report-csv", "dmy" if locale == "de-DE" else "mdy")

    saved = _convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "xlsx", profile)
    _check_scores_every_row(saved, tmp_path / "report-xlsx", None)  # date cells: no order needed


def _validations(path: Path) -> dict[str, tuple]:
    """Per first validated cell of the Sessions sheet: (type, operator, formula1, formula2, last row, error)."""
    from openpyxl import load_workbook

    ws = load_workbook(path)["Sessions"]
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            operator = None if dv.type == "list" else (dv.operator or "between")
            formula2 = dv.formula2 if operator in ("between", "notBetween") else None
            out[rng.coord.split(":")[0]] = (dv.type, operator, dv.formula1, formula2, rng.max_row, dv.error)
    return out


def test_the_templates_drop_downs_and_number_ranges_survive_a_libreoffice_round_trip(tmp_path, profiles):
    from backpain_analysis.sessionlog.template import write_template

    (template,) = write_template(tmp_path / "template.xlsx")
    saved = _convert(template, "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved", profiles["en-US"])
    before, after = _validations(template), _validations(saved)
    assert before and set(after) == set(before)
    for cell, (kind, operator, low, high, last, error) in before.items():
        kind2, operator2, low2, high2, last2, error2 = after[cell]
        assert (kind2, operator2, error2) == (kind, operator, error), cell
        if kind == "list":
            assert low2 == low == '"yes,no"', cell  # the yes/no drop-down
        else:
            assert float(_number(low2)) == float(_number(low)), cell  # number, date and time ranges
            if high is not None:
                assert float(_number(high2)) == float(_number(high)), cell
        # LibreOffice 7.4 keeps each validation on the first 1,000 data rows (rows 2-1001) of the 5,000 written
        assert min(last, 1001) <= last2 <= last, (cell, last, last2)
    # and the saved template still reads as an empty log with its header
    from openpyxl import load_workbook

    header = [c.value for c in load_workbook(saved)["Sessions"][1]]
    assert header[:4] == ["client_id", "date", "duration_min", "rpe"]


def _number(formula: str) -> float:
    """A validation bound as a number: ``10``, ``-1E+300``, or ``DATE(y,m,d)`` as days since 1899-12-30."""
    formula = formula.strip()
    if formula.upper().startswith("DATE("):
        y, m, d = (int(x) for x in formula[5:-1].split(","))
        return (dt.date(y, m, d) - dt.date(1899, 12, 30)).days
    return float(formula)
