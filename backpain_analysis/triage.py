"""Red flags and care guidance: the rules that override any model number.

A session with signs that need a clinician is flagged whatever its estimated
risk. Each rule of :data:`RED_FLAG_RULES` reads one or more session-log columns
and names its sources by key (:mod:`backpain_analysis.sources`) and, in one
sentence, where its urgency comes from:

* the GIRFT (NHS England) *National suspected cauda equina syndrome pathway*
  (2023): new or worsening bladder, bowel, saddle-area or sexual symptoms or a
  severe or progressive deficit of both legs mean immediate referral to an
  emergency department;
* NICE CG75 (2008, since replaced by NG234): people with cancer and spinal pain
  with nerve symptoms are an oncological emergency, with severe or night pain
  an urgent (24-hour) contact;
* Finucane et al. 2020 (the international red-flag framework: cauda equina
  syndrome, fracture, malignancy, infection), Henschke et al. 2013, Verhagen et
  al. 2016, AHCPR 1994 and a NICE CKS-derived NHS list, which name the signs;
* the seed article for the trainer's own rules: stop for severe pain, rest and
  consult when it lasts more than 2 days.

Where a source lists a sign without an urgency, the urgency is this project's
conservative choice (a trainer cannot examine) and the rule says so. Signs that
describe the person rather than the pain (history of cancer, age, ...) come
from the intake form (the ``intake`` columns of the contract), are carried
forward per client in date order, and fire only in a session with back pain
now (:func:`pain_now`).

This module does not diagnose: it tells the trainer when to stop and refer,
and (:func:`unrecorded_signs`) which questions to ask when a sign was not
recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .sessionlog.contract import COLUMNS, TEXT, column
from .textcols import from_codes

__all__ = [
    "FRACTURE_AGE",
    "LEVEL_ACTIONS",
    "LEVEL_STYLES",
    "NO_FLAG",
    "PAIN_NOW_COLUMNS",
    "RED_FLAG_RULES",
    "TREATMENT_GUIDANCE",
    "TRIAGE_LEVELS",
    "WARNING_SIGNS",
    "RedFlagRule",
    "age_range",
    "carry_forward",
    "disclaimer",
    "get_rule",
    "level_css",
    "level_rank",
    "pain_now",
    "triage",
    "unrecorded_signs",
]

#: Triage levels, most urgent first; ``"none"`` means no rule fired.
TRIAGE_LEVELS: tuple[str, ...] = ("emergency", "same-day", "prompt", "stop", "consult", "none")
#: The level of a session where no rule fired.
NO_FLAG = TRIAGE_LEVELS[-1]

#: What the trainer does at each level, in plain words (the one registry of these texts).
LEVEL_ACTIONS: dict[str, str] = {
    "emergency": "Stop now. The client goes to an emergency department today; call an ambulance if they cannot "
                 "get there safely or the signs are getting worse.",
    "same-day": "Stop training. The client should see a doctor today.",
    "prompt": "No training that brings on the pain. The client should see a clinician (a doctor or "
              "physiotherapist) this week and mention this sign.",
    "stop": "Stop the activity now and seek medical attention.",
    "consult": "Rest from training and consult a healthcare professional.",
    "none": "No warning sign recorded: the estimate and the action plan apply.",
}

#: How each flagged level is shown in HTML reports (colour and weight of its label).
LEVEL_STYLES: dict[str, tuple[str, int]] = {
    "emergency": ("#b71c1c", 800),
    "same-day": ("#b71c1c", 700),
    "prompt": ("#c62828", 700),
    "stop": ("#c62828", 600),
    "consult": ("#8a5300", 600),
}

#: A session has back pain now when one of these says so (``back_pain`` yes, or a pain score or days above 0).
PAIN_NOW_COLUMNS: tuple[str, ...] = ("back_pain", "pain_score", "pain_days")
#: Age from which minor trauma is a fracture sign (the sources say "older" without a number: this project's cut-off).
FRACTURE_AGE = 65
#: The contract columns carried forward per client in date order before the rules read them.
_CARRIED = tuple(c.name for c in COLUMNS if c.level in ("client", "intake"))
_CONTRACT = {c.name for c in COLUMNS}
#: Yes/no inputs whose "yes" stops a rule from firing (earlier back pain: the pain is not new).
_RULES_OUT = frozenset({"prior_back_pain"})


def _values(log: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``log``, all missing when absent."""
    if name in log.columns:
        return log[name]
    return pd.Series(pd.NA, index=log.index, dtype=object)


def _yes(log: pd.DataFrame, name: str) -> np.ndarray:
    """Recorded yes (a blank is not yes)."""
    return _values(log, name).astype("boolean").fillna(False).to_numpy(bool)


def _number(log: pd.DataFrame, name: str) -> np.ndarray:
    """Recorded numbers as floats (NaN when blank)."""
    return pd.to_numeric(_values(log, name), errors="coerce").to_numpy("float64", na_value=np.nan)


def pain_now(log: pd.DataFrame) -> np.ndarray:
    """Whether each session has back pain now: ``back_pain`` yes, or ``pain_score`` or ``pain_days`` above 0.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)

    Returns
    -------
    ndarray of bool, shape (n_sessions,)
    """
    with np.errstate(invalid="ignore"):
        return _yes(log, "back_pain") | (_number(log, "pain_score") > 0) | (_number(log, "pain_days") > 0)


def age_range(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The client's youngest and oldest possible age at each session, from ``birth_year`` and ``date``.

    Only the year of birth is recorded, so the age is the session's year
    minus ``birth_year`` (the oldest possible) or one less (before the
    birthday). A rule for "over 50" reads the oldest, one for "under 20" the
    youngest, so that neither waits a year too long.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)

    Returns
    -------
    youngest, oldest : ndarray of float, shape (n_sessions,)
        NaN where ``birth_year`` or ``date`` was not recorded.
    """
    if "date" in log.columns:
        year = pd.to_datetime(log["date"], errors="coerce").dt.year.to_numpy("float64", na_value=np.nan)
    else:
        year = np.full(len(log), np.nan)
    oldest = year - _number(log, "birth_year")
    return oldest - 1, oldest


def carry_forward(log: pd.DataFrame) -> pd.DataFrame:
    """Carry the per-client and intake-form columns forward per client in date order.

    A client's intake answers (``history_of_cancer``, ``birth_year``, ...) and
    measurements (``prior_back_pain``, ...) are entered once and hold until
    entered again; a blank cell takes the client's latest earlier value (same-
    day rows in file order). A value is never carried to another client, nor
    backwards in time.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        Needs ``client_id`` and ``date``; without them it is returned as it is.

    Returns
    -------
    DataFrame
        The same rows in the same order (a shallow copy when anything was carried).
    """
    names = [c for c in _CARRIED if c in log.columns]
    if not names or "client_id" not in log.columns or "date" not in log.columns or not len(log):
        return log
    codes, _ = pd.factorize(log["client_id"].astype(TEXT), use_na_sentinel=False)
    days = pd.to_datetime(log["date"], errors="coerce").to_numpy("datetime64[D]").astype("int64")
    order = np.lexsort((np.arange(len(log)), days, codes))
    filled = log[names].iloc[order].groupby(codes[order], sort=False).ffill()
    inverse = np.empty(len(log), dtype=np.intp)
    inverse[order] = np.arange(len(log))
    out = log.copy(deep=False)
    for name in names:
        out[name] = pd.Series(filled[name].array.take(inverse), index=log.index)
    return out


@dataclass(frozen=True)
class RedFlagRule:
    """One rule: which columns fire it and when, how urgent it is, what to do and what to ask.

    Attributes
    ----------
    code : str
        Short identifier, listed in ``red_flags``.
    inputs : tuple of str
        The session-log columns the rule reads (absent columns and blank cells
        fire nothing). The back-pain-now columns of a ``with_pain`` rule are
        not among them: they decide whether the session has pain, not the sign.
    level : str
        One of :data:`TRIAGE_LEVELS` (not ``"none"``).
    finding : str
        What was recorded, in plain words (the start of :attr:`message`).
    concern : str
        What it may mean ("possible cauda equina syndrome").
    ask : str
        The question to ask the client when the rule's inputs were not recorded.
    sources : tuple of str
        Keys into :data:`backpain_analysis.sources.SOURCES`: where the sign comes from.
    urgency_source : str
        One sentence: which source sets this urgency, or that it is this
        project's conservative choice where the sources list the sign
        without one.
    symptom : str
        The sign in a few words, for :func:`disclaimer` (rules of one kind share it).
    predicate : callable
        ``predicate(log, threshold) -> ndarray of bool`` over the (carried-forward)
        log; a value that was not recorded never fires.
    threshold : float or None, default=None
        The number the predicate compares with, where it compares one.
    with_pain : bool, default=False
        Fire only in a session with back pain now (:func:`pain_now`): for
        signs that describe the person rather than the pain.
    """

    code: str
    inputs: tuple[str, ...]
    level: str
    finding: str
    concern: str
    ask: str
    sources: tuple[str, ...]
    urgency_source: str
    symptom: str
    predicate: Callable[[pd.DataFrame, float | None], np.ndarray]
    threshold: float | None = None
    with_pain: bool = False

    @property
    def message(self) -> str:
        """What the trainer does now: the finding, what it may mean, and the level's action."""
        concern = f" ({self.concern})" if self.concern else ""
        return f"{self.finding}{concern}: {LEVEL_ACTIONS[self.level]}"

    def fired(self, log: pd.DataFrame) -> np.ndarray:
        """Whether the rule fires in each session of ``log``.

        ``log`` is read as it is: :func:`triage` first carries the intake
        columns forward per client (:func:`carry_forward`).

        Returns
        -------
        ndarray of bool, shape (n_sessions,)
        """
        out = np.asarray(self.predicate(log, self.threshold), dtype=bool)
        return out & pain_now(log) if self.with_pain else out


# --------------------------------------------------------------------------- predicates
def _any_yes(*names: str) -> Callable[[pd.DataFrame, float | None], np.ndarray]:
    def predicate(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
        out = np.zeros(len(log), bool)
        for name in names:
            out |= _yes(log, name)
        return out

    return predicate


def _at_least(name: str) -> Callable[[pd.DataFrame, float | None], np.ndarray]:
    def predicate(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return _number(log, name) >= threshold

    return predicate


def _more_than(name: str) -> Callable[[pd.DataFrame, float | None], np.ndarray]:
    def predicate(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return _number(log, name) > threshold

    return predicate


_NERVE_SIGNS = ("leg_weakness", "leg_weakness_severe", "numbness", "gait_disturbance", "bladder_bowel",
                "bladder_sensation")


def _cancer_with_nerve_signs(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
    return _yes(log, "history_of_cancer") & _any_yes(*_NERVE_SIGNS)(log, None)


def _cancer_with_severe_or_night_pain(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        severe = _number(log, "pain_score") >= threshold
    return _yes(log, "history_of_cancer") & (severe | _yes(log, "night_pain"))


def _minor_trauma_fragile_bone(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
    _, oldest = age_range(log)
    with np.errstate(invalid="ignore"):
        older = oldest >= threshold
    return _yes(log, "trauma") & (_yes(log, "osteoporosis") | _yes(log, "steroids") | older)


def _age_of_onset(log: pd.DataFrame, threshold: float | None) -> np.ndarray:
    youngest, oldest = age_range(log)
    with np.errstate(invalid="ignore"):
        outside = (oldest > 50) | (youngest < 20)
    # "new" back pain: not when the client is recorded as having had back pain before
    return outside & ~_yes(log, "prior_back_pain")


_GIRFT_EMERGENCY = ("GIRFT 2023 sends new or worsening signs of cauda equina syndrome within 14 days "
                    "immediately to an emergency department")
_CONSERVATIVE = "this project's conservative choice because a trainer cannot examine"

RED_FLAG_RULES: tuple[RedFlagRule, ...] = (
    # ----------------------------------------------------------------- emergency
    RedFlagRule(
        "bladder_bowel", ("bladder_bowel",), "emergency",
        "New bladder or bowel problems", "possible cauda equina syndrome",
        "Any new problems controlling the bladder or bowel (leaking, or not being able to hold on)?",
        ("girft2023", "gcare_glos", "finucane2020"),
        f"{_GIRFT_EMERGENCY}, its bladder and bowel criteria being difficulty starting to pass urine and lost "
        "feeling of urine flow or of rectal fullness; loss of bladder or bowel control is named among the cauda "
        "equina signs of the NHS Gloucestershire (G-Care) red-flag list, which gives no urgency, and this project "
        "treats it like those GIRFT criteria.",
        "new bladder, bowel, saddle-area or sexual problems", _any_yes("bladder_bowel"),
    ),
    RedFlagRule(
        "saddle_numbness", ("numbness",), "emergency",
        "New numbness in the groin, buttocks or genitals (saddle area)", "possible cauda equina syndrome",
        "Any new numbness or tingling in the groin, buttocks, genitals or inner thighs (the saddle area)?",
        ("girft2023", "gcare_glos", "finucane2020"),
        f"{_GIRFT_EMERGENCY}: new or worsening altered perianal, perineal or genital sensation is one of its "
        "criteria.",
        "new bladder, bowel, saddle-area or sexual problems", _any_yes("numbness"),
    ),
    RedFlagRule(
        "bladder_sensation", ("bladder_sensation",), "emergency",
        "New difficulty passing urine, or less feeling of urine flow or of a full bladder or bowel",
        "possible cauda equina syndrome",
        "Any new difficulty starting to pass urine (or not being able to), or less feeling when passing urine "
        "or of a full bladder or bowel?",
        ("girft2023", "gcare_glos", "finucane2020"),
        f"{_GIRFT_EMERGENCY}: difficulty initiating micturition or impaired sensation of urinary flow, and loss "
        "of sensation of rectal fullness, are among its criteria.",
        "new bladder, bowel, saddle-area or sexual problems", _any_yes("bladder_sensation"),
    ),
    RedFlagRule(
        "leg_weakness_severe", ("leg_weakness_severe",), "emergency",
        "Leg weakness that is severe, getting worse or in both legs",
        "possible cauda equina syndrome or nerve compression",
        "Is any leg weakness severe, getting worse, or in both legs?",
        ("girft2023", "gcare_glos", "finucane2020"),
        f"{_GIRFT_EMERGENCY} when the deficit is severe or progressive in both legs; treating severe or "
        f"worsening weakness of one leg the same way is {_CONSERVATIVE} (the NICE CKS-derived NHS Gloucestershire "
        "list names a severe or progressive deficit in the legs among the cauda equina signs, without an "
        "urgency).",
        "leg weakness or difficulty walking", _any_yes("leg_weakness_severe"),
    ),
    RedFlagRule(
        "gait_disturbance", ("gait_disturbance",), "emergency",
        "New difficulty walking", "possible cauda equina syndrome or nerve compression",
        "Any new difficulty walking: unsteady, tripping, or a foot that drags or slaps?",
        ("gcare_glos", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list names gait disturbance among the signs "
        "of cauda equina syndrome without an urgency.",
        "leg weakness or difficulty walking", _any_yes("gait_disturbance"),
    ),
    RedFlagRule(
        "cancer_nerve_signs", ("history_of_cancer", *_NERVE_SIGNS), "emergency",
        "History of cancer with new leg weakness, numbness, difficulty walking or bladder or bowel problems",
        "possible spinal cord compression by cancer",
        "Has the client ever had cancer, and is there any new leg weakness, numbness or difficulty walking?",
        ("nice_cg75", "finucane2020"),
        "NICE CG75 (2008; replaced in 2023 by NG234, whose wording was not checked): for people with cancer "
        "and spinal pain with nerve symptoms (any limb weakness, difficulty walking, sensory loss, bladder or "
        "bowel dysfunction) contact the MSCC coordinator immediately, as an oncological emergency; for a "
        "trainer that is the emergency department.",
        "a history of cancer", _cancer_with_nerve_signs,
    ),
    RedFlagRule(
        "major_trauma", ("major_trauma",), "emergency",
        "Back pain after a significant fall, blow or accident", "possible fracture",
        "Did the pain start after a significant fall, blow or accident (from a height, down stairs, a road "
        "accident, a heavy blow)?",
        ("gcare_glos", "verhagen2016", "ahcpr1994", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list, AHCPR 1994 and most guidelines "
        "reviewed by Verhagen et al. 2016 list major trauma as a fracture sign without an urgency.",
        "a fall or blow", _any_yes("major_trauma"),
    ),
    # ----------------------------------------------------------------- same day
    RedFlagRule(
        "leg_weakness", ("leg_weakness",), "same-day",
        "Weakness in a leg or foot", "a nerve problem",
        "Any weakness in a leg or foot, however mild?",
        ("girft2023", "gcare_glos", "finucane2020"),
        "GIRFT 2023 sends a severe or progressive deficit of both legs to an emergency department (recorded as "
        f"leg_weakness_severe); a doctor the same day for any other leg weakness is {_CONSERVATIVE} whether it "
        "is severe, getting worse or in both legs.",
        "leg weakness or difficulty walking", _any_yes("leg_weakness"),
    ),
    RedFlagRule(
        "fever", ("fever",), "same-day",
        "Fever with back pain", "possible spinal infection",
        "Any fever: feeling hot or shivery, or a temperature of 38 degrees C or more?",
        ("gcare_glos", "ahcpr1994", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list (fevers, chills, rigors) and AHCPR 1994 "
        "list fever as a sign of infection without an urgency.",
        "fever or feeling unwell", _any_yes("fever"),
    ),
    RedFlagRule(
        "unwell", ("unwell",), "same-day",
        "Feeling generally unwell with back pain", "possible infection or other illness",
        "Does the client feel generally unwell (chills, sweats, shivering)?",
        ("gcare_glos", "ahcpr1994", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list (chills, rigors) and AHCPR 1994 "
        "(constitutional symptoms) list the sign without an urgency.",
        "fever or feeling unwell", _any_yes("unwell"),
    ),
    RedFlagRule(
        "cancer_severe_pain", ("history_of_cancer", "night_pain", "pain_score"), "same-day",
        "History of cancer with severe, constant or night back pain", "possible spread of cancer to the spine",
        "Has the client ever had cancer, and is the pain severe, constant or worse at night?",
        ("nice_cg75", "henschke2013"),
        "NICE CG75 (2008; replaced in 2023 by NG234, whose wording was not checked): for people with cancer "
        "and severe unremitting lower spinal pain or night pain that prevents sleep, contact the MSCC "
        "coordinator urgently, within 24 hours; for a trainer that is a doctor today.",
        "a history of cancer", _cancer_with_severe_or_night_pain, 7,
    ),
    RedFlagRule(
        "fracture_risk", ("trauma", "osteoporosis", "steroids", "birth_year"), "same-day",
        f"A fall or knock in someone with osteoporosis, on long-term steroids or aged {FRACTURE_AGE} or more",
        "possible fracture",
        f"After a fall or knock: does the client have osteoporosis, take steroid tablets long term, or are they "
        f"{FRACTURE_AGE} or older?",
        ("gcare_glos", "ahcpr1994", "verhagen2016", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list (minor trauma with osteoporosis or "
        "corticosteroids) and AHCPR 1994 (minor trauma in an older or potentially osteoporotic patient) list the "
        f"sign without an urgency; the age of {FRACTURE_AGE} for 'older' is this project's cut-off.",
        "a fall or blow", _minor_trauma_fragile_bone, FRACTURE_AGE,
    ),
    RedFlagRule(
        "sexual_dysfunction", ("sexual_dysfunction",), "same-day",
        "New sexual problems with back pain", "rarely cauda equina syndrome on its own",
        "Any new problems with sexual function or feeling?",
        ("girft2023",),
        "GIRFT 2023 lists new or worsening sexual dysfunction among its cauda equina criteria but says back pain "
        "with sexual dysfunction as the only other feature is unlikely to be cauda equina syndrome; a doctor the "
        f"same day rather than the emergency department is {_CONSERVATIVE} (with any other cauda equina sign the "
        "emergency rules fire).",
        "new bladder, bowel, saddle-area or sexual problems", _any_yes("sexual_dysfunction"),
    ),
    # ----------------------------------------------------------------- prompt (this week)
    RedFlagRule(
        "trauma", ("trauma",), "prompt",
        "Back pain after a fall, blow or accident", "possible injury",
        "Did the pain start after any fall, blow or accident?",
        ("gcare_glos", "verhagen2016", "finucane2020"),
        f"{_CONSERVATIVE}; the sources read list trauma as a fracture sign when it is major (see major_trauma) "
        "or in people with osteoporosis, on corticosteroids or older (see fracture_risk), and give no urgency "
        "for minor trauma in others.",
        "a fall or blow", _any_yes("trauma"),
    ),
    RedFlagRule(
        "cancer_history", ("history_of_cancer",), "prompt",
        "Back pain in someone who has had cancer", "possible spread of cancer to the spine",
        "Has the client ever had cancer?",
        ("henschke2013", "gcare_glos", "verhagen2016", "finucane2020"),
        f"{_CONSERVATIVE}; Henschke et al. 2013 find a previous history of cancer the one useful single red flag "
        "for spinal malignancy, and the NHS Gloucestershire (G-Care) red-flag list names it, neither with an "
        "urgency (with severe or night pain, or nerve signs, NICE CG75's urgencies apply: cancer_severe_pain, "
        "cancer_nerve_signs).",
        "a history of cancer", _any_yes("history_of_cancer"), with_pain=True,
    ),
    RedFlagRule(
        "weight_loss", ("weight_loss",), "prompt",
        "Back pain with unexplained weight loss", "possible serious illness",
        "Has the client lost weight recently without trying?",
        ("henschke2013", "gcare_glos", "verhagen2016"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list and most guidelines reviewed by "
        "Verhagen et al. 2016 list unexplained weight loss without an urgency (Henschke et al. 2013: useful "
        "mainly in combination).",
        "unexplained weight loss", _any_yes("weight_loss"), with_pain=True,
    ),
    RedFlagRule(
        "night_pain", ("night_pain",), "prompt",
        "Constant or night back pain not eased by changing position", "possible serious cause",
        "Is the pain constant, or there at night, and not eased by changing position?",
        ("gcare_glos", "verhagen2016", "ahcpr1994"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list (persistent night pain unrelieved by "
        "change in position), AHCPR 1994 and Verhagen et al. 2016 list the sign without an urgency.",
        "constant or night pain", _any_yes("night_pain"),
    ),
    RedFlagRule(
        "infection_risk", ("immunosuppressed", "iv_drug_use"), "prompt",
        "Back pain with a weakened immune system or injecting drug use", "higher risk of spinal infection",
        "Does the client have a weakened immune system (medicines or illness) or inject drugs?",
        ("gcare_glos", "ahcpr1994", "finucane2020"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list and AHCPR 1994 list immunosuppression "
        "and intravenous drug use as infection risks without an urgency (with fever or feeling unwell the "
        "same-day rules fire).",
        "a weak immune system or injecting drugs", _any_yes("immunosuppressed", "iv_drug_use"), with_pain=True,
    ),
    RedFlagRule(
        "age_onset", ("birth_year", "prior_back_pain"), "prompt",
        "New back pain over the age of 50 or under 20", "a higher chance of a serious cause",
        "What is the client's year of birth, and has the client had back pain before?",
        ("gcare_glos", "henschke2013", "ahcpr1994"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list (new onset over 50 or under 20) and "
        "AHCPR 1994 list the sign without an urgency (Henschke et al. 2013: age over 50 useful mainly in "
        "combination). It does not fire when the client is recorded as having had back pain before.",
        "new back pain over 50 or under 20", _age_of_onset, with_pain=True,
    ),
    RedFlagRule(
        "not_improving", ("pain_days",), "prompt",
        "Back pain lasting 4 weeks or more", "failure to improve after a month",
        "How many days has the pain lasted?",
        ("gcare_glos", "henschke2013"),
        f"{_CONSERVATIVE}; the NHS Gloucestershire (G-Care) red-flag list and Henschke et al. 2013 name failure "
        "to improve after one month as a malignancy sign without an urgency (the log records how long, not "
        "whether it is improving).",
        "pain lasting more than 2 days", _at_least("pain_days"), 28,
    ),
    # ----------------------------------------------------------------- the seed article's trainer rules
    RedFlagRule(
        "severe_pain", ("pain_score",), "stop",
        "Severe pain (7 or more out of 10)", "",
        "How bad is the pain, from 0 (none) to 10 (worst imaginable)?",
        ("wilkinson2024",),
        "The seed article: 'If you feel any sharp or severe pain in your back, stop the activity immediately and "
        "seek medical attention'; 7 out of 10 for 'severe' is this project's cut-off.",
        "severe pain", _at_least("pain_score"), 7,
    ),
    RedFlagRule(
        "persistent_pain", ("pain_days",), "consult",
        "Pain lasting more than 2 days", "",
        "How many days has the pain lasted?",
        ("wilkinson2024",),
        "The seed article's FAQ: take a break for 1-2 days and 'Consult with a healthcare professional if the "
        "pain persists'.",
        "pain lasting more than 2 days", _more_than("pain_days"), 2,
    ),
)

_BY_CODE = {r.code: r for r in RED_FLAG_RULES}


def get_rule(code: str) -> RedFlagRule:
    """Return the :class:`RedFlagRule` called ``code``.

    Raises
    ------
    KeyError
        With the list of known codes.
    """
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown red-flag rule {code!r}; known: {', '.join(_BY_CODE)}") from None


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

#: Warning signs that mean "stop and see a clinician", in plain words (one per rule, most urgent first).
WARNING_SIGNS: tuple[str, ...] = tuple(r.message for r in RED_FLAG_RULES)


def level_rank(levels: pd.Series) -> pd.Series:
    """Urgency rank of each triage level: 0 for the most urgent, ``len(TRIAGE_LEVELS) - 1`` for ``"none"``.

    Parameters
    ----------
    levels : Series of str (text or categorical)
        Levels of :data:`TRIAGE_LEVELS`.

    Returns
    -------
    Series of int, indexed like ``levels``
    """
    ranks = {lvl: i for i, lvl in enumerate(TRIAGE_LEVELS)}
    levels = pd.Series(levels)
    if isinstance(levels.dtype, pd.CategoricalDtype):  # rank each category once
        table = np.array([ranks[c] for c in levels.cat.categories] + [-1], dtype=np.int64)
        return pd.Series(table[levels.cat.codes.to_numpy()], index=levels.index)
    return pd.Series(np.array([ranks[v] for v in levels.to_numpy(dtype=object)], dtype=np.int64), index=levels.index)


def level_css() -> str:
    """CSS classes ``.lvl-<level>`` for HTML reports, from :data:`LEVEL_STYLES`."""
    return " ".join(f".lvl-{lvl} {{ color: {c}; font-weight: {w}; }}" for lvl, (c, w) in LEVEL_STYLES.items())


def disclaimer(*, what: str = "Estimates from a logistic model") -> str:
    """The one "not a diagnosis" notice, composed from the red-flag rules' symptoms (each named once).

    Parameters
    ----------
    what : str, default="Estimates from a logistic model"
        What is being qualified (a card, a notebook suite, ...).

    Returns
    -------
    str
    """
    symptoms = list(dict.fromkeys(r.symptom for r in RED_FLAG_RULES))
    listed = "; ".join(symptoms[:-1]) + f"; or {symptoms[-1]}" if len(symptoms) > 1 else symptoms[0]
    return (f"{what}, not a diagnosis. Red-flag signs ({listed}) need a clinician, whatever the number says: "
            "stop training and refer.")


def triage(log: pd.DataFrame) -> pd.DataFrame:
    """Apply the red-flag rules to every session.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log; missing columns and blank cells fire no
        rule. The per-client and intake-form columns are carried forward per
        client in date order first (:func:`carry_forward`).

    Returns
    -------
    DataFrame of shape (n_sessions, 3), indexed like ``log``, of categorical text
        ``triage_level`` (one of :data:`TRIAGE_LEVELS`: the most urgent rule
        that fired), ``triage`` (the messages of every rule that fired, most
        urgent first, joined by ``" | "``; empty when none fired) and
        ``red_flags`` (their codes).
    """
    log = carry_forward(log)
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
        {"triage_level": from_codes(level, inverse), "triage": from_codes(message, inverse),
         "red_flags": from_codes(code, inverse)},
        index=log.index,
    )


def _worst_case(log: pd.DataFrame, rule: RedFlagRule, end: str) -> pd.DataFrame:
    """``log`` with the rule's blank inputs filled with the worst answer: yes (no for a sign that rules the
    flag out, such as earlier back pain), or the ``end`` (``"low"`` or ``"high"``) of a number's range."""
    out = log.copy(deep=False)
    for name in rule.inputs:
        col = column(name) if name in _CONTRACT else None
        if col is not None and col.kind in ("number", "integer"):
            bound = col.min if end == "low" else col.max
            fill = (-1e9 if end == "low" else 1e9) if bound is None else bound
            x = _number(log, name)
            out[name] = pd.Series(np.where(np.isnan(x), fill, x), index=log.index)
        else:
            blank = pd.isna(_values(log, name)).to_numpy(bool)
            out[name] = pd.Series(np.where(blank, name not in _RULES_OUT, _yes(log, name)), index=log.index)
    return out


def unrecorded_signs(log: pd.DataFrame, *, rows: pd.Index | list | None = None) -> pd.Series:
    """For each session, the rules that could have fired had their blank inputs been recorded.

    A rule is listed when it did not fire, is more urgent than the session's
    triage level, and would fire if its unrecorded inputs were the worst
    answer (yes, or either end of a number's range): its :attr:`~RedFlagRule.ask`
    is the question the trainer should put to the client. One question per
    missing answer: rules reading one column are considered first, then
    combinations, and a rule is left out when the questions already listed
    cover every input it is missing.

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log (the intake columns are carried forward first,
        over the whole log).
    rows : index labels or None, default=None
        Only these sessions (for example each client's latest); all by default.

    Returns
    -------
    Series of tuple of str, indexed like ``log`` (or ``rows``)
        Rule codes, most urgent first (empty tuples where nothing is open).
    """
    log = carry_forward(log)  # the rules are row by row once the intake columns are carried forward
    if rows is not None:
        log = log.loc[rows]
    rank = level_rank(triage(log)["triage_level"]).to_numpy()
    n = len(log)
    chosen = np.zeros((n, len(RED_FLAG_RULES)), bool)
    # the inputs already asked about in each session, as bits (one per input column of any rule)
    bit = {c: np.int64(1) << j for j, c in enumerate(dict.fromkeys(c for r in RED_FLAG_RULES for c in r.inputs))}
    asked = np.zeros(n, dtype=np.int64)
    # single-column rules first, so that a combination is asked only for what they do not already ask
    by_size = sorted(range(len(RED_FLAG_RULES)), key=lambda i: (len(RED_FLAG_RULES[i].inputs) > 1, i))
    for i in by_size:
        rule = RED_FLAG_RULES[i]
        blank = np.stack([pd.isna(_values(log, c)).to_numpy(bool) for c in rule.inputs], axis=1)
        candidate = (TRIAGE_LEVELS.index(rule.level) < rank) & blank.any(axis=1)
        if not candidate.any():
            continue
        could = rule.fired(_worst_case(log, rule, "low")) | rule.fired(_worst_case(log, rule, "high"))
        missing = np.zeros(n, dtype=np.int64)
        for j, c in enumerate(rule.inputs):
            missing |= np.where(blank[:, j], bit[c], np.int64(0))
        # asked when some input it is missing has not been asked about yet
        new = np.asarray(candidate & could & ~rule.fired(log), dtype=bool) & ((missing & ~asked) != 0)
        asked[new] |= missing[new]
        chosen[new, i] = True
    codes = [tuple(RED_FLAG_RULES[i].code for i in np.flatnonzero(row)) for row in chosen]
    return pd.Series(codes, index=log.index, dtype=object)
