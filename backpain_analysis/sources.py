"""The sources: every published work the registries cite, written once with its full reference.

Factors (:mod:`backpain_analysis.factors`) and red-flag rules
(:mod:`backpain_analysis.triage`) name their sources by key; ``docs/evidence.md``
(:func:`backpain_analysis.evidence_doc.evidence_markdown`) prints each in full, so a reviewer can
audit every claim in one place. A journal article carries authors, year,
title, journal, volume and pages (an article number where the journal uses
them); a guideline carries its publisher, its identifier and where to find it.
Numbers quoted in the registries were checked against each source's abstract
or text; where a source was only partly readable that is said in ``checked``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SOURCES", "Source", "get_source"]


@dataclass(frozen=True)
class Source:
    """One cited work.

    Attributes
    ----------
    key : str
        How the registries name it (``"hestbaek2003"``).
    kind : {"article", "guideline", "web"}
    authors : str
        Authors as in the reference (Vancouver style), or the issuing body.
    year : int
    title : str
    journal : str
        Journal abbreviation (articles) or publisher (guidelines, web pages).
    volume : str
        Volume (issue) for articles; the guideline's identifier otherwise.
    pages : str
        Page range or article number (articles); empty otherwise.
    doi : str
    url : str
    checked : str
        What was checked, and against what.
    cite_as : str
        How the text cites it, where not first author et al. and year.
    """

    key: str
    kind: Literal["article", "guideline", "web"]
    authors: str
    year: int
    title: str
    journal: str
    volume: str
    pages: str = ""
    doi: str = ""
    url: str = ""
    checked: str = ""
    cite_as: str = ""

    @property
    def short(self) -> str:
        """``"Hestbaek et al. 2003"``: the first author's surname (or the body), et al. when more."""
        if self.cite_as:
            return self.cite_as
        names = [a.strip() for a in self.authors.split(",")]
        if self.kind != "article":
            return f"{self.authors} {self.year}"
        first = names[0].rsplit(" ", 1)[0]
        if len(names) == 2:
            return f"{first} & {names[1].rsplit(' ', 1)[0]} {self.year}"
        return f"{first}{' et al.' if len(names) > 2 else ''} {self.year}"

    def reference(self) -> str:
        """The full reference in one line."""
        if self.kind == "article":
            text = f"{self.authors} ({self.year}). {self.title}. {self.journal} {self.volume}:{self.pages}."
        else:
            text = f"{self.authors} ({self.year}). {self.title}. {self.journal}, {self.volume}."
        if self.doi:
            text += f" doi:{self.doi}"
        elif self.url:
            text += f" {self.url}"
        return text


SOURCES: tuple[Source, ...] = (
    # ----------------------------------------------------------------- the seed article
    Source("wilkinson2024", "web", "Wilkinson G", 2024,
           "Why Does My Back Hurt After Workout? Uncovering the Surprising Reasons",
           "popular health article (the seed of this project)", "web page",
           checked="read whole; quoted by section in each factor's `article` text"),
    # ----------------------------------------------------------------- warm-up, stretching, cool-down
    Source("soligard2008", "article",
           "Soligard T, Myklebust G, Steffen K, Holme I, Silvers H, Bizzini M, Junge A, Dvorak J, Bahr R, "
           "Andersen TE", 2008,
           "Comprehensive warm-up programme to prevent injuries in young female footballers: cluster randomised "
           "controlled trial", "BMJ", "337", "a2469", doi="10.1136/bmj.a2469",
           checked="abstract: any injury RR 0.68 (95% CI 0.48-0.98)"),
    Source("thorborg2017", "article",
           "Thorborg K, Krommes KK, Esteve E, Clausen MB, Bartels EM, Rathleff MS", 2017,
           "Effect of specific exercise-based football injury prevention programmes on the overall injury rate "
           "in football: a systematic review and meta-analysis of the FIFA 11 and 11+ programmes",
           "Br J Sports Med", "51(7)", "562-571", doi="10.1136/bjsports-2016-097066",
           checked="abstract: both programmes pooled RR 0.75 (0.57-0.98); FIFA 11+ IRR 0.61 (0.48-0.77); "
                   "football injuries, no back-pain outcome"),
    Source("herman2012", "article", "Herman K, Barton C, Malliaras P, Morrissey D", 2012,
           "The effectiveness of neuromuscular warm-up strategies, that require no additional equipment, for "
           "preventing lower limb injuries during sports participation: a systematic review",
           "BMC Med", "10", "75", doi="10.1186/1741-7015-10-75",
           checked="full text: heterogeneity prevented pooling; one estimate per programme (11+ RR 0.67, "
                   "0.54-0.84), lower-limb injuries only"),
    Source("lauersen2014", "article", "Lauersen JB, Bertelsen DM, Andersen LB", 2014,
           "The effectiveness of exercise interventions to prevent sports injuries: a systematic review and "
           "meta-analysis of randomised controlled trials", "Br J Sports Med", "48(11)", "871-877",
           doi="10.1136/bjsports-2013-092538", checked="abstract: stretching RR 0.963 (0.846-1.095)"),
    Source("vanmechelen1993", "article", "van Mechelen W, Hlobil H, Kemper HC, Voorn WJ, de Jongh HR", 1993,
           "Prevention of running injuries by warm-up, cool-down, and stretching exercises",
           "Am J Sports Med", "21(5)", "711-719", doi="10.1177/036354659302100513",
           checked="abstract: no difference in running injuries"),
    Source("vanhooren2018", "article", "Van Hooren B, Peake JM", 2018,
           "Do we need a cool-down after exercise? A narrative review of the psychophysiological effects and the "
           "effects on performance, injuries and the long-term adaptive response",
           "Sports Med", "48(7)", "1575-1595", doi="10.1007/s40279-018-0916-2",
           checked="abstract: no evidence that a cool-down prevents injury"),
    # ----------------------------------------------------------------- posture, lifting, bending
    Source("hoogendoorn2000", "article",
           "Hoogendoorn WE, Bongers PM, de Vet HC, Douwes M, Koes BW, Miedema MC, Ariens GA, Bouter LM", 2000,
           "Flexion and rotation of the trunk and lifting at work are risk factors for low back pain: results of "
           "a prospective cohort study", "Spine", "25(23)", "3087-3092", doi="10.1097/00007632-200012010-00018",
           checked="abstract: flexion RR 1.5, rotation RR 1.3 (CI including 1), lifting 25 kg > 15 times a day "
                   "RR 1.6"),
    Source("swain2020", "article", "Swain CTV, Pan F, Owen PJ, Schmidt H, Belavy DL", 2020,
           "No consensus on causality of spine postures or physical exposure and low back pain: a systematic "
           "review of systematic reviews", "J Biomech", "102", "109312", doi="10.1016/j.jbiomech.2019.08.006",
           checked="abstract: no consensus on causality"),
    Source("coenen2014", "article",
           "Coenen P, Gouttebarge V, van der Burght AS, van Dieen JH, Frings-Dresen MH, van der Beek AJ, Burdorf A",
           2014, "The effect of lifting during work on low back pain: a health impact assessment based on a "
           "meta-analysis", "Occup Environ Med", "71(12)", "871-877", doi="10.1136/oemed-2014-102346",
           checked="abstract: risk rising with load and daily lifts"),
    Source("wai2010lifting", "article", "Wai EK, Roffey DM, Bishop P, Kwon BK, Dagenais S", 2010,
           "Causal assessment of occupational lifting and low back pain: results of a systematic review",
           "Spine J", "10(6)", "554-566", doi="10.1016/j.spinee.2010.03.033",
           checked="abstract: lifting unlikely to be independently causative"),
    Source("wai2010bending", "article", "Wai EK, Roffey DM, Bishop P, Kwon BK, Dagenais S", 2010,
           "Causal assessment of occupational bending or twisting and low back pain: results of a systematic "
           "review", "Spine J", "10(1)", "76-88", doi="10.1016/j.spinee.2009.06.005",
           checked="abstract: bending or twisting unlikely to be independently causative"),
    # ----------------------------------------------------------------- core, sitting, flexibility
    Source("steffens2016", "article",
           "Steffens D, Maher CG, Pereira LSM, Stevens ML, Oliveira VC, Chapple M, Teixeira-Salmela LF, "
           "Hancock MJ", 2016, "Prevention of low back pain: a systematic review and meta-analysis",
           "JAMA Intern Med", "176(2)", "199-208", doi="10.1001/jamainternmed.2015.7431",
           checked="abstract: exercise alone RR 0.65 (0.50-0.86), low to very low quality; exercise with "
                   "education RR 0.55 (0.41-0.74), moderate quality"),
    Source("bieringsorensen1984", "article", "Biering-Sorensen F", 1984,
           "Physical measurements as risk indicators for low-back trouble over a one-year period",
           "Spine", "9(2)", "106-119", doi="10.1097/00007632-198403000-00002",
           checked="abstract: poor isometric back endurance predicted first-time low-back trouble in men"),
    Source("lis2007", "article", "Lis AM, Black KM, Korn H, Nordin M", 2007,
           "Association between sitting and occupational LBP", "Eur Spine J", "16(2)", "283-298",
           doi="10.1007/s00586-006-0143-7",
           checked="abstract: 'sitting alone was not associated with the risk of developing LBP'; with "
                   "whole-body vibration and awkward postures the risk increased fourfold"),
    Source("roffey2010", "article", "Roffey DM, Wai EK, Bishop P, Kwon BK, Dagenais S", 2010,
           "Causal assessment of occupational sitting and low back pain: results of a systematic review",
           "Spine J", "10(3)", "252-261", doi="10.1016/j.spinee.2009.12.005",
           checked="method (Bradford Hill criteria) read; its conclusion is quoted through Kwon et al. 2011"),
    Source("kwon2011", "article", "Kwon BK, Roffey DM, Bishop PB, Dagenais S, Wai EK", 2011,
           "Systematic review: occupational physical activity and low back pain", "Occup Med (Lond)", "61(8)",
           "541-548", doi="10.1093/occmed/kqr092",
           checked="abstract: 'strong evidence against a causal relationship' for sitting, among other "
                   "activities (a summary of the same group's reviews, Roffey et al. 2010 among them)"),
    Source("kelsey1975", "article", "Kelsey JL, Hardy RJ", 1975,
           "Driving of motor vehicles as a risk factor for acute herniated lumbar intervertebral disc",
           "Am J Epidemiol", "102(1)", "63-73", doi="10.1093/oxfordjournals.aje.a112135",
           checked="abstract; cases were recruited among people recently X-rayed and diagnosed with a herniated "
                   "disc (the X-ray was how cases were found, not how the disc was shown)"),
    Source("sadler2017", "article", "Sadler SG, Spink MJ, Ho A, Janse De Jonge X, Chuter VH", 2017,
           "Restriction in lateral bending range of motion, lumbar lordosis, and hamstring flexibility predicts "
           "the development of low back pain: a systematic review of prospective cohort studies",
           "BMC Musculoskelet Disord", "18", "179", doi="10.1186/s12891-017-1534-0",
           checked="abstract: lateral flexion OR 0.41 (0.24-0.73), lordosis OR 0.73 (0.55-0.98), hamstring "
                   "range OR 0.96 (0.94-0.98) significant; sit-and-reach not among them"),
    # ----------------------------------------------------------------- load
    Source("foster2001", "article",
           "Foster C, Florhaug JA, Franklin J, Gottschall L, Hrovatin LA, Parker S, Doleshal P, Dodge C", 2001,
           "A new approach to monitoring exercise training", "J Strength Cond Res", "15(1)", "109-115",
           checked="title page; session RPE on the modified CR-10 scale"),
    Source("soligard2016", "article",
           "Soligard T, Schwellnus M, Alonso JM, Bahr R, Clarsen B, Dijkstra HP, Gabbett T, Gleeson M, Hagglund M, "
           "Hutchinson MR, Janse van Rensburg C, Khan KM, Meeusen R, Orchard JW, Pluim BM, Raftery M, Budgett R, "
           "Engebretsen L", 2016,
           "How much is too much? (Part 1) International Olympic Committee consensus statement on load in sport "
           "and risk of injury", "Br J Sports Med", "50(17)", "1030-1041", doi="10.1136/bjsports-2016-096581",
           checked="abstract: consensus statement (no pooled estimate)"),
    Source("hulin2014", "article", "Hulin BT, Gabbett TJ, Blanch P, Chapman P, Bailey D, Orchard JW", 2014,
           "Spikes in acute workload are associated with increased injury risk in elite cricket fast bowlers",
           "Br J Sports Med", "48(8)", "708-712", doi="10.1136/bjsports-2013-092524",
           checked="abstract: acute above chronic load RR 2.1-2.2; acute over 200% of chronic RR 3.3-4.5 "
                   "(coupled 4-week rolling average, 28 bowlers)"),
    Source("gabbett2016", "article", "Gabbett TJ", 2016,
           "The training-injury prevention paradox: should athletes be training smarter and harder?",
           "Br J Sports Med", "50(5)", "273-280", doi="10.1136/bjsports-2015-095788",
           checked="a narrative review: 0.8-1.3 'sweet spot', >= 1.5 'danger zone'"),
    Source("williams2017", "article", "Williams S, West S, Cross MJ, Stokes KA", 2017,
           "Better way to determine the acute:chronic workload ratio?", "Br J Sports Med", "51(3)", "209-210",
           doi="10.1136/bjsports-2016-096589", checked="a letter proposing exponentially weighted averages"),
    Source("lolli2019", "article",
           "Lolli L, Batterham AM, Hawkins R, Kelly DM, Strudwick AJ, Thorpe R, Gregson W, Atkinson G", 2019,
           "Mathematical coupling causes spurious correlation within the conventional acute-to-chronic workload "
           "ratio calculations", "Br J Sports Med", "53(15)", "921-922", doi="10.1136/bjsports-2017-098110",
           checked="abstract"),
    Source("impellizzeri2020", "article", "Impellizzeri FM, Tenan MS, Kempton T, Novak A, Coutts AJ", 2020,
           "Acute:chronic workload ratio: conceptual issues and fundamental pitfalls",
           "Int J Sports Physiol Perform", "15(6)", "907-913", doi="10.1123/ijspp.2019-0864",
           checked="abstract: the ratio fails to normalise 'even when uncoupled'; no causal estimate exists"),
    Source("impellizzeri2021", "article",
           "Impellizzeri FM, Woodcock S, Coutts AJ, Fanchini M, McCall A, Vigotsky AD", 2021,
           "What role do chronic workloads play in the acute to chronic workload ratio? Time to dismiss ACWR and "
           "its underlying theory", "Sports Med", "51(3)", "581-592", doi="10.1007/s40279-020-01378-6",
           checked="abstract: ratios with contrived chronic loads reproduce the reported odds ratios"),
    Source("wang2020", "article", "Wang C, Vargas JT, Stokes T, Steele R, Shrier I", 2020,
           "Analyzing activity and injury: lessons learned from the acute:chronic workload ratio",
           "Sports Med", "50(7)", "1243-1254", doi="10.1007/s40279-020-01280-1",
           checked="abstract: a ratio may not represent changes in activity; problems with discretisation, sparse "
                   "data and the EWMA's initial load; discourages the ratio's use"),
    Source("bachemathiesen2021", "article",
           "Bache-Mathiesen LK, Andersen TE, Dalen-Lorentsen T, Clarsen B, Fagerland MW", 2021,
           "Not straightforward: modelling non-linearity in training load and injury research",
           "BMJ Open Sport Exerc Med", "7(3)", "e001119", doi="10.1136/bmjsem-2021-001119",
           checked="abstract: the load-injury relationship 'should be assumed to be non-linear'; of seven methods "
                   "only quadratic models, fractional polynomials and restricted cubic splines recreated the "
                   "simulated shapes"),
    # ----------------------------------------------------------------- water, time of day
    Source("efsa2010", "article", "EFSA Panel on Dietetic Products, Nutrition, and Allergies (NDA)", 2010,
           "Scientific Opinion on Dietary reference values for water", "EFSA J", "8(3)", "1459",
           doi="10.2903/j.efsa.2010.1459", checked="adequate total water intake 2.0 l (women), 2.5 l (men)",
           cite_as="EFSA 2010"),
    Source("adams1987", "article", "Adams MA, Dolan P, Hutton WC", 1987,
           "Diurnal variations in the stresses on the lumbar spine", "Spine", "12(2)", "130-137",
           doi="10.1097/00007632-198703000-00008", checked="abstract"),
    Source("snook1998", "article", "Snook SH, Webster BS, McGorry RW, Fogleman MT, McCann KB", 1998,
           "The reduction of chronic nonspecific low back pain through the control of early morning lumbar "
           "flexion: a randomized controlled trial", "Spine", "23(23)", "2601-2607",
           doi="10.1097/00007632-199812010-00021", checked="abstract"),
    # ----------------------------------------------------------------- history of back pain
    Source("hestbaek2003", "article", "Hestbaek L, Leboeuf-Yde C, Manniche C", 2003,
           "Low back pain: what is the long-term course? A review of studies of general patient populations",
           "Eur Spine J", "12(2)", "149-165", doi="10.1007/s00586-002-0508-5",
           checked="abstract: 'the risk of LBP was consistently about twice as high for those with a history of "
                   "LBP' (prevalence 56% against 22%)"),
    Source("taylor2014", "article", "Taylor JB, Goode AP, George SZ, Cook CE", 2014,
           "Incidence and risk factors for first-time incident low back pain: a systematic review and "
           "meta-analysis", "Spine J", "14(10)", "2299-2319", doi="10.1016/j.spinee.2014.01.026",
           checked="abstract: first-time back pain only; 'no consistent risk factor emerged'"),
    # ----------------------------------------------------------------- red flags
    Source("finucane2020", "article",
           "Finucane LM, Downie A, Mercer C, Greenhalgh SM, Boissonnault WG, Pool-Goudzwaard AL, Beneciuk JM, "
           "Leech RL, Selfe J", 2020,
           "International framework for red flags for potential serious spinal pathologies",
           "J Orthop Sports Phys Ther", "50(7)", "350-372", doi="10.2519/jospt.2020.9971",
           checked="abstract and opening pages: four pathologies (cauda equina syndrome, fracture, malignancy, "
                   "infection), each with risk factors, symptoms and a level of concern; its decision-tool tables "
                   "were not readable in full, so urgencies below cite GIRFT or are this project's conservative "
                   "choice, said as such"),
    Source("girft2023", "guideline", "GIRFT, NHS England", 2023,
           "National suspected cauda equina syndrome pathway", "Getting It Right First Time (GIRFT)",
           "interactive pathway, primary and community care", url="https://girft-interactivepathways.org.uk/cauda-equina-1/",
           checked="primary-care criteria (new or worsening within 14 days: difficulty starting to pass urine or "
                   "impaired sensation of urine flow; altered perianal, perineal or genital sensation; severe or "
                   "progressive deficit of both legs; loss of sensation of rectal fullness; sexual dysfunction) "
                   "and immediate referral to an emergency department", cite_as="GIRFT 2023"),
    Source("henschke2013", "article",
           "Henschke N, Maher CG, Ostelo RW, de Vet HC, Macaskill P, Irwig L", 2013,
           "Red flags to screen for malignancy in patients with low-back pain",
           "Cochrane Database Syst Rev", "2013(2)", "CD008686", doi="10.1002/14651858.CD008686.pub2",
           checked="abstract: only a previous history of cancer is useful on its own; age over 50, failure to "
                   "improve after one month and unexplained weight loss mainly in combination"),
    Source("verhagen2016", "article", "Verhagen AP, Downie A, Popal N, Maher C, Koes BW", 2016,
           "Red flags presented in current low back pain guidelines: a review", "Eur Spine J", "25(9)",
           "2788-2802", doi="10.1007/s00586-016-4684-0",
           checked="abstract: most guidelines list major trauma and steroid use (fracture), history of cancer and "
                   "unintentional weight loss (malignancy); night pain or pain at rest for several conditions"),
    Source("nice_cg75", "guideline", "National Institute for Health and Care Excellence", 2008,
           "Metastatic spinal cord compression in adults: risk assessment, diagnosis and management", "NICE",
           "clinical guideline CG75 (replaced by NG234, 2023)", url="https://www.nice.org.uk/guidance/cg75",
           checked="key priorities read: contact the MSCC coordinator urgently (within 24 hours) for people with "
                   "cancer and spinal pain that is progressive, severe and unremitting, aggravated by straining, or "
                   "at night preventing sleep; immediately, as an oncological emergency, with neurological symptoms "
                   "(radicular pain, any limb weakness, difficulty in walking, sensory loss, bladder or bowel "
                   "dysfunction). NG234 replaces it (NCBI Bookshelf copy of NG234); NG234's own recognition "
                   "recommendations could not be read"),
    Source("gcare_glos", "web", "NHS Gloucestershire", 2026,
           "Red flags for spinal conditions (back pain with or without leg pain, under 6 weeks)",
           "G-Care clinical pathways", "pathway 71, resource 3", url="https://g-care.glos.nhs.uk/pathway/71/resource/3",
           checked="page read (undated; the year is when it was read): cauda equina (loss of bowel or bladder "
                   "control, severe or progressive neurological deficit in the lower extremities or gait "
                   "disturbance, saddle anaesthesia); cancer (new onset over 50 or under 20, history of cancer, "
                   "failure to improve after one month, persistent night pain unrelieved by change in position, "
                   "unexplained weight loss); infection (fevers, chills, rigors, immunosuppression, IV drug misuse); "
                   "fracture (major trauma, or minor trauma with osteoporosis or corticosteroids). A local NHS "
                   "summary, not NICE itself; it gives no urgency levels"),
    Source("ahcpr1994", "guideline", "Agency for Health Care Policy and Research", 1994,
           "Acute low back problems in adults: assessment and treatment (quick reference guide for clinicians)",
           "AHCPR", "Quick Reference Guide 14", url="https://www.ncbi.nlm.nih.gov/books/NBK52120/",
           checked="table 1, 'Red flags for potentially serious conditions', read in the NCBI Bookshelf copy: major "
                   "trauma; minor trauma or strenuous lifting in an older or potentially osteoporotic patient; age "
                   "over 50 or under 20; history of cancer; fever, chills, unexplained weight loss; IV drug abuse "
                   "or immune suppression; severe night-time pain; saddle anaesthesia; bladder dysfunction; "
                   "severe or progressive deficit in the legs. No urgency levels. The year 1994 is from the "
                   "series, not read on that page"),
    Source("nice_ng59", "guideline", "National Institute for Health and Care Excellence", 2016,
           "Low back pain and sciatica in over 16s: assessment and management (updated 2020)", "NICE",
           "guideline NG59", url="https://www.nice.org.uk/guidance/ng59",
           checked="exclude specific causes (cancer, infection, trauma, inflammatory disease); sets no red-flag "
                   "list or urgency", cite_as="NICE NG59"),
)

_BY_KEY = {s.key: s for s in SOURCES}


def get_source(key: str) -> Source:
    """Return the :class:`Source` with ``key``.

    Raises
    ------
    KeyError
        With the list of known keys.
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(_BY_KEY)}") from None
