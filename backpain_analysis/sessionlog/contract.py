"""The session-log contract: which columns a trainer's log has, and what each accepts.

One row per client session. :data:`COLUMNS` lists every column the package
reads, in order: its kind (how a cell is read), its level (required, per
session, per client, outcome, symptom, intake), what to enter, its unit and
range. The ``symptom`` and ``intake`` columns feed the red-flag rules
(:mod:`backpain_analysis.triage`) and never the risk model.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Literal

import pandas as pd

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "NO_WORDS",
    "REQUIRED_COLUMNS",
    "TEXT",
    "TEXT_CELLS",
    "YES_WORDS",
    "Column",
    "Kind",
    "Level",
    "column",
    "contract_table",
]

#: The dtype of text values (missing = ``pd.NA``), with its storage stated: pandas would otherwise store text in
#: pyarrow whenever pyarrow is installed, whose comparisons and ``.str`` results have other types.
TEXT = pd.StringDtype("python")
#: The dtype of the cells as read from a file (missing = NaN, as ``dtype=str`` gives), storage stated as for TEXT.
TEXT_CELLS = pd.StringDtype("python", na_value=float("nan"))

Kind = Literal["text", "date", "time", "number", "integer", "yesno"]
Level = Literal["required", "session", "client", "outcome", "symptom", "intake"]


@dataclass(frozen=True)
class Column:
    """One column of the session-log contract.

    Attributes
    ----------
    name : str
        Canonical, lower-case column name.
    kind : {"text", "date", "time", "number", "integer", "yesno"}
        How a cell is read.
    level : {"required", "session", "client", "outcome", "symptom", "intake"}
        ``required`` columns must be present and filled; ``client`` columns are
        measurements carried forward per client in date order; ``symptom``
        columns are warning signs asked when the client has back pain;
        ``intake`` columns are what the intake form (a PAR-Q+ style health
        screen) records about the client, carried forward per client in date
        order like ``client`` columns. Symptom and intake columns feed the
        red-flag rules only, never the risk model.
    description : str
        What to enter, in a trainer's words.
    unit : str, default=""
        Unit of a number.
    min, max : float or None, default=None
        Inclusive range of accepted values.
    example : str, default=""
        An example cell as it would be typed.
    """

    name: str
    kind: Kind
    level: Level
    description: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    example: str = ""

    @property
    def expected(self) -> str:
        """Plain-words description of an accepted value."""
        if self.kind == "yesno":
            return "yes or no (y/n, true/false, 1/0 also accepted)"
        if self.kind == "date":
            return "a date as YYYY-MM-DD (or an Excel date cell)"
        if self.kind == "time":
            return "a time of day as HH:MM (24-hour clock)"
        if self.kind == "text":
            return "some text"
        what = "a whole number" if self.kind == "integer" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"{what} from {self.min:g} to {self.max:g}{unit}"
        if self.min is not None:
            return f"{what} of at least {self.min:g}{unit}"
        return what + unit


COLUMNS: tuple[Column, ...] = (
    # required
    Column("client_id", "text", "required", "Client identifier (a code, not a name)", example="C07"),
    Column("date", "date", "required", "Date of the session", example="2026-03-02"),
    Column("duration_min", "number", "required", "Session duration", "minutes", 1, 300, "60"),
    Column("rpe", "number", "required", "Session RPE on the CR-10 scale, asked 30 min after the session",
           "CR-10 points", 0, 10, "6"),
    # optional, per session
    Column("start_time", "time", "session", "Start time of the session", example="18:30"),
    Column("warmup_min", "number", "session", "Minutes of warm-up before the main work", "minutes", 0, 120, "10"),
    Column("cooldown_min", "number", "session", "Minutes of cool-down after the main work", "minutes", 0, 120, "5"),
    Column("stretching", "yesno", "session", "Did the session include stretching?", example="yes"),
    Column("form_score", "integer", "session", "Trainer-rated technique and posture, 1 = poor, 5 = excellent",
           "points", 1, 5, "4"),
    Column("heavy_lifting", "yesno", "session",
           "Lifts at 80% of 1RM or more, or heavy loads from the floor", example="no"),
    Column("bending_twisting", "yesno", "session", "Repeated loaded bending or twisting", example="no"),
    Column("water_l", "number", "session", "Litres of water drunk that day", "litres", 0, 15, "2"),
    # optional, per client, carried forward
    Column("plank_s", "number", "client", "Front plank hold (core endurance), entered when measured",
           "seconds", 0, 900, "75"),
    Column("sitting_h", "number", "client", "Hours spent sitting per day, entered when asked", "hours", 0, 24, "8"),
    Column("sit_reach_cm", "number", "client",
           "Sit-and-reach: cm past the toes (negative = short of the toes), entered when measured",
           "cm", -40, 50, "2"),
    Column("prior_back_pain", "yesno", "client", "Has the client had back pain before?", example="no"),
    # outcome
    Column("back_pain", "yesno", "outcome", "Back pain within 48 hours after the session", example="no"),
    # symptoms (triage)
    Column("pain_score", "number", "symptom", "Worst back pain since the session, 0 = none, 10 = worst imaginable",
           "points", 0, 10, "0"),
    Column("pain_days", "number", "symptom", "Days the back pain has lasted so far", "days", 0, None, "0"),
    Column("numbness", "yesno", "symptom", "New numbness in the groin, buttocks or genitals (saddle area)",
           example="no"),
    Column("bladder_bowel", "yesno", "symptom", "New problems controlling bladder or bowel (leaking, or not "
           "being able to hold on)", example="no"),
    Column("bladder_sensation", "yesno", "symptom", "New difficulty starting to pass urine (or not being able "
           "to), or less feeling when passing urine or of a full bladder or bowel", example="no"),
    Column("sexual_dysfunction", "yesno", "symptom", "New or worsening problems with sexual function or feeling",
           example="no"),
    Column("leg_weakness", "yesno", "symptom", "Any weakness in a leg or foot, however mild", example="no"),
    Column("leg_weakness_severe", "yesno", "symptom",
           "Leg weakness that is severe, getting worse, or in both legs", example="no"),
    Column("gait_disturbance", "yesno", "symptom",
           "New difficulty walking: unsteady, tripping, or a foot that drags or slaps", example="no"),
    Column("fever", "yesno", "symptom",
           "Fever with the back pain: feeling hot or shivery, or a temperature of 38 degrees C or more",
           example="no"),
    Column("unwell", "yesno", "symptom", "Feeling generally unwell with the back pain (chills, sweats, shivering)",
           example="no"),
    Column("night_pain", "yesno", "symptom",
           "Back pain that is constant, or there at night, and not eased by changing position", example="no"),
    Column("trauma", "yesno", "symptom", "Any fall, blow or accident before the pain, however minor", example="no"),
    Column("major_trauma", "yesno", "symptom", "A significant fall, blow or accident before the pain (from a "
           "height, down stairs, a road accident, a heavy blow)", example="no"),
    # intake form (health screen), per client, carried forward: red flags only
    Column("birth_year", "integer", "intake", "Year of birth (gives the age at each session)", "",
           1900, _dt.date.today().year, "1980"),
    Column("history_of_cancer", "yesno", "intake", "Has the client ever had cancer?", example="no"),
    Column("weight_loss", "yesno", "intake", "Unexplained weight loss: weight lost recently without trying",
           example="no"),
    Column("osteoporosis", "yesno", "intake", "Has the client been told they have osteoporosis (fragile bones)?",
           example="no"),
    Column("steroids", "yesno", "intake",
           "Takes steroid tablets (corticosteroids such as prednisolone) long term", example="no"),
    Column("immunosuppressed", "yesno", "intake", "A weakened immune system: medicines that suppress it (after "
           "a transplant, for arthritis, chemotherapy) or an illness such as HIV", example="no"),
    Column("iv_drug_use", "yesno", "intake", "Injects drugs (intravenous drug use), now or recently",
           example="no"),
)

_BY_NAME = {c.name: c for c in COLUMNS}

#: Names of the contract's columns (a column of a log not named here is an extra column).
COLUMN_NAMES: frozenset[str] = frozenset(_BY_NAME)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.level == "required")

#: Cells read as yes / no in a yes-no column (compared in lower case, surrounding spaces ignored).
#: Besides English, the words German, French, Spanish, Italian, Portuguese and Dutch trainers type
#: (ja/nein, oui/non, sí/no, sì/no, sim/não, ja/nee); a spreadsheet's own TRUE/FALSE words are in
#: :data:`~backpain_analysis.sessionlog.parse.SPREADSHEET_TRUE`.
YES_WORDS: frozenset[str] = frozenset({"yes", "y", "true", "1", "1.0", "t", "ja", "j", "oui", "sí", "si", "sì",
                                       "sim"})
NO_WORDS: frozenset[str] = frozenset({"no", "n", "false", "0", "0.0", "f", "nein", "non", "não", "nao", "nee"})


def column(name: str) -> Column:
    """Return the contract's :class:`Column` called ``name``."""
    return _BY_NAME[name]


def contract_table() -> pd.DataFrame:
    """The contract as a table: name, kind, level, description, unit, range, example."""
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "level": c.level,
                "kind": c.kind,
                "expected": c.expected,
                "description": c.description,
                "example": c.example,
            }
            for c in COLUMNS
        ]
    )
