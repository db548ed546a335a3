"""The risk factors: each cause named in the seed article, defined once.

Every consumer -- the encoder, the simulation's truth, the model's tables,
the notebooks, the CLI and the trainer report -- reads the factors from
:data:`RISK_FACTORS`. An entry says which log columns it reads, how it turns
them into a yes/no exposure (with the threshold and why), what the article
claims, what published evidence says and how strong it is, the article's
prevention tip, and the odds ratio the simulated cohort uses as its truth.

The seed article is "Why Does My Back Hurt After Workout? Uncovering the
Surprising Reasons" (G. Wilkinson, 2024).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["FACTOR_NAMES", "LOAD_TERMS", "MODEL_FACTORS", "RISK_FACTORS", "STRENGTHS", "RiskFactor", "Scale",
           "factor_table", "get_factor"]

Strength = Literal["strong", "moderate", "limited", "none", "against"]

#: What each evidence grade means (for a causal effect on back pain, not on injuries in general).
STRENGTHS: dict[str, str] = {
    "strong": "consistent findings of good prospective studies or reviews for back pain itself",
    "moderate": "trials or good cohorts for back pain, with some inconsistency or moderate-quality evidence",
    "limited": "indirect, low-quality or disputed evidence: other injuries, occupational exposures, "
               "biomechanics, or an untested marker",
    "none": "no study found that links the exposure to back pain",
    "against": "good studies found no effect on back pain although the article claims one",
}
#: Grades whose factors the trainer's model leaves out: the evidence gives nothing to act on, so the
#: default model, its points card and the trainer report never present them as risks or as advice.
#: The notebooks still test the article's claim about them with a model that includes them.
EXCLUDED_STRENGTHS: tuple[str, ...] = ("none", "against")

# thresholds, named once so encoding text and code cannot drift apart
WARMUP_MIN = 10
COOLDOWN_MIN = 5
FORM_POOR_MAX = 2
PLANK_WEAK_S = 60
SITTING_LONG_H = 8
RPE_HARD = 7
ACWR_SPIKE = 1.5
#: The acute:chronic "sweet spot" of Gabbett 2016, drawn on load charts (not a factor threshold).
ACWR_SWEET_SPOT = (0.8, 1.3)
WATER_LOW_L = 1.5
MORNING_BEFORE_H = 9
SIT_REACH_POOR_CM = 0


@dataclass(frozen=True)
class Scale:
    """How a measured exposure enters the dose-response model, on its own scale.

    Attributes
    ----------
    column : str
        The natural-scale input (a session-log column, or a derived load column).
    unit : str
        Its unit, for tables and axes.
    reference : float
        The good-practice value a session is compared against (warm-up 10
        min, plank 60 s): a factor's contribution is measured from it, and a
        session at or on the better side of it gets none in explanations
        and plans.
    better : {"higher", "lower"}
        Which side of the reference is good practice.
    shape : {"spline", "linear"}, default="spline"
        ``spline``: a restricted cubic spline with ``knots`` knots at
        Harrell's quantiles of the training values (linear beyond the outer
        knots); ``linear``: one slope (for few distinct values, like a 1-5 score).
    knots : int, default=4
    limits : tuple of float
        Values are clipped to this range before the model sees them (an
        acute:chronic ratio of infinity, after a break, counts as the upper limit).
    contrast : tuple of float
        ``(exposed, reference)`` values of the effects table (as ``rms::summary``).
    bands : tuple of float
        Edges of the points card's ranges, ascending (``(5, 10)``: 0-4, 5-9, 10+).
    advice : str
        The plain-words target that advice and the card speak in, on the
        measure's own scale ("10+ min", "4-5", "6 or less").
    truth : callable
        ``truth(x) -> log-odds``: the simulation's true curve relative to the
        reference (0 there and on its better side).
    truth_source : str
        Where that curve comes from, or that it is an assumption.
    label : str
        The measure in words, for texts ("warm-up", "plank").
    shown_unit : str or None
        The unit as texts print it after a value (default: ``unit``; ``""`` for none).
    resolution : float, default=1
        The finest step the measure is recorded in (1 min, 1 s, 0.01 of a
        ratio): a fine points card's ranges start on multiples of it.
    step : bool, default=True
        Whether the model may also jump at the factor's plain-words
        threshold (its yes/no exposure, see
        :meth:`~backpain_analysis.features.RiskFactorEncoder.basis`);
        ``False`` for a term that has no such threshold.
    """

    column: str
    unit: str
    reference: float
    better: Literal["higher", "lower"]
    contrast: tuple[float, float]
    bands: tuple[float, ...]
    advice: str
    truth: Callable[[np.ndarray], np.ndarray] = field(repr=False, compare=False)
    truth_source: str = ""
    shape: Literal["spline", "linear"] = "spline"
    knots: int = 4
    limits: tuple[float, float] = (-np.inf, np.inf)
    label: str = ""
    shown_unit: str | None = None
    resolution: float = 1.0
    step: bool = True

    def describe(self, value: float) -> str:
        """A value in words: ``"warm-up 3 min"``, ``"RPE 8"``, ``"acute:chronic load 1.7"`` (``"3+"`` at a limit)."""
        unit = self.unit if self.shown_unit is None else self.shown_unit
        number = f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"
        if value >= self.limits[1] and self.limits[1] < self._largest_recordable():
            number += "+"  # clipped at the model's limit: the value was this or more ("acute:chronic load 3+")
        return f"{self.label} {number}" + (f" {unit}" if unit else "")

    def _largest_recordable(self) -> float:
        """The largest value the session-log contract accepts in this scale's column (no bound: infinity)."""
        from .sessionlog.contract import COLUMN_NAMES, column

        top = column(self.column).max if self.column in COLUMN_NAMES else None
        return np.inf if top is None else float(top)

    def clip(self, values: np.ndarray) -> np.ndarray:
        """Values as the model sees them: clipped to ``limits`` (missing stays missing)."""
        return np.clip(np.asarray(values, dtype=float), *self.limits)

    def worse(self, values: np.ndarray) -> np.ndarray:
        """Whether each value is on the worse side of the reference (missing: False)."""
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return (v < self.reference) if self.better == "higher" else (v > self.reference)

    def band_labels(self, edges: tuple[float, ...] | None = None) -> list[str]:
        """The card's range labels: ``["under 5", "5 to 9", "10+"]``, ``["1-2", "3", "4-5"]`` for a score.

        ``edges`` are other ascending range edges than the registry's
        ``bands`` (a fine card's, see :func:`~backpain_analysis.points.points_card`).
        """
        edges = [float(e) for e in (self.bands if edges is None else edges)]
        if not edges:
            return ["any value"]  # one range (a curve that scores the same points throughout)
        whole = self.whole(edges)
        score = self.shape == "linear" and np.isfinite(self.limits).all()  # a bounded score: show both ends
        labels = []
        for i in range(len(edges) + 1):
            lo = edges[i - 1] if i else None
            hi = edges[i] if i < len(edges) else None
            if not whole:
                labels.append(f"under {hi:g}" if lo is None else f"{lo:g}+" if hi is None
                              else f"{lo:g} to under {hi:g}")
                continue
            first = self.limits[0] if lo is None else lo
            last = self.limits[1] if hi is None else hi - 1
            if score:
                labels.append(f"{first:g}" if first == last else f"{first:g}-{last:g}")
            elif lo is None:
                labels.append(f"{first:g}" if first == last else f"under {hi:g}")
            elif hi is None:
                labels.append(f"{lo:g}+")
            else:
                labels.append(f"{lo:g}" if lo == last else f"{lo:g} to {last:g}")
        return labels

    def band_of(self, values: np.ndarray, edges: tuple[float, ...] | None = None) -> np.ndarray:
        """Index of each value's card range (values must be recorded), by ``bands`` or by other ``edges``."""
        edges = self.bands if edges is None else edges
        return np.searchsorted(np.asarray(edges, dtype=float), self.clip(values), side="right")

    def whole(self, edges: tuple[float, ...] | None = None) -> bool:
        """Whether the measure is read in whole units on the card (minutes, seconds; not a ratio or litres)."""
        edges = self.bands if edges is None else edges
        return all(float(e).is_integer() for e in edges) and self.unit not in ("ratio", "l")


def _ramp(slope_or: float, start: float, per: float, *,
          side: Literal["below", "above"]) -> Callable[[np.ndarray], np.ndarray]:
    """A true curve: 0 on the good side of ``start``, then log(``slope_or``) per ``per`` units."""

    def curve(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        dist = (start - x) if side == "below" else (x - start)
        return np.log(slope_or) * np.maximum(dist / per, 0.0)

    return curve


def _line(slope: float, at: float) -> Callable[[np.ndarray], np.ndarray]:
    """A true curve: log-odds falling by ``slope`` per unit, 0 at ``at``."""
    return lambda x: slope * (at - np.asarray(x, dtype=float))


def _decay(size: float, scale: float) -> Callable[[np.ndarray], np.ndarray]:
    """A true curve: ``size * exp(-x / scale)``, a benefit that diminishes with more."""
    return lambda x: size * np.exp(-np.asarray(x, dtype=float) / scale)


def _softplus(slope: float, start: float, width: float) -> Callable[[np.ndarray], np.ndarray]:
    """A true curve: a smooth hinge, flat well below ``start``, rising by ``slope`` per unit well above it."""
    return lambda x: slope * width * np.log1p(np.exp((np.asarray(x, dtype=float) - start) / width))


def _flat(x: np.ndarray) -> np.ndarray:
    return np.zeros(np.shape(x))


@dataclass(frozen=True)
class RiskFactor:
    """One cause of post-workout back pain, as the library encodes it.

    Attributes
    ----------
    name : str
        Feature name used by the encoder and the model (snake_case).
    title : str
        Plain-words label for reports ("Short or no warm-up").
    cause : str
        The cause as the seed article names it.
    inputs : tuple of str
        Session-log columns (or derived load columns) the factor reads.
    encoding : str
        How the inputs become a yes/no exposure, with the threshold and why.
    explanation : str
        One paragraph: why this could hurt a back.
    article : str
        What the article claims, quoted briefly, with its section.
    evidence : str
        What published studies say, with numbers and citations.
    strength : {"strong", "moderate", "limited", "none", "against"}
        How strong the evidence for a causal effect on back pain is
        (:data:`STRENGTHS` says what each grade means). ``against`` means
        good studies found no effect although the article claims one.
    strength_reason : str
        Why this grade, in one or two sentences.
    sources : tuple of str
        Keys of the works cited (:data:`backpain_analysis.sources.SOURCES`).
    tip : str
        The article's prevention tip, in the article's terms.
    advice : str
        Where the evidence disagrees with the article: what it suggests instead
        (empty when the tip stands).
    simulated_or : float
        Odds ratio the simulated cohort draws back pain with (its "truth").
    simulated_or_source : str
        Where that number comes from.
    encode : callable
        ``encode(prepared_log) -> Series[boolean]``: the yes/no exposure at
        the plain-words threshold (what the threshold model and the
        threshold world of the simulation use); missing where the inputs
        were not recorded (or, for load factors, there is not enough history).
    scale : Scale or None
        For a measured exposure, how the dose-response model reads it on its
        own scale; ``None`` for yes/no inputs, which enter as yes/no.
    unknown_means : str
        What a missing exposure means for this factor.
    remedy : mapping
        Log changes that remove the exposure, for ``what_if`` (empty when the
        factor cannot be changed, like a history of back pain).
    remedy_text : str
        The change in a trainer's words.
    hint : str
        How to tell the factor by hand where its title is not enough, as the
        points card prints it under the title (empty when the title says it).
    """

    name: str
    title: str
    cause: str
    inputs: tuple[str, ...]
    encoding: str
    explanation: str
    article: str
    evidence: str
    strength: Strength
    strength_reason: str
    sources: tuple[str, ...]
    tip: str
    simulated_or: float
    simulated_or_source: str
    encode: Callable[[pd.DataFrame], pd.Series] = field(repr=False, compare=False)
    advice: str = ""
    unknown_means: str = "not recorded"
    remedy: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)
    remedy_text: str = ""
    hint: str = ""
    scale: Scale | None = None

    @property
    def in_model(self) -> bool:
        """True when the default (trainer's) model uses the factor: its grade is not "none" or "against"."""
        return self.strength not in EXCLUDED_STRENGTHS

    @property
    def modifiable(self) -> bool:
        """True when a trainer can change the exposure (there is a remedy)."""
        return bool(self.remedy)

    def to_markdown(self, *, parts: tuple[str, ...] = ("article", "evidence", "encoding", "tip")) -> str:
        """The entry as Markdown, for notebooks (``IPython.display.Markdown``) and reports.

        Parameters
        ----------
        parts : tuple of str, default=("article", "evidence", "encoding", "tip")
            Which parts to include, in order; also accepts ``"explanation"``
            and ``"truth"`` (the simulation's odds ratio and its source).

        Returns
        -------
        str
        """
        labels = {
            "article": ("What the article claims", self.article),
            "explanation": ("Why it could matter", self.explanation),
            "evidence": (f"What the evidence says (strength: {self.strength})",
                         f"{self.evidence} *Why this grade:* {self.strength_reason}"),
            "encoding": (f"How it is encoded (`{self.name}`, reads {', '.join(self.inputs)})",
                         f"{self.encoding} Unknown means: {self.unknown_means}."),
            "tip": ("The article's tip", self.tip + (f" *Evidence-based note:* {self.advice}" if self.advice else "")),
            "truth": ("Simulated truth", f"OR {self.simulated_or:g} ({self.simulated_or_source})."),
            "model": ("In the trainer's model", "yes" if self.in_model else
                      f"no: graded {self.strength}, so the default model leaves it out"),
        }
        lines = [f"**{self.title}**", ""]
        for part in parts:
            head, text = labels[part]
            lines += [f"- *{head}:* {text}"]
        return "\n".join(lines)


def _b(s: pd.Series) -> pd.Series:
    return s.astype("boolean")


RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor(
        name="short_warmup",
        title=f"Short or no warm-up (< {WARMUP_MIN} min)",
        cause="Lack of warm-up",
        inputs=("warmup_min",),
        encoding=(
            f"warmup_min < {WARMUP_MIN}. Structured injury-prevention warm-ups in the trials "
            "below last 10-20 minutes, so under 10 minutes is counted as short."
        ),
        explanation=(
            "A warm-up raises muscle temperature and rehearses the movement patterns of the "
            "session; cold tissue tolerates sudden load less well, so strains are more likely "
            "when the first heavy sets come without preparation."
        ),
        article=(
            "'Lack of Warm-Up': 'Skipping this step or not warming up enough can put additional "
            "strain on your back muscles, increasing the risk of injury and pain.'"
        ),
        evidence=(
            "For sports injuries, mostly of the lower limb, not for back pain: a structured warm-up cut "
            "injuries in young female footballers (FIFA 11+ trial, RR 0.68, 95% CI 0.48-0.98; Soligard et "
            "al. 2008, BMJ 337:a2469); pooled over trials, the FIFA programmes lowered football injuries "
            "(RR 0.75, 0.57-0.98; FIFA 11+ alone IRR 0.61, 0.48-0.77; Thorborg et al. 2017, Br J Sports "
            "Med 51:562-571); a review of neuromuscular warm-ups gave one estimate per programme for "
            "lower-limb injuries, without pooling (11+ RR 0.67, 0.54-0.84; Herman et al. 2012, BMC Med "
            "10:75). No trial measured back pain after gym sessions."
        ),
        strength="limited",
        strength_reason=(
            "the trials are moderate evidence for football injuries, mostly of the legs; for back pain "
            "the evidence is indirect."
        ),
        sources=("soligard2008", "thorborg2017", "herman2012"),
        tip="Warm up properly before every workout: brisk walk, light jog or dynamic stretches "
        "that raise the heart rate and target the major muscle groups.",
        simulated_or=1.4,
        simulated_or_source=(
            "a teaching assumption: 1 / 0.7, about the injury reduction of the warm-up trials (RR 0.75 pooled, "
            "0.61 for FIFA 11+; Thorborg et al. 2017), carried over to back pain, which no trial measured"
        ),
        encode=lambda d: _b(d["warmup_min"] < WARMUP_MIN),
        remedy={"warmup_min": 15},
        remedy_text="warm up for 15 minutes",
        scale=Scale(
            "warmup_min", "min", reference=WARMUP_MIN, better="higher", contrast=(0, WARMUP_MIN),
            bands=(5, WARMUP_MIN), advice=f"{WARMUP_MIN}+ min", limits=(0, 60),
            truth=_ramp(1.4, WARMUP_MIN, 7, side="below"),
            truth_source=(
                "an assumption: log-odds fall linearly with each minute of warm-up up to 10 min (OR 1.4 per 7 "
                "min short of it), flat beyond; the warm-up trials used programmes of 10-20 min"
            ),
            label="warm-up",
        ),
    ),
    RiskFactor(
        name="no_stretching",
        title="No stretching",
        cause="Inadequate stretching",
        inputs=("stretching",),
        encoding="stretching == no.",
        explanation=(
            "The article holds that stretching back, hamstrings and quadriceps improves "
            "flexibility and so prevents strain. Stretching does increase range of motion "
            "for a while; whether that prevents injury is a different question."
        ),
        article=(
            "'Stretch properly': 'stretching is also important for preventing post-workout back "
            "pain' (Tips for Preventing Post-Workout Back Pain, tip 2)."
        ),
        evidence=(
            "Against the article: in a meta-analysis of randomised trials stretching did not "
            "prevent sports injuries (RR 0.963, 95% CI 0.846-1.095; Lauersen et al. 2014, "
            "Br J Sports Med 48:871-877), and stretching before and after running did not "
            "prevent running injuries (van Mechelen et al. 1993, Am J Sports Med 21:711-719)."
        ),
        strength="against",
        strength_reason="randomised trials and their meta-analysis found no preventive effect.",
        sources=("lauersen2014", "vanmechelen1993"),
        tip="Stretch properly: target the muscles in your back and other key muscle groups such as your "
        "hamstrings and quadriceps to improve flexibility and decrease the likelihood of strain.",
        advice="Stretch if it helps you move well, but do not count on it to prevent back pain; "
        "strength work and gradual progression have better evidence.",
        simulated_or=1.0,
        simulated_or_source="RR 0.96 (Lauersen et al. 2014): no effect",
        encode=lambda d: _b(~d["stretching"].astype("boolean")),
        remedy={"stretching": True},
        remedy_text="add stretching to the session",
    ),
    RiskFactor(
        name="poor_form",
        title=f"Poor form or posture (form score <= {FORM_POOR_MAX} of 5)",
        cause="Poor form and posture",
        inputs=("form_score",),
        encoding=(
            f"form_score <= {FORM_POOR_MAX} on the trainer's 1-5 scale: a 1 or 2 means the trainer saw "
            "rounded or over-arched backs under load, which is what the article warns about."
        ),
        explanation=(
            "Lifting with a flexed or twisted spine moves load from the hips and legs onto the "
            "lumbar muscles, ligaments and discs."
        ),
        article=(
            "'Poor Posture': 'Most people do not pay enough attention to their form when lifting "
            "weights ... which can put unnecessary strain on their back muscles.'"
        ),
        evidence=(
            "Limited and disputed: trunk flexion >= 60 degrees for > 5% of working time raised "
            "low-back-pain risk (RR 1.5; Hoogendoorn et al. 2000, Spine 25:3087-3092), but a "
            "review of reviews found no consensus that posture causes back pain (Swain et al. 2020, "
            "J Biomech 102:109312)."
        ),
        strength="limited",
        strength_reason=(
            "one occupational cohort found a modest association with trunk flexion; a review of reviews found "
            "no consensus that posture causes back pain."
        ),
        sources=("hoogendoorn2000", "swain2020"),
        tip="Engage your core, keep your spine neutral, avoid rounding or over-arching; "
        "work with a trainer if unsure of form.",
        simulated_or=1.5,
        simulated_or_source=(
            "an assumption taken from the occupational RR 1.5 for trunk flexion (Hoogendoorn et al. 2000), not "
            "a measured effect of gym technique"
        ),
        encode=lambda d: _b(d["form_score"] <= FORM_POOR_MAX),
        remedy={"form_score": 4},
        scale=Scale(
            "form_score", "points (1-5)", reference=4, better="higher", contrast=(FORM_POOR_MAX, 4),
            bands=(FORM_POOR_MAX + 1, 4), advice="4-5", shape="linear", limits=(1, 5),
            truth=_line(np.log(1.5) / 2, 4),
            truth_source="an assumption: OR 1.5 at a score of 2 against 4 (the size of Hoogendoorn et al. 2000's "
                         "RR 1.5), linear in the score",
            label="form score", shown_unit="",
        ),
        remedy_text="coach technique to a form score of 4 (lighter load until form holds)",
    ),
    RiskFactor(
        name="weak_core",
        title=f"Weak core (plank < {PLANK_WEAK_S} s)",
        cause="Weak core muscles",
        inputs=("plank_s",),
        encoding=(
            f"plank_s < {PLANK_WEAK_S}: a front plank held for less than a minute. This is a "
            "practical coaching cut-off, not a validated clinical threshold."
        ),
        explanation=(
            "Trunk muscles stiffen and steady the spine under load; with little endurance they "
            "fatigue early in a session and the passive structures take more of the load."
        ),
        article=(
            "'Weak Core Muscles': 'If these muscles are weak or underdeveloped, they will not be "
            "able to support your body properly during workouts, leading to strain on your back.'"
        ),
        evidence=(
            "Exercise may prevent low back pain, but the evidence for exercise alone is of low to very "
            "low quality (RR 0.65, 95% CI 0.50-0.86); only exercise combined with education has "
            "moderate-quality evidence (RR 0.55, 0.41-0.74; Steffens et al. 2016, JAMA Intern Med "
            "176:199-208). Poor isometric back-extensor endurance predicted first-time low-back trouble "
            "in men (Biering-Sorensen 1984, Spine 9:106-119). No study has tested a plank time as a "
            "marker of risk."
        ),
        strength="limited",
        strength_reason=(
            "exercise alone is supported only by low- to very-low-quality evidence, and a plank time is an "
            "untested marker."
        ),
        sources=("steffens2016", "bieringsorensen1984"),
        tip="Strengthen your core: planks, bridges, Russian twists and bicycle crunches.",
        simulated_or=1.5,
        simulated_or_source=(
            "a teaching assumption: 1 / 0.65, the effect of exercise alone on back pain (low-quality evidence, "
            "Steffens et al. 2016), given to a plank time, which no study tested"
        ),
        encode=lambda d: _b(d["plank_s"] < PLANK_WEAK_S),
        remedy={"plank_s": 90},
        scale=Scale(
            "plank_s", "s", reference=PLANK_WEAK_S, better="higher", contrast=(30, PLANK_WEAK_S),
            bands=(30, PLANK_WEAK_S), advice=f"{PLANK_WEAK_S}+ s", limits=(0, 300),
            truth=_decay(1.74, 30.0),
            truth_source="an assumption: log-odds falling with plank time at a diminishing rate (1.74 e^(-x/30)): "
                         "OR 1.5 at 30 s against 60 s, little gain beyond 2 minutes (poor back-extensor endurance "
                         "predicted back trouble, Biering-Sorensen 1984)",
            label="plank",
        ),
        remedy_text="build core endurance to a 90 s plank (takes weeks)",
        hint=f"front plank held under {PLANK_WEAK_S} s",
    ),
    RiskFactor(
        name="long_sitting",
        title=f"Prolonged sitting ({SITTING_LONG_H}+ h a day)",
        cause="Sedentary lifestyle and prolonged sitting",
        inputs=("sitting_h",),
        encoding=(
            f"sitting_h >= {SITTING_LONG_H}: a full office day or more. Studies that found an "
            "effect compared more than half the working day sitting with less."
        ),
        explanation=(
            "Long sitting keeps the hips flexed and the trunk muscles idle; the article argues "
            "it weakens the core and leaves the back unready for a workout."
        ),
        article=(
            "Understanding Post-Workout Back Pain: 'individuals who have a sedentary lifestyle or "
            "sit for long periods during the day may experience post-workout back pain due to "
            "weakened core muscles.'"
        ),
        evidence=(
            "Against, for sitting alone: sitting alone was not associated with low back pain in a "
            "systematic review, only sitting combined with whole-body vibration or awkward postures (Lis "
            "et al. 2007, Eur Spine J 16:283-298); a causal assessment found strong evidence against "
            "occupational sitting on its own causing low back pain (Roffey et al. 2010, Spine J 10:252-261; "
            "summarised with the same group's other reviews by Kwon et al. 2011, Occup Med 61:541-548). "
            "Driving was associated with acute herniated lumbar discs in a matched case-control study "
            "(Kelsey & Hardy 1975, Am J Epidemiol 102:63-73; analysed in notebook 05 from the bundled data)."
        ),
        strength="against",
        strength_reason=(
            "systematic reviews applying causal criteria found strong evidence against sitting alone causing "
            "back pain; driving (vibration, posture) is a different exposure."
        ),
        sources=("lis2007", "roffey2010", "kwon2011", "kelsey1975"),
        tip="Break up sitting, keep moving during the day, and do not go straight from the desk "
        "to heavy lifts.",
        simulated_or=1.0,
        simulated_or_source=(
            "no effect: the evidence is against sitting alone causing back pain (Roffey et al. 2010)"
        ),
        encode=lambda d: _b(d["sitting_h"] >= SITTING_LONG_H),
        remedy={},
        remedy_text="",
        scale=Scale(
            "sitting_h", "h a day", reference=6, better="lower", contrast=(10, 6), bands=(6, SITTING_LONG_H),
            advice="6 h or less", limits=(0, 16), truth=_flat,
            truth_source="no effect, as the evidence says (Roffey et al. 2010)",
            label="sitting",
        ),
    ),
    RiskFactor(
        name="hard_session",
        title=f"Very hard session (RPE >= {RPE_HARD})",
        cause="Pushing too hard without breaks",
        inputs=("rpe",),
        encoding=(
            f"rpe >= {RPE_HARD} on the CR-10 session-RPE scale, where 7 is labelled 'very hard' "
            "(Foster et al. 2001, J Strength Cond Res 15:109-115)."
        ),
        explanation=(
            "Near-maximal sessions fatigue the trunk muscles that protect the spine, and fatigue "
            "degrades technique in the last sets."
        ),
        article=(
            "'Take breaks': 'Pushing yourself too hard without giving your body time to recover "
            "can increase the risk of injury.'"
        ),
        evidence=(
            "Limited: session intensity is part of the load-injury relationship (Soligard et al. "
            "2016, IOC consensus, Br J Sports Med 50:1030-1041), but no study isolates one hard "
            "session as a cause of back pain."
        ),
        strength="limited",
        strength_reason="consensus on load and injury in sport; no study of single hard sessions and back pain.",
        sources=("soligard2016", "foster2001"),
        tip="Take breaks when needed and listen to your body's limits.",
        simulated_or=1.3,
        simulated_or_source="a small effect assumed (no direct estimate exists)",
        encode=lambda d: _b(d["rpe"] >= RPE_HARD),
        remedy={"rpe": 5},
        remedy_text="keep the session at a moderate effort (RPE 5)",
        scale=Scale(
            "rpe", "CR-10", reference=RPE_HARD - 1, better="lower", contrast=(8, RPE_HARD - 1),
            bands=(RPE_HARD, 9), advice=f"{RPE_HARD - 1} or less", knots=3, limits=(0, 10),
            truth=_ramp(1.3, RPE_HARD - 1, 2, side="above"),
            truth_source="an assumption: OR 1.3 per 2 points of RPE above 6, no direct estimate exists",
            label="RPE", shown_unit="",
        ),
        hint=f"the client rates the session {RPE_HARD}+ on the 0-10 RPE scale",
    ),
    RiskFactor(
        name="no_rest_day",
        title="No rest day in the previous 7 days",
        cause="Overtraining and too little rest",
        inputs=("date", "rest_days_prev7"),
        encoding=(
            "rest_days_prev7 == 0: the client trained on each of the 7 days before this session. "
            "Unknown until the log covers 7 days before the session."
        ),
        explanation=(
            "Tissue adapts between sessions, not during them; training every day leaves no time "
            "for that recovery."
        ),
        article=(
            "'Overtraining': 'Incorporate rest days into your routine so that your body has time "
            "to recover properly.'"
        ),
        evidence=(
            "Limited: load management and recovery are recommended by consensus (Soligard et al. "
            "2016); direct evidence for back pain is lacking."
        ),
        strength="limited",
        strength_reason="expert consensus only.",
        sources=("soligard2016",),
        tip="Incorporate rest days so that your body has time to recover; mix up workout types.",
        simulated_or=1.3,
        simulated_or_source="a small effect assumed (consensus, no direct estimate exists)",
        encode=lambda d: _b(d["rest_days_prev7"] == 0),
        unknown_means="not enough history (less than 7 days logged before the session)",
        remedy={},
        remedy_text="",
        hint="trained on each of the 7 days before",
    ),
    RiskFactor(
        name="load_spike",
        title=f"Sudden jump in load (acute:chronic > {ACWR_SPIKE})",
        cause="Sudden increases in intensity",
        inputs=("date", "duration_min", "rpe", "acwr"),
        encoding=(
            f"acwr > {ACWR_SPIKE}, where acwr is the uncoupled EWMA acute:chronic workload ratio "
            "of session load (RPE x minutes): a 7-day EWMA of daily load divided by a 28-day EWMA "
            "that ends where the acute week starts (so the acute week is not in its own "
            "denominator). Unknown until 28 days are logged. 1.5 is the 'danger zone' of a narrative "
            "review (Gabbett 2016), drawn from coupled rolling-average ratios; it is a convention, not a "
            "threshold measured for this ratio."
        ),
        explanation=(
            "Tissues adapt to the load they are used to; a week far above the recent average "
            "loads them beyond what they have adapted to."
        ),
        article=(
            "FAQ: 'gradually increasing the intensity of your workouts'; 'participating in a more "
            "strenuous activity than usual' (Take breaks)."
        ),
        evidence=(
            "Limited and contested: in elite cricket fast bowlers, a week's load above the 4-week average "
            "went with RR 2.1-2.2 of injury, and above twice that average with RR 3.3-4.5 (Hulin et al. "
            "2014, Br J Sports Med 48:708-712), ratios in which the acute week is part of its own "
            "(coupled) denominator; the 1.5 'danger zone' comes from a narrative review of such data "
            "(Gabbett 2016, Br J Sports Med 50:273-280). Coupling creates spurious correlation (Lolli et "
            "al. 2019, Br J Sports Med 53:921-922), the ratio fails to normalise even when uncoupled and "
            "no causal estimate exists (Impellizzeri et al. 2020, Int J Sports Physiol Perform 15:907-913), "
            "and ratios with contrived chronic loads reproduce the reported odds ratios (Impellizzeri et "
            "al. 2021, Sports Med 51:581-592). The EWMA form follows a letter (Williams et al. 2017, Br J "
            "Sports Med 51:209-210); none of these numbers was measured for the uncoupled EWMA ratio used "
            "here, nor for back pain."
        ),
        strength="limited",
        strength_reason=(
            "the risk ratios come from coupled rolling averages in elite cricket and team sports, for injuries "
            "in general, and do not carry over to the uncoupled EWMA ratio or to back pain; the ratio itself is "
            "contested."
        ),
        sources=("hulin2014", "gabbett2016", "lolli2019", "impellizzeri2020", "impellizzeri2021",
                 "williams2017"),
        tip="Gradually increase the intensity of your workouts; avoid sudden jumps in volume.",
        simulated_or=2.0,
        simulated_or_source=(
            "a teaching assumption at the low end of Hulin et al. 2014's RR 2.1-4.5 (coupled ratios, cricket "
            "injuries), not a measured effect of this ratio on back pain"
        ),
        encode=lambda d: _b(d["acwr"] > ACWR_SPIKE),
        unknown_means="not enough history (less than 28 days logged)",
        remedy={"duration_min": lambda s: (s * 0.5).clip(lower=1)},
        remedy_text="halve today's session volume",
        scale=Scale(
            "acwr", "ratio", reference=1.0, better="lower", contrast=(1.6, 1.0), bands=(1.2, ACWR_SPIKE, 1.8, 2.2),
            advice="1.0 or less", limits=(0, 3), resolution=0.01,
            truth=_softplus(np.log(2.0) / 0.6, 1.05, 0.15),
            truth_source="an assumption: flat below a ratio of about 1, then rising about linearly (a smooth "
                         "hinge): OR 1.7 at 1.6 against 1.0 (the shape of Hulin et al. 2014's graded risks, not "
                         "their numbers)",
            label="acute:chronic load", shown_unit="",
        ),
        hint=f"roughly: this week's RPE x minutes is over {ACWR_SPIKE} x the weekly average of the 4 weeks before",
    ),
    RiskFactor(
        name="heavy_lifting",
        title="Heavy lifting (>= 80% 1RM or heavy floor lifts)",
        cause="Heavy lifting",
        inputs=("heavy_lifting",),
        encoding="heavy_lifting == yes, as the trainer records it.",
        explanation="Heavy loads compress and shear the lumbar spine more than any other gym task.",
        article=(
            "FAQ: 'exercises that involve heavy lifting or repetitive bending and twisting motions "
            "can put more strain on your back muscles.'"
        ),
        evidence=(
            "Limited (occupational associations): lifting >= 25 kg more than 15 times a day raised "
            "low-back-pain risk (RR 1.6; Hoogendoorn et al. 2000, Spine 25:3087-3092), and a "
            "meta-analysis found the risk rising with the weight and number of daily lifts (Coenen et "
            "al. 2014, Occup Environ Med 71:871-877); but a systematic review applying causal criteria "
            "judged occupational lifting unlikely to be on its own a cause of low back pain (Wai et al. "
            "2010, Spine J 10:554-566). Gym lifting with good technique and progression is not the same "
            "exposure."
        ),
        strength="limited",
        strength_reason=(
            "occupational cohorts and a meta-analysis find associations, but a causal assessment judged lifting "
            "unlikely to cause back pain on its own; gym lifting was not studied."
        ),
        sources=("hoogendoorn2000", "coenen2014", "wai2010lifting"),
        tip="Modify heavy lifts or choose alternatives if they cause discomfort; progress loads "
        "gradually.",
        simulated_or=1.7,
        simulated_or_source=(
            "an assumption near the occupational RR 1.6 for frequent heavy lifts (Hoogendoorn et al. 2000)"
        ),
        encode=lambda d: _b(d["heavy_lifting"]),
        remedy={"heavy_lifting": False},
        remedy_text="swap heavy lifts for sub-maximal ones today",
        hint="sets at 80%+ of one-repetition maximum, or heavy floor lifts",
    ),
    RiskFactor(
        name="bending_twisting",
        title="Repeated loaded bending or twisting",
        cause="Repetitive bending and twisting",
        inputs=("bending_twisting",),
        encoding="bending_twisting == yes, as the trainer records it.",
        explanation="Repeated flexion and rotation under load fatigue discs and ligaments.",
        article=(
            "FAQ: 'exercises that involve heavy lifting or repetitive bending and twisting motions "
            "can put more strain on your back muscles.'"
        ),
        evidence=(
            "Limited (occupational associations): trunk rotation >= 30 degrees RR 1.3 (confidence "
            "interval including 1) and flexion RR 1.5 (Hoogendoorn et al. 2000, Spine 25:3087-3092); "
            "a systematic review applying causal criteria judged occupational bending and twisting "
            "unlikely to be on their own a cause of low back pain (Wai et al. 2010, Spine J 10:76-88)."
        ),
        strength="limited",
        strength_reason="occupational associations only, judged unlikely to be causal on their own.",
        sources=("hoogendoorn2000", "wai2010bending"),
        tip="Modify exercises with repeated loaded bending or twisting, or choose alternatives.",
        simulated_or=1.4,
        simulated_or_source=(
            "an assumption between the occupational RR 1.3 (rotation) and 1.5 (flexion) of Hoogendoorn et al. 2000"
        ),
        encode=lambda d: _b(d["bending_twisting"]),
        remedy={"bending_twisting": False},
        remedy_text="replace loaded bending/twisting drills",
    ),
    RiskFactor(
        name="low_water",
        title=f"Little water (< {WATER_LOW_L} l that day)",
        cause="Dehydration",
        inputs=("water_l",),
        encoding=(
            f"water_l < {WATER_LOW_L}: the low end of what adults drink when they meet the advised total "
            "water intake (2.0-2.5 l a day including food, EFSA 2010)."
        ),
        explanation=(
            "The article argues water lubricates joints and keeps muscles from stiffening. Spinal "
            "discs lose and regain water every day with posture, not with what one drinks."
        ),
        article="'Stay hydrated': 'staying hydrated is crucial for preventing post-workout back pain.'",
        evidence=(
            "None found: no study links drinking water to exercise-related back pain; disc water "
            "content follows loading and the time of day (Adams et al. 1987, Spine 12:130-137)."
        ),
        strength="none",
        strength_reason="no study links drinking water to back pain.",
        sources=("efsa2010", "adams1987"),
        tip="Stay hydrated: water helps lubricate joints and keeps muscles from becoming dehydrated and stiff.",
        advice="Drinking enough is good for training anyway, but do not expect it to prevent back pain.",
        simulated_or=1.0,
        simulated_or_source="no evidence: null effect",
        encode=lambda d: _b(d["water_l"] < WATER_LOW_L),
        remedy={"water_l": 2.5},
        remedy_text="drink about 2.5 l over the day",
        scale=Scale(
            "water_l", "l", reference=WATER_LOW_L, better="higher", contrast=(1.0, 2.0), bands=(WATER_LOW_L,),
            advice=f"{WATER_LOW_L:g}+ l", knots=3, limits=(0, 8), truth=_flat, resolution=0.1,
            truth_source="no effect (no evidence)",
            label="water",
        ),
    ),
    RiskFactor(
        name="morning_session",
        title=f"Morning session (before {MORNING_BEFORE_H}:00)",
        cause="Training in the morning or straight after long sitting",
        inputs=("start_time",),
        encoding=(
            f"start_time before {MORNING_BEFORE_H:02d}:00. The log does not record sitting right before "
            "a session; daily sitting is the long_sitting factor."
        ),
        explanation=(
            "After a night lying down, discs hold more water and the spine is stiffer, so bending "
            "loads the discs and ligaments more in the first hours after rising."
        ),
        article=(
            "FAQ: 'it is more common after prolonged sitting or in the morning when your muscles "
            "have had time to stiffen overnight.'"
        ),
        evidence=(
            "Limited: bending stresses on lumbar discs and ligaments are higher early in the day "
            "(Adams et al. 1987, Spine 12:130-137); avoiding early-morning flexion reduced chronic "
            "back pain in a trial (Snook et al. 1998, Spine 23:2601-2607)."
        ),
        strength="limited",
        strength_reason=(
            "biomechanical studies and one trial in chronic back pain; nothing on morning training and new "
            "back pain."
        ),
        sources=("adams1987", "snook1998"),
        tip="In the morning, warm up longer and avoid heavy bending in the first hour after rising.",
        simulated_or=1.2,
        simulated_or_source="a small effect assumed (biomechanical evidence only)",
        encode=lambda d: _b(d["start_hour"] < MORNING_BEFORE_H),
        remedy={"start_time": "17:00"},
        remedy_text="move the session to later in the day",
    ),
    RiskFactor(
        name="poor_flexibility",
        title="Poor flexibility / muscle imbalance (cannot reach toes)",
        cause="Muscle imbalances and poor flexibility",
        inputs=("sit_reach_cm",),
        encoding=(
            f"sit_reach_cm < {SIT_REACH_POOR_CM}: fingertips stop short of the toes in the sit-and-reach "
            "test, a sign of tight hamstrings and lower back."
        ),
        explanation=(
            "Tight hamstrings tilt the pelvis backwards and force the lumbar spine to bend more in "
            "forward-bending tasks; imbalances shift load onto one side."
        ),
        article=(
            "Conclusion: 'addressing any muscle imbalances or weaknesses through stretching and "
            "strengthening exercises can help prevent back pain.'"
        ),
        evidence=(
            "Limited: in a meta-analysis of prospective cohorts, three measures predicted new low back "
            "pain: reduced lateral bending (OR 0.41, 95% CI 0.24-0.73), limited lumbar lordosis (OR 0.73, "
            "0.55-0.98) and restricted hamstring range (OR 0.96, 0.94-0.98; Sadler et al. 2017, BMC "
            "Musculoskelet Disord 18:179). The sit-and-reach test used here was not among them."
        ),
        strength="limited",
        strength_reason=(
            "associations in cohorts for other flexibility measures; the sit-and-reach test itself was not "
            "shown to predict back pain."
        ),
        sources=("sadler2017",),
        tip="Address muscle imbalances with stretching and strengthening exercises.",
        simulated_or=1.2,
        simulated_or_source=(
            "a small effect assumed (associations for other flexibility measures, Sadler et al. 2017)"
        ),
        encode=lambda d: _b(d["sit_reach_cm"] < SIT_REACH_POOR_CM),
        remedy={},
        remedy_text="",
        scale=Scale(
            "sit_reach_cm", "cm", reference=SIT_REACH_POOR_CM, better="higher", contrast=(-10, SIT_REACH_POOR_CM),
            bands=(-10, SIT_REACH_POOR_CM), advice="0+ cm (toes reached)", limits=(-40, 50),
            truth=_ramp(1.2, SIT_REACH_POOR_CM, 10, side="below"),
            truth_source="an assumption: OR 1.2 per 10 cm short of the toes (associations for other "
                         "flexibility measures, Sadler et al. 2017)",
            label="sit-and-reach",
        ),
        hint="sit-and-reach: fingertips stop short of the toes",
    ),
    RiskFactor(
        name="no_cooldown",
        title=f"No cool-down (< {COOLDOWN_MIN} min)",
        cause="No cool-down",
        inputs=("cooldown_min",),
        encoding=f"cooldown_min < {COOLDOWN_MIN}.",
        explanation="The article pairs warming up with cooling down; a cool-down eases the body back to rest.",
        article=(
            "Conclusion: 'gradually increasing intensity and properly warming up and cooling down'."
        ),
        evidence=(
            "None / against: a cool-down did not prevent running injuries in a randomised trial "
            "(van Mechelen et al. 1993, Am J Sports Med 21:711-719), and a review found no "
            "evidence that it prevents injury or soreness (Van Hooren & Peake 2018, Sports Med "
            "48:1575-1595)."
        ),
        strength="against",
        strength_reason="a randomised trial found no preventive effect, and a review found no evidence for one.",
        sources=("vanmechelen1993", "vanhooren2018"),
        tip="Cool down properly after the workout, as you warm up before it.",
        advice="Cool down if you like it; it has not been shown to prevent injury or back pain.",
        simulated_or=1.0,
        simulated_or_source="no effect (van Mechelen et al. 1993; Van Hooren & Peake 2018)",
        encode=lambda d: _b(d["cooldown_min"] < COOLDOWN_MIN),
        remedy={"cooldown_min": 10},
        remedy_text="add a 10-minute cool-down",
        scale=Scale(
            "cooldown_min", "min", reference=COOLDOWN_MIN, better="higher", contrast=(0, COOLDOWN_MIN),
            bands=(COOLDOWN_MIN,), advice=f"{COOLDOWN_MIN}+ min", knots=3, limits=(0, 60), truth=_flat,
            truth_source="no effect (van Mechelen et al. 1993)",
            label="cool-down",
        ),
    ),
    RiskFactor(
        name="prior_back_pain",
        title="History of back pain",
        cause="Previous back pain (not in the article; the strongest known predictor)",
        inputs=("prior_back_pain",),
        encoding="prior_back_pain == yes.",
        explanation=(
            "A previous episode is the most consistent predictor of a new one, whatever caused "
            "the first."
        ),
        article="Not named by the article; added because every prognostic study finds it.",
        evidence=(
            "Strong: in a review of 36 studies of general populations, back pain was common again after an "
            "episode, and 'the risk of LBP was consistently about twice as high for those with a history of "
            "LBP' (prevalence 56% against 22%; Hestbaek et al. 2003, Eur Spine J 12:149-165)."
        ),
        strength="strong",
        strength_reason="consistent across the prospective studies of a systematic review.",
        sources=("hestbaek2003",),
        tip="Progress more gradually and keep up core work if the client has had back pain before.",
        simulated_or=2.0,
        simulated_or_source=(
            "risk about twice as high (Hestbaek et al. 2003); at the simulated cohort's low baseline risk an "
            "odds ratio of 2 is a risk ratio close to 2"
        ),
        encode=lambda d: _b(d["prior_back_pain"]),
        remedy={},
        remedy_text="",
        hint="the client has had back pain before",
    ),
)

FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in RISK_FACTORS)
#: The factors of the default (trainer's) model: every factor whose grade is not "none" or "against".
MODEL_FACTORS: tuple[str, ...] = tuple(f.name for f in RISK_FACTORS if f.in_model)


def _no_threshold(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    def encode(d: pd.DataFrame) -> pd.Series:
        raise ValueError(f"{name} has no plain-words threshold: it is a dose-response term only "
                         "(use it with terms='dose-response').")

    return encode


_LOAD_EVIDENCE = (
    "Critics of the acute:chronic ratio recommend modelling the acute and the chronic load separately, so that a "
    "high ratio from a low chronic load is not read like one from a high chronic load, and modelling load "
    "non-linearly (Wang et al. 2020, Sports Med 50:1243-1254; Bache-Mathiesen et al. 2021, BMJ Open Sport Exerc "
    "Med 7:e001119: only quadratic models, fractional polynomials and restricted cubic splines recreated the "
    "simulated shapes). No study has measured either load's effect on back pain."
)
_SPIKE = RISK_FACTORS[FACTOR_NAMES.index("load_spike")]  # the cause the load terms model another way
_LOAD_TERM = dict(
    cause=_SPIKE.cause, article=_SPIKE.article, evidence=_LOAD_EVIDENCE, strength="limited",
    strength_reason="a way of modelling the load of the sudden-jump cause, recommended on methodological grounds; "
                    "no effect on back pain has been measured.",
    sources=("wang2020", "bachemathiesen2021"),
    tip=_SPIKE.tip, simulated_or=1.0,
    simulated_or_source="not simulated on its own: the simulated cohort draws its load effect through the ratio",
    unknown_means=_SPIKE.unknown_means,
)
#: Candidate terms for training load, not causes of their own: the acute and the chronic load as separate
#: dose-response terms, which notebook 06 compares with the ratio (``PainRiskModel(factors=...)`` accepts them;
#: :data:`RISK_FACTORS`, :data:`FACTOR_NAMES` and :data:`MODEL_FACTORS` do not list them).
LOAD_TERMS: tuple[RiskFactor, ...] = (
    RiskFactor(
        name="acute_load", title="Acute load (7-day EWMA of RPE x minutes)", inputs=("date", "duration_min", "rpe"),
        encoding="acute_load: the 7-day EWMA of daily session load (RPE x minutes) used as the ratio's numerator, "
                 "as a spline; unknown until 28 days are logged, as the ratio is.",
        explanation="The load of the last week, whatever the load before it.",
        encode=_no_threshold("acute_load"),
        scale=Scale("acute_load", "AU a day", reference=200.0, better="lower", contrast=(400.0, 200.0),
                    bands=(200.0, 400.0), advice="no sudden jump", truth=_flat, step=False,
                    truth_source="no separate truth: the simulated load effect is on the ratio",
                    label="acute load", limits=(0, 2000)),
        **_LOAD_TERM,
    ),
    RiskFactor(
        name="chronic_load", title="Chronic load (28-day EWMA before the acute week)",
        inputs=("date", "duration_min", "rpe"),
        encoding="chronic_load: the 28-day EWMA of daily session load that ends where the acute week starts (the "
                 "ratio's denominator), as a spline; unknown until 28 days are logged.",
        explanation="The load a client is used to: tissues adapt to it.",
        encode=_no_threshold("chronic_load"),
        scale=Scale("chronic_load", "AU a day", reference=150.0, better="higher", contrast=(75.0, 150.0),
                    bands=(150.0,), advice="build up gradually", truth=_flat, step=False,
                    truth_source="no separate truth: the simulated load effect is on the ratio",
                    label="chronic load", limits=(0, 2000)),
        **_LOAD_TERM,
    ),
)
_BY_NAME = {f.name: f for f in (*RISK_FACTORS, *LOAD_TERMS)}


def get_factor(name: str) -> RiskFactor:
    """Return the :class:`RiskFactor` called ``name``.

    Raises
    ------
    KeyError
        With the list of known names.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown risk factor {name!r}; known: {', '.join(_BY_NAME)}") from None


def factor_table(*, columns: tuple[str, ...] = ("title", "cause", "inputs", "strength", "simulated_or", "tip")
                 ) -> pd.DataFrame:
    """The registry as a table, one row per factor, indexed by name.

    Parameters
    ----------
    columns : tuple of str, default=("title", "cause", "inputs", "strength", "simulated_or", "tip")
        Attributes of :class:`RiskFactor` to include.

    Returns
    -------
    DataFrame of shape (n_factors, len(columns))
    """
    rows = []
    for f in RISK_FACTORS:
        row = {c: getattr(f, c) for c in columns}
        if "inputs" in row:
            row["inputs"] = ", ".join(row["inputs"])
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(FACTOR_NAMES, name="factor"))
