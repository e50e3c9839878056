"""The self-experiments a person can run, as data with their source and safety note.

An experiment compares "with" days (the person's usual habit: the suspected trigger allowed)
against "without" days (the trigger left out), drawn at random in advance. Only habits that are
safe to change for a day or two qualify (docs/experiments.md): caffeine, hard exercise and going to bed
early. Stress cannot be assigned to a day, and a prescribed medicine is never part of an
experiment: changing one is a decision for the person and their doctor.

The adherence thresholds live here beside the designs they belong to, each with its reason, so
the rule, the wording and the tests quote one number.
"""

from __future__ import annotations

from dataclasses import dataclass

from insights.analysis.clinical_thresholds import ADULT_SLEEP_NEED_HOURS

# --- Adherence thresholds ------------------------------------------------------------------

# A caffeine-free day with less than this logged still counts as kept: decaffeinated coffee and
# chocolate carry a few mg, while the smallest serving in the drinks catalogue, a cup of green
# tea, carries 29 mg (docs/clinical.md, "Caffeine"). 150 mg (the example) is clearly not kept.
CAFFEINE_FREE_MAX_MG = 20.0
# A usual-caffeine day counts as one (per protocol) once at least this much is logged: the same
# line, read from the other side.
USUAL_CAFFEINE_MIN_MG = CAFFEINE_FREE_MAX_MG
# A rest day is broken by a vigorous session, or by a session this long at any intensity: an
# hour is the length most guidance treats as a long workout, and the twitching people report
# after exercise follows long or hard sessions (the seed's "excessive exercise").
LONG_SESSION_MIN = 60
# An early night means at least the adult minimum of sleep (AASM/SRS consensus, Watson et al.,
# J Clin Sleep Med 2015; ADULT_SLEEP_NEED_HOURS).
EARLY_NIGHT_MIN_HOURS = float(ADULT_SLEEP_NEED_HOURS)

# Before the result: the share of assigned days people keep in N-of-1 trials; 80-90% is what
# such trials report, so the promise assumes the middle of that range.
ASSUMED_ADHERENCE = 0.85

CAFFEINE_SOURCE = (
    "FDA, 'Spilling the Beans: How Much Caffeine is Too Much?'; Mayo Clinic, 'Caffeine: How much is too much?'; "
    "half-life about 5 h (FDA 4-6 h)"
)
EXERCISE_SOURCE = "The seed's list of causes: benign fasciculations are made worse by excessive exercise (NHS)"
SLEEP_SOURCE = "AASM/SRS consensus, Watson et al., J Clin Sleep Med 2015; NHS lists tiredness"
N_OF_1_SOURCE = "N-of-1 platforms StudyU (JMIR 2022) and StudyMe (Trials 2022)"


@dataclass(frozen=True)
class ExperimentDesign:
    trigger: str  # the key the API takes, as the associations name it
    label: str
    with_label: str  # what a "with" day is, as the app says it: "today: a usual caffeine day"
    without_label: str
    with_days: str  # the plural, for results: "usual caffeine days"
    without_days: str
    with_instruction: str
    without_instruction: str
    # Days come in blocks of this length, so an effect that outlasts a day stays inside its block.
    block_days: int
    block_reason: str
    # The share of a "with" day's effect the promise assumes reaches the next day (the design's
    # own assumption; the validation's simulated people draw theirs independently).
    carry_over: float
    safety_note: str
    sources: tuple[str, ...]
    # The documented direction of the one-sided test: more episodes on "with" days.
    direction: str = "more episodes on the 'with' days"


DESIGNS: dict[str, ExperimentDesign] = {
    design.trigger: design
    for design in (
        ExperimentDesign(
            trigger="caffeine",
            label="Caffeine",
            with_label="a usual caffeine day",
            without_label="a caffeine-free day",
            with_days="usual caffeine days",
            without_days="caffeine-free days",
            with_instruction="Have your usual coffee, tea or cola, and log it.",
            without_instruction="No coffee, tea, cola or energy drinks today; decaf is fine.",
            block_days=2,
            block_reason=(
                "Caffeine's half-life is about 5 hours (1.5-9.5) and a drop in caffeine can matter the next day "
                "too, so days come in pairs: the second day of each pair is free of the day before."
            ),
            carry_over=0.3,
            safety_note=(
                "Going without caffeine is safe, but can bring a headache or tiredness for a day or two; "
                "keep caffeine tablets or medicines that contain caffeine as your doctor advised."
            ),
            sources=(CAFFEINE_SOURCE, N_OF_1_SOURCE),
        ),
        ExperimentDesign(
            trigger="exercise",
            label="Hard exercise",
            with_label="a usual exercise day",
            without_label="a rest day from hard exercise",
            with_days="usual exercise days",
            without_days="rest days",
            with_instruction="Exercise as you usually would, and log it.",
            without_instruction=(
                f"No vigorous exercise and no session over {LONG_SESSION_MIN} minutes today; walking is fine."
            ),
            block_days=2,
            block_reason="Tired muscles can twitch into the next day, so rest days and usual days come in pairs.",
            carry_over=0.3,
            safety_note=(
                "Resting from hard exercise for a day or two is safe. If you train for a condition or on a "
                "professional's plan, ask them first."
            ),
            sources=(EXERCISE_SOURCE, N_OF_1_SOURCE),
        ),
        ExperimentDesign(
            trigger="sleep",
            label="Short sleep",
            with_label="a usual night",
            without_label="an early night",
            with_days="days after a usual night",
            without_days="days after an early night",
            with_instruction="Go to bed as you usually do, and log your sleep.",
            without_instruction=(
                f"Go to bed early enough for {EARLY_NIGHT_MIN_HOURS:.0f} hours of sleep or more; the night before "
                "the day is the one that counts."
            ),
            block_days=2,
            block_reason="Tiredness builds over nights, so early nights and usual nights come in pairs.",
            carry_over=0.3,
            safety_note="Going to bed early is safe. Log the night when you wake: it counts for that day.",
            sources=(SLEEP_SOURCE, N_OF_1_SOURCE),
        ),
    )
}

# Triggers people suspect that cannot be assigned to days, with the reason the API gives.
NOT_ASSIGNABLE: dict[str, str] = {
    "stress": (
        "Stress cannot be assigned to days at random, so it cannot be tested in an experiment; "
        "the insights compare your more and less stressful days instead."
    ),
}

MEDICINE_REFUSAL = (
    "Twitchlog does not run experiments with medicines: changing or stopping a prescribed medicine without "
    "advice can be unsafe. If you think a medicine makes you twitch, talk to your doctor or pharmacist about it."
)
# Words that name a medicine rather than a habit; catalogue names and brands are checked too.
MEDICINE_WORDS = ("medication", "medicine", "inhaler", "drug", "tablet", "pill", "dose")
