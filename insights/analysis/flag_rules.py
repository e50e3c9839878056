"""Flags that warrant a doctor visit, evaluated over the whole diary (CLINICAL.md, "Flag rules").

Each rule looks for a pattern of entries and, when it finds one, returns the entries and local
dates that show it, with the rule's severity, wording and source from ``knowledge``. Nothing here
diagnoses: a flag says what the diary shows and why a doctor should see it.

What the diary cannot see is said beside each rule: it records no vomiting, diarrhoea or
drowsiness (R13), no "coarse" quality of a tremor (R13), no burning (R18), no odd postures (R10)
and no suddenness except through how close together entries are (R20).

A flag's ``fingerprint`` holds only what is material (rule, severity, regions), so an acknowledged
flag reopens when it escalates or reaches a new region, not every time another episode is logged.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from diary.catalogues.body_sites import BODY_SITES
from diary.catalogues.episode_terms import ELECTROLYTES
from diary.catalogues.medicines import TWITCH_LINKED_CLASSES
from insights.analysis.daily_series import local_date
from insights.analysis.knowledge import FLAG_RULES, FLAG_RULES_LIST, severity_rank
from insights.analysis.records import Diary, EpisodeRecord, MedicationRecord

PERSISTENCE_DAYS = 14  # NHS: see a GP if twitching lasts more than 2 weeks; exactly 14 days does not fire.
RECURRING_EPISODES = 3
REST_TREMOR_MIN_DAYS = 3
SPREAD_WINDOW_DAYS = 14  # numbness reaching a new area "over days", not over months as in neuropathy
FAST_WINDOW = timedelta(hours=24)
# DSM-5-TR: tardive dyskinesia follows at least 3 months of exposure, 1 month from age 60, and the
# movements last at least 4 weeks; they may also start within 4 weeks of stopping the medicine.
TD_EXPOSURE_MONTHS = 3
TD_EXPOSURE_MONTHS_OLDER = 1
TD_OLDER_AGE = 60
TD_MIN_SPAN_DAYS = 28
TD_AFTER_STOP_DAYS = 28

NUMB_OR_TINGLING = frozenset({"numbness", "tingling"})
MEDIAN_FINGERS = frozenset({"thumb", "index", "middle"})
ULNAR_FINGERS = frozenset({"little", "ring"})
HAND_PARTS = frozenset({"thumb", "index", "middle", "ring", "little", "hand", "wrist"})
FAST_REGION_SUFFIXES = ("_face", "_arm", "_hand")


@dataclass(frozen=True)
class FlagResult:
    rule_id: str
    severity: str
    regions: tuple[str, ...]
    evidence_entry_ids: tuple[str, ...]
    evidence_dates: tuple[date, ...]
    first_seen: date
    last_seen: date
    title: str
    wording: str
    source: str
    fingerprint: str


class RegionSpan(NamedTuple):
    region: str
    first_date: date
    last_date: date
    episode_count: int


@dataclass(frozen=True)
class _Episode:
    """An episode with its local day and the body-site facts the rules ask about."""

    record: EpisodeRecord
    day: date
    regions: frozenset[str]
    sides: frozenset[str]
    symptoms: frozenset[str]
    fingers: dict[str, frozenset[str]]  # side -> finger parts involved on that side

    @property
    def id(self) -> str:
        return self.record.id

    def has(self, *symptoms: str) -> bool:
        return not self.symptoms.isdisjoint(symptoms)


class _SiteFacts(NamedTuple):
    regions: frozenset[str]
    sides: frozenset[str]
    fingers: dict[str, frozenset[str]]


@lru_cache(maxsize=4096)
def _site_facts(codes: tuple[str, ...]) -> _SiteFacts:
    """Regions, sides and fingers of a set of site codes; cached since users repeat the same few."""
    # Unknown site codes are skipped rather than fatal: the API validates them, and one bad code
    # must not stop every other rule from running.
    sites = [BODY_SITES[code] for code in codes if code in BODY_SITES]
    fingers: dict[str, set[str]] = {}
    for site in sites:
        if site.is_finger and site.side:
            fingers.setdefault(site.side, set()).add(site.part)
    return _SiteFacts(
        regions=frozenset(site.region for site in sites),
        sides=frozenset(site.side for site in sites if site.side),
        fingers={side: frozenset(parts) for side, parts in fingers.items()},
    )


def _episode(record: EpisodeRecord, tz: ZoneInfo) -> _Episode:
    facts = _site_facts(tuple(record.body_sites))
    return _Episode(
        record=record,
        day=local_date(record.started_at, tz),
        regions=facts.regions,
        sides=facts.sides,
        symptoms=frozenset(record.symptoms),
        fingers=facts.fingers,
    )


Evidence = list[tuple[str, date]]


def fingerprint(rule_id: str, severity: str, regions: Iterable[str]) -> str:
    return f"{rule_id}|{severity}|{','.join(sorted(regions))}"


def _flag(rule_id: str, evidence: Evidence, regions: Iterable[str] = (), escalated: bool = False) -> FlagResult:
    rule = FLAG_RULES[rule_id]
    severity = rule.escalated_severity if escalated and rule.escalated_severity else rule.severity
    wording = rule.escalated_wording if escalated and rule.escalated_wording else rule.wording
    ordered = sorted(set(evidence), key=lambda item: (item[1], item[0]))
    ids = tuple(dict.fromkeys(entry_id for entry_id, _ in ordered))
    dates = tuple(sorted({day for _, day in ordered}))
    region_tuple = tuple(sorted(set(regions)))
    return FlagResult(
        rule_id,
        severity,
        region_tuple,
        ids,
        dates,
        dates[0],
        dates[-1],
        rule.title,
        wording,
        rule.source,
        fingerprint(rule_id, severity, region_tuple),
    )


def _evidence(episodes: Iterable[_Episode]) -> Evidence:
    return [(episode.id, episode.day) for episode in episodes]


def _regions(episodes: Iterable[_Episode]) -> set[str]:
    return {region for episode in episodes for region in episode.regions}


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


class _Rules:
    """The diary, prepared once, and one method per rule returning a flag or None."""

    def __init__(self, diary: Diary) -> None:
        self.diary = diary
        self.tz = ZoneInfo(diary.timezone)
        self.episodes = sorted(
            (_episode(record, self.tz) for record in diary.episodes), key=lambda episode: episode.record.started_at
        )
        # Most rules ask for episodes with a given symptom; an index keeps a year's diary from being
        # scanned once per rule.
        self.symptom_index: dict[str, list[int]] = {}
        for position, episode in enumerate(self.episodes):
            for symptom in episode.symptoms:
                self.symptom_index.setdefault(symptom, []).append(position)

    def with_symptoms(self, *symptoms: str) -> list[_Episode]:
        """Episodes with any of ``symptoms``, in time order."""
        positions = sorted({p for symptom in symptoms for p in self.symptom_index.get(symptom, ())})
        return [self.episodes[position] for position in positions]

    def r1_persistence(self) -> FlagResult | None:
        persisting = [
            span for span in _spans(self.episodes) if (span.last_date - span.first_date).days > PERSISTENCE_DAYS
        ]
        regions = {span.region for span in persisting}
        evidence = _evidence(e for e in self.episodes if e.regions & regions)
        return _flag("R1", evidence, regions) if persisting else None

    def r2_more_than_one_place(self) -> FlagResult | None:
        regions = _regions(self.episodes)
        if len(regions) < 2:
            return None
        # Twitches that wander are common in the benign form; what raises concern is weakness in a
        # region that joined after the first day (CLINICAL.md, R2).
        first_day = self.episodes[0].day
        initial = _regions(e for e in self.episodes if e.day == first_day)
        new_with_weakness = [e for e in self.episodes if e.has("weakness") and e.regions - initial]
        return _flag("R2", _evidence(self.episodes), regions, escalated=bool(new_with_weakness))

    def r3_weakness_or_stiffness(self) -> FlagResult | None:
        found = self.with_symptoms("weakness", "stiffness")
        return _flag("R3", _evidence(found), _regions(found)) if found else None

    def r4_wasting(self) -> FlagResult | None:
        found = self.with_symptoms("muscle_wasting")
        return _flag("R4", _evidence(found), _regions(found)) if found else None

    def r5_speech_or_swallowing(self) -> FlagResult | None:
        found = [
            e for e in self.episodes if e.has("speech_difficulty", "swallowing_difficulty") or "tongue" in e.regions
        ]
        return _flag("R5", _evidence(found), _regions(found)) if found else None

    def r6_cramps_with_weakness(self, weakness: FlagResult | None, wasting: FlagResult | None) -> FlagResult | None:
        # Cramps alone are common in the benign form (AAN 2017), so they only count beside R3 or R4.
        cramps = [e for e in self.episodes if e.has("cramp") or e.record.character == "spasm_cramp"]
        companions = [flag for flag in (weakness, wasting) if flag]
        if not cramps or not companions:
            return None
        evidence = _evidence(cramps) + [
            (entry_id, day) for flag in companions for entry_id, day in _flag_evidence(flag, self.episodes)
        ]
        return _flag("R6", evidence, _regions(cramps) | {r for flag in companions for r in flag.regions})

    def r7_suspected_medicine(self) -> FlagResult | None:
        if not self.episodes:
            return None
        first = self.episodes[0]
        suspects = [
            m
            for m in self.diary.medications
            if m.drug_class in TWITCH_LINKED_CLASSES
            and m.started_on is not None
            and m.started_on <= first.day
            and _taking(m, first.day)
        ]
        if not suspects:
            return None
        evidence = [(m.id, m.started_on) for m in suspects if m.started_on] + [(first.id, first.day)]
        return _flag("R7", evidence)

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
            # Parkinsonian rest tremor starts in one hand and stays asymmetric, so the other side
            # must show it on fewer than half as many days.
            if (
                len(items[side]) >= RECURRING_EPISODES
                and len(days) >= REST_TREMOR_MIN_DAYS
                and len(other_days) * 2 < len(days)
            ):
                return _flag("R8", items[side], {f"{side}_hand"})
        return None

    def r9_action_tremor_both_sides(self) -> FlagResult | None:
        action = [
            e
            for e in self.episodes
            if e.record.character == "tremor" and e.record.context in ("during_action", "holding_posture")
        ]
        recordings = self._tremor_recordings({"postural", "action"})
        sides = {side for e in action for side in e.sides} | {hand for _, hand, _ in recordings}
        evidence = _evidence(action) + [(entry_id, day) for entry_id, _, day in recordings]
        if {"left", "right"} <= sides and len(evidence) >= RECURRING_EPISODES:
            return _flag("R9", evidence, _regions(action) | {f"{hand}_hand" for _, hand, _ in recordings})
        return None

    def r10_task_specific(self) -> FlagResult | None:
        # The diary has no "odd posture" term, so only spasm or cramp while writing or typing counts.
        found = [
            e for e in self.episodes if e.record.character == "spasm_cramp" and e.record.context == "writing_typing"
        ]
        return _flag("R10", _evidence(found), _regions(found)) if len(found) >= RECURRING_EPISODES else None

    def r13_lithium(self) -> FlagResult | None:
        # Of the toxicity signs only unsteadiness (balance_problem) is in the diary, and a tremor's
        # coarseness is not, so any tremor with unsteadiness on lithium counts.
        lithium = [m for m in self.diary.medications if m.drug_class == "lithium"]
        found = [
            e
            for e in self.episodes
            if e.record.character == "tremor" and e.has("balance_problem") and any(_taking(m, e.day) for m in lithium)
        ]
        return _flag("R13", _evidence(found), _regions(found)) if found else None

    def r14_tardive_dyskinesia(self) -> FlagResult | None:
        birth_year = self.diary.birth_year
        # Age from the birth year alone can be a year high; at the 60 boundary that errs towards
        # the shorter exposure, i.e. towards showing the flag.
        older = birth_year is not None and self.diary.today.year - birth_year >= TD_OLDER_AGE
        months = TD_EXPOSURE_MONTHS_OLDER if older else TD_EXPOSURE_MONTHS
        movements = [e for e in self.episodes if e.record.character == "repetitive_movement"]
        for medication in self.diary.medications:
            if medication.drug_class != "dopamine_blocker" or medication.started_on is None:
                continue
            exposed = [
                e
                for e in movements
                if e.day >= medication.started_on and _taking(medication, e.day, grace_days=TD_AFTER_STOP_DAYS)
            ]
            if not exposed or exposed[-1].day < add_months(medication.started_on, months):
                continue
            if (exposed[-1].day - exposed[0].day).days >= TD_MIN_SPAN_DAYS:
                evidence = [(medication.id, medication.started_on), *_evidence(exposed)]
                return _flag("R14", evidence, _regions(exposed))
        return None

    def r15_low_calcium_pattern(self) -> FlagResult | None:
        found = [
            e
            for e in self.episodes
            if e.has("perioral_tingling")
            or (e.has("tingling") and e.fingers and (e.has("cramp") or e.record.character == "spasm_cramp"))
        ]
        return _flag("R15", _evidence(found), _regions(found)) if found else None

    def _per_side_fingers(self, matches: Callable[[frozenset[str]], bool]) -> dict[str, list[_Episode]]:
        numb = self.with_symptoms(*NUMB_OR_TINGLING)
        return {side: [e for e in numb if matches(e.fingers.get(side, frozenset()))] for side in ("left", "right")}

    def r16_carpal_tunnel(self) -> FlagResult | None:
        per_side = self._per_side_fingers(lambda fingers: bool(fingers & MEDIAN_FINGERS) and "little" not in fingers)
        sides = [side for side, found in per_side.items() if len(found) >= RECURRING_EPISODES]
        if not sides:
            return None
        wasting = [
            e for e in self.with_symptoms("muscle_wasting") if any("thumb" in e.fingers.get(side, ()) for side in sides)
        ]
        evidence = _evidence(e for side in sides for e in per_side[side]) + _evidence(wasting)
        return _flag("R16", evidence, {f"{side}_hand" for side in sides}, escalated=bool(wasting))

    def r17_ulnar(self) -> FlagResult | None:
        per_side = self._per_side_fingers(lambda fingers: fingers >= ULNAR_FINGERS and not fingers & MEDIAN_FINGERS)
        sides = [side for side, found in per_side.items() if len(found) >= RECURRING_EPISODES]
        evidence = _evidence(e for side in sides for e in per_side[side])
        return _flag("R17", evidence, {f"{side}_hand" for side in sides}) if sides else None

    def r18_neuropathy(self) -> FlagResult | None:
        hands, feet = set(), set()
        found = []
        for episode in self.with_symptoms(*NUMB_OR_TINGLING):
            sites = [BODY_SITES[c] for c in episode.record.body_sites if c in BODY_SITES]
            episode_hands = {s.side for s in sites if s.side and s.part in HAND_PARTS}
            episode_feet = {s.side for s in sites if s.side and s.part == "foot"}
            if episode_hands or episode_feet:
                found.append(episode)
                hands |= episode_hands
                feet |= episode_feet
        symmetric = {"left", "right"} <= hands or {"left", "right"} <= feet
        if symmetric and len(found) >= RECURRING_EPISODES:
            return _flag("R18", _evidence(found), _regions(found))
        return None

    def r19_ms_type_signs(self) -> FlagResult | None:
        found = self.with_symptoms("vision_change", "balance_problem")
        numb = self.with_symptoms("numbness")
        ordinals = [episode.day.toordinal() for episode in numb]
        for index, episode in enumerate(numb):
            # Episodes are in time order, so the earlier days within the window are a contiguous run.
            first = bisect_left(ordinals, ordinals[index] - SPREAD_WINDOW_DAYS)
            last = bisect_left(ordinals, ordinals[index])
            earlier = numb[first:last]
            if earlier and episode.regions - _regions(earlier):
                found.extend([*earlier, episode])
        return _flag("R19", _evidence(found), _regions(found)) if found else None

    def r20_sudden_face_arm_speech(self) -> FlagResult | None:
        speech = self.with_symptoms("speech_difficulty")
        weak = [
            e
            for e in self.with_symptoms("weakness")
            if any(region.endswith(FAST_REGION_SUFFIXES) for region in e.regions)
        ]
        pairs = [(s, w) for s in speech for w in weak if abs(s.record.started_at - w.record.started_at) <= FAST_WINDOW]
        found = [episode for pair in pairs for episode in pair]
        return _flag("R20", _evidence(found), _regions(found)) if found else None

    def l1_low_electrolyte(self) -> FlagResult | None:
        low = [
            lab
            for lab in self.diary.labs
            if lab.analyte in ELECTROLYTES and lab.reference_low is not None and lab.value < lab.reference_low
        ]
        return _flag("L1", [(lab.id, lab.taken_on) for lab in low]) if low else None


def _flag_evidence(flag: FlagResult, episodes: list[_Episode]) -> Evidence:
    ids = set(flag.evidence_entry_ids)
    return [(e.id, e.day) for e in episodes if e.id in ids]


def _spans(episodes: list[_Episode]) -> list[RegionSpan]:
    spans: dict[str, RegionSpan] = {}
    for episode in episodes:
        for region in episode.regions:
            span = spans.get(region)
            if span is None:
                spans[region] = RegionSpan(region, episode.day, episode.day, 1)
            else:
                spans[region] = RegionSpan(
                    region, min(span.first_date, episode.day), max(span.last_date, episode.day), span.episode_count + 1
                )
    return sorted(spans.values(), key=lambda span: (span.first_date, span.region))


def region_timeline(diary: Diary) -> list[RegionSpan]:
    """Each body region with its first and last local episode date and episode count, oldest first."""
    tz = ZoneInfo(diary.timezone)
    return _spans([_episode(record, tz) for record in diary.episodes])


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
        flags["R16"] = rules.r16_carpal_tunnel()
        flags["R17"] = rules.r17_ulnar()
        flags["R18"] = rules.r18_neuropathy()
        flags["R19"] = rules.r19_ms_type_signs()
        flags["R20"] = rules.r20_sudden_face_arm_speech()
    # Tremor recordings alone can show R8 and R9, so these run without episodes too.
    flags["R8"] = rules.r8_rest_tremor_one_side()
    flags["R9"] = rules.r9_action_tremor_both_sides()
    flags["L1"] = rules.l1_low_electrolyte()
    order = {rule.id: index for index, rule in enumerate(FLAG_RULES_LIST)}
    found = [flag for flag in flags.values() if flag is not None]
    return sorted(found, key=lambda flag: (-severity_rank(flag.severity), order[flag.rule_id]))
