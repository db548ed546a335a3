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

import pandas as pd

__all__ = ["FACTOR_NAMES", "RISK_FACTORS", "RiskFactor", "factor_table", "get_factor"]

Strength = Literal["strong", "moderate", "limited", "none", "against"]

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
        How strong the evidence for a causal effect on back pain is.
        ``against`` means good studies found no effect although the article
        claims one.
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
        ``encode(prepared_log) -> Series[boolean]``; missing where the inputs
        were not recorded (or, for load factors, there is not enough history).
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
    tip: str
    simulated_or: float
    simulated_or_source: str
    encode: Callable[[pd.DataFrame], pd.Series] = field(repr=False, compare=False)
    advice: str = ""
    unknown_means: str = "not recorded"
    remedy: Mapping[str, object] = field(default_factory=dict, repr=False, compare=False)
    remedy_text: str = ""
    hint: str = ""

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
            "evidence": (f"What the evidence says (strength: {self.strength})", self.evidence),
            "encoding": (f"How it is encoded (`{self.name}`, reads {', '.join(self.inputs)})",
                         f"{self.encoding} Unknown means: {self.unknown_means}."),
            "tip": ("The article's tip", self.tip + (f" *Evidence-based note:* {self.advice}" if self.advice else "")),
            "truth": ("Simulated truth", f"OR {self.simulated_or:g} ({self.simulated_or_source})."),
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
            "Moderate for injuries in general: structured neuromuscular warm-ups cut sports "
            "injuries by about a third (FIFA 11+ trial, RR 0.68, 95% CI 0.48-0.98, Soligard et al. "
            "2008, BMJ 337:a2469; review IRR ~0.6-0.75, Herman et al. 2012, BMC Med 10:75). "
            "No trial measured back pain after gym sessions specifically."
        ),
        strength="moderate",
        tip="Warm up properly before every workout: brisk walk, light jog or dynamic stretches "
        "that raise the heart rate and target the major muscle groups.",
        simulated_or=1.4,
        simulated_or_source="1 / 0.7, the middle of the warm-up trials' injury reduction",
        encode=lambda d: _b(d["warmup_min"] < WARMUP_MIN),
        remedy={"warmup_min": 15},
        remedy_text="warm up for 15 minutes",
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
        tip="Engage your core, keep your spine neutral, avoid rounding or over-arching; "
        "work with a trainer if unsure of form.",
        simulated_or=1.5,
        simulated_or_source="RR 1.5 for trunk flexion (Hoogendoorn et al. 2000)",
        encode=lambda d: _b(d["form_score"] <= FORM_POOR_MAX),
        remedy={"form_score": 4},
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
            "Moderate for exercise, limited for the plank itself: exercise programmes prevent "
            "low back pain (RR 0.65, 95% CI 0.50-0.86; exercise plus education RR 0.55; Steffens "
            "et al. 2016, JAMA Intern Med 176:199-208). Poor isometric back endurance predicted "
            "first-time low back pain in men (Biering-Sorensen 1984, Spine 9:106-119)."
        ),
        strength="moderate",
        tip="Strengthen your core: planks, bridges, Russian twists and bicycle crunches.",
        simulated_or=1.5,
        simulated_or_source="1 / 0.65, the exercise-prevention effect (Steffens et al. 2016)",
        encode=lambda d: _b(d["plank_s"] < PLANK_WEAK_S),
        remedy={"plank_s": 90},
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
            "Mixed: sitting alone was not associated with low back pain in a systematic review, "
            "only sitting combined with whole-body vibration or awkward postures (Lis et al. 2007, "
            "Eur Spine J 16:283-298). Driving was associated with herniated lumbar discs in a "
            "matched case-control study (Kelsey & Hardy 1975; analysed in notebook 05 from the "
            "bundled data)."
        ),
        strength="limited",
        tip="Break up sitting, keep moving during the day, and do not go straight from the desk "
        "to heavy lifts.",
        simulated_or=1.4,
        simulated_or_source=(
            "an assumed modest effect (OR 1.4), not a measured one: sitting alone showed no association "
            "(Lis et al. 2007); sitting with vibration or awkward postures, and driving, did"
        ),
        encode=lambda d: _b(d["sitting_h"] >= SITTING_LONG_H),
        remedy={},
        remedy_text="",
    ),
    RiskFactor(
        name="hard_session",
        title=f"Very hard session (RPE >= {RPE_HARD})",
        cause="Pushing too hard without breaks",
        inputs=("rpe",),
        encoding=(
            f"rpe >= {RPE_HARD} on the CR-10 session-RPE scale, where 7 is labelled 'very hard' "
            "(Foster et al. 2001)."
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
        tip="Take breaks when needed and listen to your body's limits.",
        simulated_or=1.3,
        simulated_or_source="small effect assumed (no direct estimate)",
        encode=lambda d: _b(d["rpe"] >= RPE_HARD),
        remedy={"rpe": 5},
        remedy_text="keep the session at a moderate effort (RPE 5)",
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
        tip="Incorporate rest days so that your body has time to recover; mix up workout types.",
        simulated_or=1.3,
        simulated_or_source="small effect assumed (consensus, no direct estimate)",
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
            "denominator). Unknown until 28 days are logged. 1.5 is the ratio above which risk "
            "rose in Gabbett's data."
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
            "Moderate but contested: acute:chronic ratios above ~1.5 went with 2-4x injury risk "
            "(Gabbett 2016, Br J Sports Med 50:273-280); the ratio is criticised for mathematical "
            "coupling and spurious correlation (Lolli et al. 2019, Br J Sports Med 53:921-922; "
            "Impellizzeri et al. 2020, Int J Sports Physiol Perform 15:907-913). EWMA ratios "
            "follow Williams et al. 2017 (Br J Sports Med 51:209-210)."
        ),
        strength="moderate",
        tip="Gradually increase the intensity of your workouts; avoid sudden jumps in volume.",
        simulated_or=2.0,
        simulated_or_source="low end of the 2-4x spike risk (Gabbett 2016), given its criticism",
        encode=lambda d: _b(d["acwr"] > ACWR_SPIKE),
        unknown_means="not enough history (less than 28 days logged)",
        remedy={"duration_min": lambda s: (s * 0.5).clip(lower=1)},
        remedy_text="halve today's session volume",
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
        tip="Modify heavy lifts or choose alternatives if they cause discomfort; progress loads "
        "gradually.",
        simulated_or=1.7,
        simulated_or_source="OR ~1.7, near the RR 1.6 of Hoogendoorn 2000 for frequent heavy lifts",
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
        tip="Modify exercises with repeated loaded bending or twisting, or choose alternatives.",
        simulated_or=1.4,
        simulated_or_source="between RR 1.3 (rotation) and 1.5 (flexion), Hoogendoorn 2000",
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
        tip="Stay hydrated: water helps lubricate joints and keeps muscles from becoming dehydrated and stiff.",
        advice="Drinking enough is good for training anyway, but do not expect it to prevent back pain.",
        simulated_or=1.0,
        simulated_or_source="no evidence: null effect",
        encode=lambda d: _b(d["water_l"] < WATER_LOW_L),
        remedy={"water_l": 2.5},
        remedy_text="drink about 2.5 l over the day",
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
        tip="In the morning, warm up longer and avoid heavy bending in the first hour after rising.",
        simulated_or=1.2,
        simulated_or_source="small effect assumed (biomechanical evidence only)",
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
            "Limited: reduced hamstring flexibility and lumbar range of motion predicted new low "
            "back pain in some prospective cohorts, with inconsistent results (Sadler et al. 2017, "
            "BMC Musculoskelet Disord 18:179)."
        ),
        strength="limited",
        tip="Address muscle imbalances with stretching and strengthening exercises.",
        simulated_or=1.2,
        simulated_or_source="small effect assumed (inconsistent cohorts)",
        encode=lambda d: _b(d["sit_reach_cm"] < SIT_REACH_POOR_CM),
        remedy={},
        remedy_text="",
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
        tip="Cool down properly after the workout, as you warm up before it.",
        advice="Cool down if you like it; it has not been shown to prevent injury or back pain.",
        simulated_or=1.0,
        simulated_or_source="no effect (van Mechelen 1993; Van Hooren & Peake 2018)",
        encode=lambda d: _b(d["cooldown_min"] < COOLDOWN_MIN),
        remedy={"cooldown_min": 10},
        remedy_text="add a 10-minute cool-down",
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
            "Strong: recurrence is common after a first episode (Hestbaek et al. 2003, Eur Spine J "
            "12:149-165), and previous back pain is the most consistent risk factor for a new "
            "episode (Taylor et al. 2014, Spine J 14:2299-2319)."
        ),
        strength="strong",
        tip="Progress more gradually and keep up core work if the client has had back pain before.",
        simulated_or=3.0,
        simulated_or_source="OR ~3 for previous back pain (Taylor et al. 2014)",
        encode=lambda d: _b(d["prior_back_pain"]),
        remedy={},
        remedy_text="",
        hint="the client has had back pain before",
    ),
)

FACTOR_NAMES: tuple[str, ...] = tuple(f.name for f in RISK_FACTORS)
_BY_NAME = {f.name: f for f in RISK_FACTORS}


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
        raise KeyError(f"unknown risk factor {name!r}; known: {', '.join(FACTOR_NAMES)}") from None


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
