"""An empty session log for trainers: headers, instructions, examples, and typo-catching validation.

``backpain template clients.xlsx`` writes a workbook with three sheets:

* **Sessions** - the headers of the contract, ready to fill in, with Excel data
  validation (yes/no drop-downs, number ranges, dates, times) on the first
  5,000 rows so typos are caught while typing;
* **Instructions** - every column: what to measure, unit, accepted values and
  the cause it relates to (read from the contract and the risk-factor registry);
* **Example** - a few filled-in rows (SIMULATED).

For ``.csv`` the same three parts are written as ``clients.csv`` (headers
only), ``clients_instructions.csv`` and ``clients_example.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..factors import RISK_FACTORS
from ..safety import neutralise_frame
from .contract import COLUMNS, Column
from .write import to_file_values

__all__ = ["instructions_table", "example_rows", "write_template", "VALIDATED_ROWS"]

#: Rows of the Sessions sheet that get Excel data validation.
VALIDATED_ROWS = 5000

_LEVEL_TEXT = {
    "required": "required, every session",
    "session": "optional, per session",
    "client": "optional, per client: enter when measured; blank cells carry the last value forward",
    "outcome": "needed to fit your own model; fill in 2 days after the session",
    "symptom": "optional: ask when the client reports back pain (red flags)",
    "intake": "optional, per client, from the intake form (health screen): blank cells carry the last answer "
              "forward; red flags only, never the risk estimate",
}


def _causes(col: Column) -> str:
    names = [f.cause for f in RISK_FACTORS if col.name in f.inputs]
    if col.name in ("duration_min", "rpe"):
        names = [f.cause for f in RISK_FACTORS if "acwr" in f.inputs or "rpe" in f.inputs]
    if col.level == "symptom":
        return "warning signs (red flags) and treatment guidance"
    if col.level == "intake":
        return "warning signs (red flags) in a session with back pain; never the risk estimate"
    if col.name == "back_pain":
        return "the outcome the model estimates"
    return "; ".join(dict.fromkeys(names)) or "-"


def instructions_table() -> pd.DataFrame:
    """Every column of the session log explained for a trainer.

    Returns
    -------
    DataFrame
        ``column``, ``when``, ``what to enter``, ``accepted values``,
        ``relates to`` and ``example``, one row per contract column.
    """
    return pd.DataFrame(
        {
            "column": [c.name for c in COLUMNS],
            "when": [_LEVEL_TEXT[c.level] for c in COLUMNS],
            "what to enter": [c.description for c in COLUMNS],
            "accepted values": [c.expected for c in COLUMNS],
            "relates to": [_causes(c) for c in COLUMNS],
            "example": [c.example for c in COLUMNS],
        }
    )


def example_rows(n: int = 6) -> pd.DataFrame:
    """A few SIMULATED rows as a trainer would type them (from the bundled example generator)."""
    from ..simulate import make_example_clients

    log = make_example_clients()
    first = log.loc[log["client_id"] == log["client_id"].iloc[0]].head(n)
    return to_file_values(first).reset_index(drop=True)


def _excel_validation(ws: object, col_letter: str, col: Column) -> object | None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if col.kind == "yesno":
        dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    elif col.kind in ("number", "integer") and col.min is not None and col.max is not None:
        dv = DataValidation(type="whole" if col.kind == "integer" else "decimal", operator="between",
                            formula1=str(col.min), formula2=str(col.max), allow_blank=True)
    elif col.kind in ("number", "integer") and col.min is not None:
        dv = DataValidation(type="whole" if col.kind == "integer" else "decimal", operator="greaterThanOrEqual",
                            formula1=str(col.min), allow_blank=True)
    elif col.kind in ("number", "integer"):
        dv = DataValidation(type="whole" if col.kind == "integer" else "decimal", operator="between",
                            formula1="-1E+300", formula2="1E+300", allow_blank=True)
    elif col.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                            allow_blank=True)
    elif col.kind == "time":
        dv = DataValidation(type="time", operator="between", formula1="0", formula2="0.999988", allow_blank=True)
    else:
        dv = DataValidation(type="textLength", operator="between", formula1="1", formula2="64", allow_blank=True)
    dv.error = f"{col.name}: expected {col.expected}."
    dv.errorTitle = "Not accepted"
    dv.prompt = f"{col.description}. {col.expected[0].upper()}{col.expected[1:]}."
    dv.promptTitle = col.name
    dv.showErrorMessage = True
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(f"{col_letter}2:{col_letter}{VALIDATED_ROWS + 1}")
    return dv


def write_template(path: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write an empty session log for a trainer to fill in.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` (one workbook with Sessions, Instructions and Example sheets)
        or ``.csv`` (three files: the log, ``*_instructions.csv``, ``*_example.csv``).
    overwrite : bool, default=False
        Replace existing files.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    FileExistsError
        A file exists and ``overwrite`` is false.
    ValueError
        Unsupported extension.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        targets = [path]
    elif suffix == ".csv":
        targets = [path, path.with_name(f"{path.stem}_instructions.csv"), path.with_name(f"{path.stem}_example.csv")]
    else:
        raise ValueError(f"{path.name}: use a .xlsx or .csv file name for the template.")
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{existing[0]} already exists; choose another name or use --force.")
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = [c.name for c in COLUMNS]
    instructions = instructions_table()
    examples = example_rows()
    if suffix == ".csv":
        pd.DataFrame(columns=headers).to_csv(targets[0], index=False, lineterminator="\n")
        neutralise_frame(instructions).to_csv(targets[1], index=False, lineterminator="\n")
        examples.to_csv(targets[2], index=False, lineterminator="\n")
        return targets
    _write_workbook(path, headers, instructions, examples)
    return targets


def _write_workbook(path: Path, headers: list[str], instructions: pd.DataFrame, examples: pd.DataFrame) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Sessions"
    bold = Font(bold=True)
    fills = {"required": "FFE0B2", "session": "E3F2FD", "client": "E8F5E9", "outcome": "F3E5F5", "symptom": "FFEBEE",
             "intake": "FFF9C4"}
    for j, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=col.name)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=fills[col.level])
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(11, len(col.name) + 3)
        _excel_validation(ws, letter, col)
        if col.kind in ("date", "time"):  # a column style: typed dates/times show as ISO / 24 h
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd" if col.kind == "date" else "hh:mm"
    ws.freeze_panes = "B2"

    ins = wb.create_sheet("Instructions")
    ins.append(["How to fill in the Sessions sheet"])
    ins["A1"].font = Font(bold=True, size=14)
    ins.append(["One row per client session. Header colours: orange = required, blue = per session, green = per "
                "client (carried forward), purple = outcome, red = symptoms (warning signs), yellow = intake form "
                "(health screen, carried forward; red flags only, never the risk estimate). Leave a cell blank "
                "when not recorded: blank is never read as zero or no. Then run: backpain check <this file> "
                "--out report/"])
    ins.append(["Estimates, not a diagnosis: red-flag symptoms always mean stop and see a clinician."])
    ins.append([])
    ins.append(list(instructions.columns))
    for cell in ins[5]:
        cell.font = bold
    for row in instructions.itertuples(index=False):
        ins.append(list(row))
    for j, width in enumerate((16, 34, 48, 36, 40, 12), start=1):
        ins.column_dimensions[get_column_letter(j)].width = width
    for row in ins.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    ex = wb.create_sheet("Example")
    ex.append(["SIMULATED example rows (not real clients). Copy the layout, not the values."])
    ex["A1"].font = Font(bold=True)
    ex.append(list(examples.columns))
    for cell in ex[2]:
        cell.font = bold
    for row in examples.astype(object).where(examples.notna(), None).itertuples(index=False):
        ex.append(list(row))
    wb.save(path)
