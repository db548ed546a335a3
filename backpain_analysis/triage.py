"""Red flags and care guidance: the rules that override any model number.

A session with symptoms that need a clinician is flagged whatever its
estimated risk. The rules follow the seed article ("If you feel any sharp or
severe pain in your back, stop the activity immediately and seek medical
attention"; "Consult with a healthcare professional if the pain persists")
and published red-flag lists:

* NICE guideline NG59, *Low back pain and sciatica in over 16s: assessment and
  management* (2016, updated 2020): exclude specific causes such as cancer,
  infection, trauma, inflammatory disease and cauda equina syndrome.
* Finucane LM et al. *International framework for red flags for potential
  serious spinal pathologies.* J Orthop Sports Phys Ther 2020;50(7):350-372.
* GIRFT (NHS England) *National suspected cauda equina syndrome pathway*
  (2023): new bladder or bowel dysfunction or saddle numbness with back pain
  needs same-day emergency assessment.

This module does not diagnose: it tells the trainer when to stop and refer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["LEVEL_STYLES", "RED_FLAG_RULES", "TREATMENT_GUIDANCE", "TRIAGE_LEVELS", "WARNING_SIGNS", "RedFlagRule",
           "disclaimer", "level_css", "level_rank", "triage"]

#: Triage levels, most urgent first; ``"none"`` means no rule fired.
TRIAGE_LEVELS: tuple[str, ...] = ("urgent", "prompt", "stop", "consult", "none")
#: The level of a session where no rule fired.
NO_FLAG = TRIAGE_LEVELS[-1]

#: How each level is shown in HTML reports (colour and weight of its label).
LEVEL_STYLES: dict[str, tuple[str, int]] = {
    "urgent": ("#b71c1c", 700),
    "prompt": ("#b71c1c", 700),
    "stop": ("#c62828", 600),
    "consult": ("#8a5300", 600),
}


def _yes(values: pd.Series, threshold: float | None) -> np.ndarray:
    return values.astype("boolean").fillna(False).to_numpy(bool)


def _at_least(values: pd.Series, threshold: float | None) -> np.ndarray:
    return (pd.to_numeric(values, errors="coerce") >= threshold).fillna(False).to_numpy(bool)


def _more_than(values: pd.Series, threshold: float | None) -> np.ndarray:
    return (pd.to_numeric(values, errors="coerce") > threshold).fillna(False).to_numpy(bool)


@dataclass(frozen=True)
class RedFlagRule:
    """One rule: which symptom column fires it and when, how urgent it is, and what to tell the trainer.

    Attributes
    ----------
    code : str
        Short identifier, listed in ``red_flags``.
    column : str
        Session-log column the rule reads (a missing column fires nothing).
    level : str
        One of :data:`TRIAGE_LEVELS`.
    message : str
        What the trainer should do, in plain words.
    source : str
        Where the rule and its urgency come from.
    symptom : str
        The symptom in a few words, for the disclaimer.
    threshold : float or None
        The number the predicate compares with (``None`` for yes/no columns).
    predicate : callable
        ``predicate(column_values, threshold) -> ndarray of bool``; a value
        that was not recorded never fires.
    """

    code: str
    column: str
    level: str
    message: str
    source: str
    symptom: str
    threshold: float | None = None
    predicate: Callable[[pd.Series, float | None], np.ndarray] = field(default=_yes, repr=False, compare=False)

    def fired(self, log: pd.DataFrame) -> np.ndarray:
        """Whether the rule fires in each session of ``log`` (all False when its column is absent)."""
        if self.column not in log.columns:
            return np.zeros(len(log), bool)
        return self.predicate(log[self.column], self.threshold)


RED_FLAG_RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        "bladder_bowel", "bladder_bowel", "urgent",
        "New bladder or bowel problems with back pain: possible cauda equina syndrome. "
        "Go to an emergency department today (same day).",
        "GIRFT suspected cauda equina pathway 2023; NICE NG59; Finucane et al. 2020",
        "new bladder or bowel problems",
    ),
    RedFlagRule(
        "saddle_numbness", "numbness", "urgent",
        "New numbness in the groin, buttocks or genitals (saddle area): possible cauda equina syndrome. "
        "Go to an emergency department today (same day).",
        "GIRFT suspected cauda equina pathway 2023; Finucane et al. 2020",
        "numbness in the groin or saddle area",
    ),
    RedFlagRule(
        "leg_weakness", "leg_weakness", "prompt",
        "Weakness in a leg or foot (a progressive neurological deficit): stop training and see a clinician "
        "promptly (within a day or two, sooner if it is getting worse).",
        "NICE NG59; Finucane et al. 2020",
        "leg weakness",
    ),
    RedFlagRule(
        "fever", "fever", "prompt",
        "Fever or feeling unwell with back pain (possible infection): see a clinician promptly.",
        "NICE NG59; Finucane et al. 2020",
        "fever",
    ),
    RedFlagRule(
        "trauma", "trauma", "prompt",
        "Back pain after a fall, blow or accident (possible fracture): see a clinician promptly before "
        "training again.",
        "NICE NG59; Finucane et al. 2020",
        "a fall or blow",
    ),
    RedFlagRule(
        "severe_pain", "pain_score", "stop",
        "Severe pain (7 or more out of 10): stop training and seek medical attention.",
        "seed article: 'If you feel any sharp or severe pain in your back, stop the activity immediately "
        "and seek medical attention'",
        "severe pain", 7, _at_least,
    ),
    RedFlagRule(
        "persistent_pain", "pain_days", "consult",
        "Pain lasting more than 2 days: rest from training and consult a healthcare professional.",
        "seed article FAQ: take a break for 1-2 days; 'Consult with a healthcare professional if the pain "
        "persists'",
        "pain lasting more than 2 days", 2, _more_than,
    ),
)

#: The article's treatment guidance for a client who has back pain now (no red flag).
TREATMENT_GUIDANCE: tuple[str, ...] = (
    "Rest from training for 1-2 days; gentle walking or swimming keeps the back moving.",
    "Ice (10-15 minutes, several times a day) in the first 24-48 hours, then heat (10-15 minutes) to relax "
    "the muscles.",
    "Pain relievers such as NSAIDs (ibuprofen, naproxen) only after asking a doctor or pharmacist, and not "
    "as a long-term solution.",
    "Massage can relax tight muscles.",
    "If the pain persists or is severe, see a physiotherapist or doctor for a personal plan.",
)

#: Warning signs that mean "stop and see a clinician", in plain words (one per rule).
WARNING_SIGNS: tuple[str, ...] = tuple(r.message for r in RED_FLAG_RULES)


def level_rank(levels: pd.Series) -> pd.Series:
    """Urgency rank of each triage level: 0 for the most urgent, ``len(TRIAGE_LEVELS) - 1`` for ``"none"``."""
    return levels.map({lvl: i for i, lvl in enumerate(TRIAGE_LEVELS)})


def level_css() -> str:
    """CSS classes ``.lvl-<level>`` for HTML reports, from :data:`LEVEL_STYLES`."""
    return " ".join(f".lvl-{lvl} {{ color: {c}; font-weight: {w}; }}" for lvl, (c, w) in LEVEL_STYLES.items())


def disclaimer(*, what: str = "Estimates from a logistic model") -> str:
    """The one "not a diagnosis" notice, composed from the red-flag rules.

    Parameters
    ----------
    what : str, default="Estimates from a logistic model"
        What is being qualified (a card, a notebook suite, ...).

    Returns
    -------
    str
    """
    symptoms = [r.symptom for r in RED_FLAG_RULES]
    listed = ", ".join(symptoms[:-1]) + f" or {symptoms[-1]}" if len(symptoms) > 1 else symptoms[0]
    return (f"{what}, not a diagnosis. Red-flag symptoms ({listed}) need a clinician, whatever the number says: "
            "stop training and refer.")


def triage(log: pd.DataFrame) -> pd.DataFrame:
    """Apply the red-flag rules to every session.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log; missing symptom columns fire no rule.

    Returns
    -------
    DataFrame of shape (n_sessions, 3), indexed like ``log``
        ``triage_level`` (``urgent``, ``prompt``, ``stop``, ``consult`` or
        ``none``: the most urgent rule that fired), ``triage`` (the messages
        of every rule that fired, most urgent first, joined by ``" | "``; empty
        when none fired) and ``red_flags`` (their codes).
    """
    # which rules fired, as one bit per rule: few distinct combinations occur, so each text is built once
    fired = np.zeros(len(log), dtype=np.int64)
    for bit, rule in enumerate(RED_FLAG_RULES):  # already ordered most urgent first
        fired |= rule.fired(log).astype(np.int64) << bit
    combos, inverse = np.unique(fired, return_inverse=True)
    level, message, code = [], [], []
    for combo in combos:
        rules = [r for bit, r in enumerate(RED_FLAG_RULES) if combo >> bit & 1]
        level.append(min((r.level for r in rules), key=TRIAGE_LEVELS.index, default=NO_FLAG))
        message.append(" | ".join(r.message for r in rules))
        code.append(", ".join(r.code for r in rules))
    inverse = inverse.ravel()
    return pd.DataFrame(
        {
            "triage_level": np.asarray(level, dtype=object)[inverse],
            "triage": np.asarray(message, dtype=object)[inverse],
            "red_flags": np.asarray(code, dtype=object)[inverse],
        },
        index=log.index,
    )
