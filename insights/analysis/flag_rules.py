"""Flags that warrant a doctor visit, evaluated over the whole diary (docs/clinical.md, "Flag rules").

Each rule looks for a pattern of entries and, when it finds one, returns the entries and local
dates that show it, with the rule's severity, wording and source from the rule table
(``flag_rule_table``). Nothing here diagnoses: a flag says what the diary shows and why a doctor
should see it. The result type is in ``flag_results``, the episodes as the rules see them in
``flag_episodes`` and the evidence in words in ``flag_evidence``; the names other code imports
from here are re-exported.

What the diary cannot see is said beside each rule: it records no vomiting, diarrhoea or
drowsiness (R13), no "coarse" quality of a tremor (R13), no burning (R18), no odd postures (R10)
and no suddenness except through how close together entries are (R20).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import ELECTROLYTES
from diary.catalogues.medicines import TWITCH_LINKED_CLASSES
from insights.analysis.clinical_thresholds import (
    MIN_REGIONS,
    NERVE_PATTERN_MIN_SHARE,
    NUMBNESS_SPREAD_DAYS,
    PERSISTENCE_DAYS,
    RECURRING_EPISODES,
    REST_TREMOR_MIN_DAYS,
    REST_TREMOR_OTHER_SIDE_MAX_SHARE,
    SUDDEN_WINDOW_HOURS,
    TASK_SPECIFIC_MIN_SHARE,
    TD_AFTER_STOP_DAYS,
    TD_EXPOSURE_MONTHS,
    TD_EXPOSURE_MONTHS_OLDER,
    TD_MIN_SPAN_DAYS,
    TD_OLDER_AGE,
)
from insights.analysis.daily_series import local_date
from insights.analysis.flag_episodes import (
    FlagEpisode,
    evidence_of,
    flag_episode,
    region_spans,
    region_timeline,
    regions_of,
)
from insights.analysis.flag_evidence import (
    counted,
    episodes_text,
    lab_text,
    medication_class,
    medication_text,
    region_names,
)
from insights.analysis.flag_results import Evidence, FlagResult, is_red_flag, make_flag
from insights.analysis.flag_rule_table import FLAG_RULES_LIST
from insights.analysis.knowledge import severity_rank
from insights.analysis.records import Diary, LabRecord, MedicationRecord
from insights.wording import day_text, plural, region_words, span_text

__all__ = ["FlagResult", "add_months", "evaluate_flags", "is_red_flag", "region_timeline"]

FAST_WINDOW = timedelta(hours=SUDDEN_WINDOW_HOURS)

NUMB_OR_TINGLING = frozenset({"numbness", "tingling"})
# R16: the median-nerve pattern is numbness, or pins and needles as a complaint in its own right
# (not a brief tingle during a twitch), in at least two of its fingers, at night or on waking
# (docs/clinical.md, R16). Waking hours are read from the episode's local time.
MEDIAN_MIN_FINGERS = 2
SENSORY_COMPLAINT_MIN_S = 60
NIGHT_OR_WAKING_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8})


MEDIAN_FINGERS = frozenset({"thumb", "index", "middle"})
ULNAR_FINGERS = frozenset({"little", "ring"})
HAND_PARTS = frozenset({"thumb", "index", "middle", "ring", "little", "hand", "wrist"})
FAST_REGION_SUFFIXES = ("_face", "_arm", "_hand")


def _taking(medication: MedicationRecord, day: date, grace_days: int = 0) -> bool:
    """Whether ``medication`` was taken on ``day``, or stopped at most ``grace_days`` before it."""
    started = medication.started_on is None or medication.started_on <= day
    stopped = medication.stopped_on is not None and day >= medication.stopped_on + timedelta(days=grace_days)
    return started and not stopped


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate_day))
        except ValueError:
            continue
    raise ValueError(f"no valid date for {day} + {months} months")


def _usual(pattern: int, of: int, min_share: float) -> bool:
    """A recurring pattern that is also the usual one: >= RECURRING_EPISODES and >= min_share of all."""
    return pattern >= RECURRING_EPISODES and pattern >= min_share * of


class _Rules:
    """The diary, prepared once, and one method per rule returning a flag or None."""

    def __init__(self, diary: Diary) -> None:
        self.diary = diary
        self.tz = ZoneInfo(diary.timezone)
        self.episodes = sorted(
            (flag_episode(record, self.tz) for record in diary.episodes), key=lambda episode: episode.record.started_at
        )
        # Most rules ask for episodes with a given symptom; an index keeps a year's diary from being
        # scanned once per rule.
        self.symptom_index: dict[str, list[int]] = {}
        for position, episode in enumerate(self.episodes):
            for symptom in episode.symptoms:
                self.symptom_index.setdefault(symptom, []).append(position)

    def with_symptoms(self, *symptoms: str) -> list[FlagEpisode]:
        """Episodes with any of ``symptoms``, in time order."""
        positions = sorted({p for symptom in symptoms for p in self.symptom_index.get(symptom, ())})
        return [self.episodes[position] for position in positions]

    def r1_persistence(self) -> FlagResult | None:
        persisting = [
            span for span in region_spans(self.episodes) if (span.last_date - span.first_date).days > PERSISTENCE_DAYS
        ]
        if not persisting:
            return None
        regions = {span.region for span in persisting}
        evidence = evidence_of(e for e in self.episodes if e.regions & regions)
        days_by_region: dict[str, set[date]] = {}
        for episode in self.episodes:
            for region in episode.regions & regions:
                days_by_region.setdefault(region, set()).add(episode.day)
        detail = "; ".join(
            f"{region_words(span.region)}: {plural(span.episode_count, 'episode')} on "
            f"{plural(len(days_by_region[span.region]), 'day')}, first to last "
            f"{span_text(span.first_date, span.last_date)}"
            for span in persisting
        )
        if sum(span.episode_count for span in persisting) > len({entry_id for entry_id, _ in evidence}):
            detail += " (an episode in two regions counts in each)"
        return make_flag("R1", evidence, regions, detail=detail)

    def r2_more_than_one_place(self) -> FlagResult | None:
        spans = region_spans(self.episodes)
        if len(spans) < MIN_REGIONS:
            return None
        # Twitches that wander are common in the benign form; what raises concern is weakness in a
        # region that joined after the first day (docs/clinical.md, R2).
        first_day = self.episodes[0].day
        initial = regions_of(e for e in self.episodes if e.day == first_day)
        new_with_weakness = [e for e in self.episodes if e.has("weakness") and e.regions - initial]
        detail = f"{len(spans)} body regions: " + ", ".join(
            f"{region_words(span.region)} from {day_text(span.first_date)}" for span in spans
        )
        if new_with_weakness:
            weak_regions = region_names({r for e in new_with_weakness for r in e.regions - initial})
            detail += f"; weakness logged in {weak_regions} on {day_text(new_with_weakness[0].day)}"
        regions = {span.region for span in spans}
        return make_flag("R2", evidence_of(self.episodes), regions, escalated=bool(new_with_weakness), detail=detail)

    def r3_weakness_or_stiffness(self) -> FlagResult | None:
        found = self.with_symptoms("weakness", "stiffness")
        if not found:
            return None
        parts = counted((symptom, sum(e.has(symptom) for e in found)) for symptom in ("weakness", "stiffness"))
        detail = f"{' and '.join(parts)} ({region_names(regions_of(found))}), {span_text(found[0].day, found[-1].day)}"
        return make_flag("R3", evidence_of(found), regions_of(found), detail=detail)

    def r4_wasting(self) -> FlagResult | None:
        found = self.with_symptoms("muscle_wasting")
        detail = episodes_text(found, "noting a thinner muscle") if found else ""
        return make_flag("R4", evidence_of(found), regions_of(found), detail=detail) if found else None

    def r5_speech_or_swallowing(self) -> FlagResult | None:
        found = [
            e for e in self.episodes if e.has("speech_difficulty", "swallowing_difficulty") or "tongue" in e.regions
        ]
        if not found:
            return None
        parts = counted(
            (
                ("trouble speaking", sum(e.has("speech_difficulty") for e in found)),
                ("trouble swallowing", sum(e.has("swallowing_difficulty") for e in found)),
                ("tongue twitching", sum("tongue" in e.regions for e in found)),
            )
        )
        return make_flag(
            "R5",
            evidence_of(found),
            regions_of(found),
            detail=f"{', '.join(parts)}, {span_text(found[0].day, found[-1].day)}",
        )

    def r6_cramps_with_weakness(self, weakness: FlagResult | None, wasting: FlagResult | None) -> FlagResult | None:
        # Cramps alone are common in the benign form (AAN 2017), so they only count beside R3 or R4.
        cramps = [e for e in self.episodes if e.cramping]
        companions = [flag for flag in (weakness, wasting) if flag]
        if not cramps or not companions:
            return None
        evidence = evidence_of(cramps) + [
            (entry_id, day) for flag in companions for entry_id, day in _flag_evidence(flag, self.episodes)
        ]
        beside = " and ".join(
            ("weakness or stiffness" if flag.rule_id == "R3" else "a thinner muscle") for flag in companions
        )
        detail = f"{episodes_text(cramps, 'with cramp or spasm')}, beside {beside}"
        return make_flag(
            "R6", evidence, regions_of(cramps) | {r for flag in companions for r in flag.regions}, detail=detail
        )

    def r7_suspected_medicine(self) -> FlagResult | None:
        if not self.episodes:
            return None
        first = self.episodes[0]
        suspects = [
            m
            for m in self.diary.medications
            if medication_class(m) in TWITCH_LINKED_CLASSES
            and m.started_on is not None
            and m.started_on <= first.day
            and _taking(m, first.day)
        ]
        if not suspects:
            return None
        evidence = [(m.id, m.started_on) for m in suspects if m.started_on] + [(first.id, first.day)]
        detail = "; ".join(medication_text(m) for m in suspects) + f"; first episode {day_text(first.day)}"
        return make_flag("R7", evidence, detail=detail)

    def _tremor_recordings(self, postures: set[str]) -> list[tuple[str, str, date]]:
        return [
            (t.id, t.hand, local_date(t.recorded_at, self.tz))
            for t in self.diary.tremors
            if t.rhythmic and t.posture in postures
        ]

    def r8_rest_tremor_one_side(self) -> FlagResult | None:
        rest = [e for e in self.episodes if e.record.character == "tremor" and e.record.context == "at_rest"]
        items: dict[str, Evidence] = {"left": [], "right": []}
        for episode in rest:
            if len(episode.sides) == 1:
                items[next(iter(episode.sides))].append((episode.id, episode.day))
            else:
                for side in episode.sides:  # a two-sided episode counts against asymmetry on both
                    items[side].append((episode.id, episode.day))
        for entry_id, hand, day in self._tremor_recordings({"rest"}):
            if hand in items:
                items[hand].append((entry_id, day))
        for side, other in (("left", "right"), ("right", "left")):
            days, other_days = {d for _, d in items[side]}, {d for _, d in items[other]}
            # A rest tremor of this kind starts in one hand and stays asymmetric, so the other side
            # must show it on fewer than half as many days.
            if (
                len(items[side]) >= RECURRING_EPISODES
                and len(days) >= REST_TREMOR_MIN_DAYS
                and len(other_days) < REST_TREMOR_OTHER_SIDE_MAX_SHARE * len(days)
            ):
                detail = (
                    f"tremor at rest on the {side}: {plural(len(items[side]), 'episode or recording')} "
                    f"on {plural(len(days), 'day')}, {span_text(min(days), max(days))}; "
                    f"on the {other}: {plural(len(other_days), 'day')}"
                )
                return make_flag("R8", items[side], {f"{side}_hand"}, detail=detail)
        return None

    def r9_action_tremor_both_sides(self) -> FlagResult | None:
        action = [
            e
            for e in self.episodes
            if e.record.character == "tremor" and e.record.context in ("during_action", "holding_posture")
        ]
        recordings = self._tremor_recordings({"postural", "action"})
        sides = {side for e in action for side in e.sides} | {hand for _, hand, _ in recordings}
        evidence = evidence_of(action) + [(entry_id, day) for entry_id, _, day in recordings]
        if {"left", "right"} <= sides and len(evidence) >= RECURRING_EPISODES:
            days = [day for _, day in evidence]
            counted = [
                plural(n, noun) for noun, n in (("episode", len(action)), ("rhythmic recording", len(recordings))) if n
            ]
            detail = (
                f"tremor when using or holding out the hands, left and right: {' and '.join(counted)}, "
                f"{span_text(min(days), max(days))}"
            )
            regions = regions_of(action) | {f"{hand}_hand" for _, hand, _ in recordings}
            return make_flag("R9", evidence, regions, detail=detail)
        return None

    def r10_task_specific(self) -> FlagResult | None:
        # The diary has no "odd posture" term, so only spasm or cramp while writing or typing counts,
        # and only when that is the usual context of the cramps: a few while writing among many
        # elsewhere is no task-specific pattern (TASK_SPECIFIC_MIN_SHARE).
        cramps = [e for e in self.episodes if e.record.character == "spasm_cramp" or e.has("cramp")]
        found = [e for e in cramps if e.record.context == "writing_typing"]
        if not _usual(len(found), len(cramps), TASK_SPECIFIC_MIN_SHARE):
            return None
        detail = (
            f"{len(found)} of {plural(len(cramps), 'cramp or spasm episode')} came while writing or typing "
            f"({region_names(regions_of(found))}), {span_text(found[0].day, found[-1].day)}"
        )
        return make_flag("R10", evidence_of(found), regions_of(found), detail=detail)

    def r13_lithium(self) -> FlagResult | None:
        # Of the toxicity signs only unsteadiness (balance_problem) is in the diary, and a tremor's
        # coarseness is not, so any tremor with unsteadiness on lithium counts.
        lithium = [m for m in self.diary.medications if medication_class(m) == "lithium"]
        found = [
            e
            for e in self.episodes
            if e.record.character == "tremor" and e.has("balance_problem") and any(_taking(m, e.day) for m in lithium)
        ]
        if not found:
            return None
        detail = f"{episodes_text(found, 'of tremor with unsteadiness')}; taking " + "; ".join(
            medication_text(m) for m in lithium
        )
        return make_flag("R13", evidence_of(found), regions_of(found), detail=detail)

    def r14_tardive_dyskinesia(self) -> FlagResult | None:
        birth_year = self.diary.birth_year
        # Age from the birth year alone can be a year high; at the 60 boundary that errs towards
        # the shorter exposure, i.e. towards showing the flag.
        older = birth_year is not None and self.diary.today.year - birth_year >= TD_OLDER_AGE
        months = TD_EXPOSURE_MONTHS_OLDER if older else TD_EXPOSURE_MONTHS
        movements = [e for e in self.episodes if e.record.character == "repetitive_movement"]
        for medication in self.diary.medications:
            if medication_class(medication) != "dopamine_blocker" or medication.started_on is None:
                continue
            exposed = [
                e
                for e in movements
                if e.day >= medication.started_on and _taking(medication, e.day, grace_days=TD_AFTER_STOP_DAYS)
            ]
            if not exposed or exposed[-1].day < add_months(medication.started_on, months):
                continue
            span_days = (exposed[-1].day - exposed[0].day).days
            if span_days >= TD_MIN_SPAN_DAYS:
                evidence = [(medication.id, medication.started_on), *evidence_of(exposed)]
                detail = (
                    f"{medication_text(medication)}; {episodes_text(exposed, 'of repetitive movements')} "
                    f"(over {span_days // 7} weeks)"
                )
                return make_flag("R14", evidence, regions_of(exposed), detail=detail)
        return None

    def r15_low_calcium_pattern(self) -> FlagResult | None:
        mouth = [e for e in self.episodes if e.has("perioral_tingling")]
        fingertips = [
            e
            for e in self.episodes
            if not e.has("perioral_tingling") and e.has("tingling") and e.fingers and e.cramping
        ]
        found = sorted(mouth + fingertips, key=lambda e: e.record.started_at)
        if not found:
            return None
        parts = counted(
            (("tingling around the mouth", len(mouth)), ("fingertip tingling with cramp or spasm", len(fingertips)))
        )
        detail = f"{' and '.join(parts)}, {span_text(found[0].day, found[-1].day)}"
        return make_flag("R15", evidence_of(found), regions_of(found), detail=detail)

    def _finger_pattern(
        self, matches: Callable[[FlagEpisode, frozenset[str]], bool]
    ) -> dict[str, tuple[list[FlagEpisode], list[FlagEpisode]]]:
        """Per hand: (the numbness/tingling episodes in its fingers, those among them matching the pattern)."""
        numb = self.with_symptoms(*NUMB_OR_TINGLING)
        result = {}
        for side in ("left", "right"):
            in_fingers = [e for e in numb if e.fingers.get(side)]
            result[side] = (in_fingers, [e for e in in_fingers if matches(e, e.fingers[side])])
        return result

    def _nerve_pattern(
        self, rule_id: str, matches: Callable[[FlagEpisode, frozenset[str]], bool], what: str
    ) -> FlagResult | None:
        """R16 and R17: a finger pattern that recurs on one hand and is the usual one there."""
        per_side = self._finger_pattern(matches)
        sides = [
            side for side, (all_, found) in per_side.items() if _usual(len(found), len(all_), NERVE_PATTERN_MIN_SHARE)
        ]
        if not sides:
            return None
        parts = []
        for side in sides:
            all_, found = per_side[side]
            days = plural(len({e.day for e in found}), "day")
            parts.append(
                f"{side} hand: {len(found)} of {plural(len(all_), 'episode')} of numbness or tingling in the "
                f"fingers involved {what}, on {days}, {span_text(found[0].day, found[-1].day)}"
            )
        evidence = evidence_of(e for side in sides for e in per_side[side][1])
        wasting = []
        if rule_id == "R16":
            wasting = [
                e for e in self.with_symptoms("muscle_wasting") if any("thumb" in e.fingers.get(s, ()) for s in sides)
            ]
            if wasting:
                parts.append(f"thinner muscle at the base of the thumb logged on {day_text(wasting[0].day)}")
        return make_flag(
            rule_id,
            evidence + evidence_of(wasting),
            {f"{side}_hand" for side in sides},
            escalated=bool(wasting),
            detail="; ".join(parts),
        )

    def r16_median_pattern(self) -> FlagResult | None:
        def median(episode: FlagEpisode, fingers: frozenset[str]) -> bool:
            complaint = episode.has("numbness") or episode.record.duration_s >= SENSORY_COMPLAINT_MIN_S
            night = (
                episode.record.context == "during_sleep"
                or episode.record.started_at.astimezone(self.tz).hour in NIGHT_OR_WAKING_HOURS
            )
            return (
                len(fingers & MEDIAN_FINGERS) >= MEDIAN_MIN_FINGERS and "little" not in fingers and complaint and night
            )

        return self._nerve_pattern(
            "R16",
            median,
            "two or more of the thumb, index and middle finger with the little finger spared, at night or on waking",
        )

    def r17_ulnar_pattern(self) -> FlagResult | None:
        return self._nerve_pattern(
            "R17",
            lambda flag_episode, fingers: fingers >= ULNAR_FINGERS and not fingers & MEDIAN_FINGERS,
            "the little and ring fingers with the thumb, index and middle spared",
        )

    def r18_both_hands_or_feet(self) -> FlagResult | None:
        # Both sides must show it again and again: ten episodes in the left hand and one in the
        # right is a one-sided pattern with a minority on the other side, not "both hands".
        per_limb: dict[tuple[str, str], list[FlagEpisode]] = {}
        for episode in self.with_symptoms(*NUMB_OR_TINGLING):
            sites = [BODY_SITES[c] for c in episode.record.body_sites if c in BODY_SITES]
            for site in sites:
                if site.side and (site.part in HAND_PARTS or site.part == "foot"):
                    limb = "hand" if site.part in HAND_PARTS else "foot"
                    found = per_limb.setdefault((limb, site.side), [])
                    if not found or found[-1] is not episode:
                        found.append(episode)
        limbs = [
            limb
            for limb in ("hand", "foot")
            if all(len(per_limb.get((limb, side), ())) >= RECURRING_EPISODES for side in ("left", "right"))
        ]
        if not limbs:
            return None
        found = sorted(
            {e.id: e for limb in limbs for side in ("left", "right") for e in per_limb[(limb, side)]}.values(),
            key=lambda e: e.record.started_at,
        )
        detail = (
            "numbness or tingling, "
            + "; ".join(
                f"left {limb} in {plural(len(per_limb[(limb, 'left')]), 'episode')}, "
                f"right {limb} in {plural(len(per_limb[(limb, 'right')]), 'episode')}"
                for limb in limbs
            )
            + f", {span_text(found[0].day, found[-1].day)}"
        )
        return make_flag("R18", evidence_of(found), regions_of(found), detail=detail)

    def r19_ms_type_signs(self) -> FlagResult | None:
        signs = self.with_symptoms("vision_change", "balance_problem")
        numb = self.with_symptoms("numbness")
        ordinals = [episode.day.toordinal() for episode in numb]
        spread: list[FlagEpisode] = []
        for index, episode in enumerate(numb):
            # Episodes are in time order, so the earlier days within the window are a contiguous run.
            first = bisect_left(ordinals, ordinals[index] - NUMBNESS_SPREAD_DAYS)
            last = bisect_left(ordinals, ordinals[index])
            earlier = numb[first:last]
            if earlier and episode.regions - regions_of(earlier):
                spread.extend([*earlier, episode])
        found = signs + spread
        if not found:
            return None
        parts = counted(
            (
                ("change in vision", sum(e.has("vision_change") for e in signs)),
                ("balance problem", sum(e.has("balance_problem") for e in signs)),
            )
        )
        if spread:
            reached = max(spread, key=lambda e: e.day)
            parts.append(
                f"numbness reached a new area within {NUMBNESS_SPREAD_DAYS} days "
                f"({region_names(regions_of(spread))}, by {day_text(reached.day)})"
            )
        days = [e.day for e in found]
        detail = f"{'; '.join(parts)}, {span_text(min(days), max(days))}"
        return make_flag("R19", evidence_of(found), regions_of(found), detail=detail)

    def r20_sudden_face_arm_speech(self) -> FlagResult | None:
        speech = self.with_symptoms("speech_difficulty")
        weak = [
            e
            for e in self.with_symptoms("weakness")
            if any(region.endswith(FAST_REGION_SUFFIXES) for region in e.regions)
        ]
        pairs = [(s, w) for s in speech for w in weak if abs(s.record.started_at - w.record.started_at) <= FAST_WINDOW]
        found = [episode for pair in pairs for episode in pair]
        if not found:
            return None
        days = sorted({e.day for e in found})
        detail = (
            f"trouble speaking and weakness of the {region_names(regions_of(w for _, w in pairs))} within "
            f"{SUDDEN_WINDOW_HOURS} hours, on {', '.join(day_text(d) for d in days)}"
        )
        return make_flag("R20", evidence_of(found), regions_of(found), detail=detail)

    def l1_low_electrolyte(self) -> FlagResult | None:
        # Each test is judged on its latest result: a later result in range means the low one has
        # been rechecked and resolved (the history stays in the labs table). Results of the same
        # day have no order, so a low one among them counts.
        by_analyte: dict[str, list[LabRecord]] = {}
        for lab in self.diary.labs:
            if lab.analyte in ELECTROLYTES:
                by_analyte.setdefault(lab.analyte, []).append(lab)
        evidence: Evidence = []
        parts = []
        for analyte in sorted(by_analyte):
            labs = by_analyte[analyte]
            latest_day = max(lab.taken_on for lab in labs)
            latest_low = [lab for lab in labs if lab.taken_on == latest_day and _below_range(lab)]
            if not latest_low:
                continue
            latest = min(latest_low, key=lambda lab: lab.value)
            earlier = sorted({lab.taken_on for lab in labs if lab.taken_on < latest_day and _below_range(lab)})
            also = f"; also below range on {', '.join(day_text(d) for d in earlier)}" if earlier else ""
            parts.append(lab_text(latest) + also)
            evidence.extend((lab.id, lab.taken_on) for lab in latest_low)
        return make_flag("L1", evidence, detail="; ".join(parts)) if evidence else None


def _below_range(lab: LabRecord) -> bool:
    return lab.reference_low is not None and lab.value < lab.reference_low


def _flag_evidence(flag: FlagResult, episodes: list[FlagEpisode]) -> Evidence:
    ids = set(flag.evidence_entry_ids)
    return [(e.id, e.day) for e in episodes if e.id in ids]


def evaluate_flags(diary: Diary) -> list[FlagResult]:
    """Every flag the diary shows, most pressing first, then in the order of the rule table."""
    rules = _Rules(diary)
    flags: dict[str, FlagResult | None] = {}
    if rules.episodes:
        flags["R1"] = rules.r1_persistence()
        flags["R2"] = rules.r2_more_than_one_place()
        flags["R3"] = rules.r3_weakness_or_stiffness()
        flags["R4"] = rules.r4_wasting()
        flags["R5"] = rules.r5_speech_or_swallowing()
        flags["R6"] = rules.r6_cramps_with_weakness(flags["R3"], flags["R4"])
        flags["R7"] = rules.r7_suspected_medicine()
        flags["R10"] = rules.r10_task_specific()
        flags["R13"] = rules.r13_lithium()
        flags["R14"] = rules.r14_tardive_dyskinesia()
        flags["R15"] = rules.r15_low_calcium_pattern()
        flags["R16"] = rules.r16_median_pattern()
        flags["R17"] = rules.r17_ulnar_pattern()
        flags["R18"] = rules.r18_both_hands_or_feet()
        flags["R19"] = rules.r19_ms_type_signs()
        flags["R20"] = rules.r20_sudden_face_arm_speech()
    # Tremor recordings alone can show R8 and R9, so these run without episodes too.
    flags["R8"] = rules.r8_rest_tremor_one_side()
    flags["R9"] = rules.r9_action_tremor_both_sides()
    flags["L1"] = rules.l1_low_electrolyte()
    order = {rule.id: index for index, rule in enumerate(FLAG_RULES_LIST)}
    found = [flag for flag in flags.values() if flag is not None]
    return sorted(found, key=lambda flag: (-severity_rank(flag.severity), order[flag.rule_id]))
