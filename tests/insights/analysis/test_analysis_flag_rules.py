"""Every flag rule fires on its fixture and stays quiet on its near miss."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from insights.analysis.clinical_thresholds import RECURRING_EPISODES
from insights.analysis.flag_rules import FlagResult, add_months, evaluate_flags, region_timeline
from insights.analysis.records import Diary, EpisodeRecord, LabRecord, MedicationRecord
from insights.wording import day_text
from tests.builders import diary, episode_record, medication_record, tremor_record
from tests.insights.analysis.analysis_day import TODAY, days_ago


def flags_of(d: Diary) -> dict[str, FlagResult]:
    return {flag.rule_id: flag for flag in evaluate_flags(d)}


def recurring(n: int, **kwargs: Any) -> list[EpisodeRecord]:
    return [episode_record(days_ago(10 - i), **kwargs) for i in range(n)]


@pytest.mark.parametrize(("span_days", "fires"), [(14, False), (15, True)])
def test_it_flags_persistence_only_beyond_fourteen_days(span_days: int, fires: bool) -> None:
    d = diary(
        episode_record(days_ago(span_days)), episode_record(days_ago(0), body_sites=("left_middle",)), today=TODAY
    )
    assert ("R1" in flags_of(d)) is fires


def test_it_judges_persistence_per_region() -> None:
    d = diary(
        episode_record(days_ago(20), body_sites=("left_index",)),
        episode_record(days_ago(0), body_sites=("right_index",)),
        today=TODAY,
    )
    assert "R1" not in flags_of(d)


def test_it_flags_two_regions_and_escalates_only_when_a_new_region_brings_weakness() -> None:
    one_region = diary(
        episode_record(days_ago(3)), episode_record(days_ago(1), body_sites=("left_thumb",)), today=TODAY
    )
    two_regions = diary(
        episode_record(days_ago(3)), episode_record(days_ago(1), body_sites=("right_calf",)), today=TODAY
    )
    weak_in_new = diary(
        episode_record(days_ago(3)),
        episode_record(days_ago(1), body_sites=("right_calf",), symptoms=("weakness",)),
        today=TODAY,
    )
    weak_in_first = diary(
        episode_record(days_ago(3), symptoms=("weakness",)),
        episode_record(days_ago(1), body_sites=("right_calf",)),
        today=TODAY,
    )
    assert "R2" not in flags_of(one_region)
    assert flags_of(two_regions)["R2"].severity == "see_doctor"
    assert flags_of(weak_in_new)["R2"].severity == "see_doctor_soon"
    assert flags_of(weak_in_first)["R2"].severity == "see_doctor"


@pytest.mark.parametrize(
    ("symptom", "rule"),
    [
        ("weakness", "R3"),
        ("stiffness", "R3"),
        ("muscle_wasting", "R4"),
        ("speech_difficulty", "R5"),
        ("swallowing_difficulty", "R5"),
    ],
)
def test_it_flags_the_signs_that_matter_soon(symptom: str, rule: str) -> None:
    assert flags_of(diary(episode_record(TODAY, symptoms=(symptom,)), today=TODAY))[rule].severity == "see_doctor_soon"
    assert rule not in flags_of(diary(episode_record(TODAY, symptoms=("pain",)), today=TODAY))


def test_it_flags_a_twitching_tongue() -> None:
    assert "R5" in flags_of(diary(episode_record(TODAY, body_sites=("tongue",)), today=TODAY))
    assert "R5" not in flags_of(diary(episode_record(TODAY, body_sites=("left_eyelid",)), today=TODAY))


def test_it_does_not_flag_cramps_alone_but_does_with_weakness() -> None:
    alone = flags_of(diary(*recurring(4, symptoms=("cramp",)), today=TODAY))
    with_weakness = flags_of(
        diary(*recurring(4, symptoms=("cramp",)), episode_record(TODAY, symptoms=("weakness",)), today=TODAY)
    )
    assert alone == {}
    assert with_weakness["R6"].severity == "see_doctor_soon"


def test_it_flags_a_linked_medicine_started_before_the_first_episode() -> None:
    inhaler = medication_record("beta2_agonist", started_on=days_ago(30))
    flags = flags_of(diary(episode_record(days_ago(5)), medications=(inhaler,), today=TODAY))
    assert "don't stop a prescribed medicine without advice" in flags["R7"].wording
    assert inhaler.id in flags["R7"].evidence_entry_ids


@pytest.mark.parametrize(
    "med",
    [
        medication_record("beta2_agonist", started_on=days_ago(2)),
        medication_record("other", started_on=days_ago(30)),
        medication_record("stimulant", started_on=days_ago(30), stopped_on=days_ago(20)),
    ],
)
def test_it_does_not_flag_medicines_started_later_unlinked_or_stopped_before(med: MedicationRecord) -> None:
    assert "R7" not in flags_of(diary(episode_record(days_ago(5)), medications=(med,), today=TODAY))


def rest_tremor(day: date, sites: tuple[str, ...]) -> EpisodeRecord:
    return episode_record(day, body_sites=sites, character="tremor", context="at_rest")


def test_it_flags_rest_tremor_on_one_side_on_three_days() -> None:
    d = diary(*(rest_tremor(days_ago(i), ("right_index",)) for i in range(3)), today=TODAY)
    assert flags_of(d)["R8"].regions == ("right_hand",)


def test_it_does_not_flag_rest_tremor_on_both_sides_or_on_fewer_days() -> None:
    both = diary(*(rest_tremor(days_ago(i), ("right_index", "left_index")) for i in range(3)), today=TODAY)
    alternating = diary(
        *(rest_tremor(days_ago(i), (f"{side}_index",)) for i in range(3) for side in ("left", "right")), today=TODAY
    )
    two_days = diary(*(rest_tremor(days_ago(i % 2), ("right_index",)) for i in range(3)), today=TODAY)
    assert "R8" not in flags_of(both)
    assert "R8" not in flags_of(alternating)
    assert "R8" not in flags_of(two_days)


def test_it_flags_rest_tremor_from_one_sided_recordings() -> None:
    assert "R8" in flags_of(
        diary(tremors=tuple(tremor_record(days_ago(i), "left", "rest") for i in range(3)), today=TODAY)
    )
    both = tuple(tremor_record(days_ago(i), hand, "rest") for i in range(3) for hand in ("left", "right"))
    assert "R8" not in flags_of(diary(tremors=both, today=TODAY))


def test_it_flags_action_tremor_on_both_sides_but_not_one() -> None:
    both = diary(
        *(
            episode_record(days_ago(i), body_sites=(f"{side}_hand",), character="tremor", context="during_action")
            for i, side in enumerate(("left", "right", "left"))
        ),
        today=TODAY,
    )
    one = diary(
        *(
            episode_record(days_ago(i), body_sites=("left_hand",), character="tremor", context="holding_posture")
            for i in range(4)
        ),
        today=TODAY,
    )
    assert flags_of(both)["R9"].regions == ("left_hand", "right_hand")
    assert "R9" not in flags_of(one)


def test_it_flags_postural_tremor_recorded_in_both_hands() -> None:
    both = tuple(tremor_record(days_ago(i), hand, "postural") for i, hand in enumerate(("left", "right", "left")))
    one = tuple(tremor_record(days_ago(i), "left", "postural") for i in range(3))
    assert "R9" in flags_of(diary(tremors=both, today=TODAY))
    assert "R9" not in flags_of(diary(tremors=one, today=TODAY))


@pytest.mark.parametrize(("count", "fires"), [(2, False), (3, True)])
def test_it_flags_task_specific_cramps_when_they_recur(count: int, fires: bool) -> None:
    d = diary(
        *recurring(count, character="spasm_cramp", context="writing_typing", body_sites=("right_hand",)), today=TODAY
    )
    assert ("R10" in flags_of(d)) is fires


def test_it_flags_lithium_with_tremor_and_unsteadiness_as_urgent() -> None:
    lithium = medication_record("lithium", started_on=days_ago(100))
    shaky = episode_record(TODAY, character="tremor", symptoms=("balance_problem",))
    assert flags_of(diary(shaky, medications=(lithium,), today=TODAY))["R13"].severity == "urgent"
    assert "R13" not in flags_of(diary(shaky, today=TODAY))
    assert "R13" not in flags_of(diary(episode_record(TODAY, character="tremor"), medications=(lithium,), today=TODAY))


def movements_over_five_weeks() -> list[EpisodeRecord]:
    return [
        episode_record(days_ago(i), character="repetitive_movement", body_sites=("left_face",)) for i in (35, 21, 7, 0)
    ]


@pytest.mark.parametrize(("months_on", "birth_year", "fires"), [(2, 1980, False), (4, 1980, True), (2, 1950, True)])
def test_it_flags_tardive_dyskinesia_after_enough_exposure(months_on: int, birth_year: int, fires: bool) -> None:
    blocker = medication_record("dopamine_blocker", started_on=add_months(TODAY, -months_on), name="Haloperidol")
    d = diary(*movements_over_five_weeks(), medications=(blocker,), birth_year=birth_year, today=TODAY)
    assert ("R14" in flags_of(d)) is fires


def test_it_needs_four_weeks_of_movements_for_tardive_dyskinesia() -> None:
    blocker = medication_record("dopamine_blocker", started_on=add_months(TODAY, -6))
    short = [episode_record(days_ago(i), character="repetitive_movement") for i in (20, 10, 0)]
    assert "R14" not in flags_of(diary(*short, medications=(blocker,), today=TODAY))


def test_it_flags_the_low_calcium_pattern_as_urgent() -> None:
    mouth = diary(episode_record(TODAY, body_sites=("left_face",), symptoms=("perioral_tingling",)), today=TODAY)
    fingertips = diary(
        episode_record(TODAY, body_sites=("left_index",), character="spasm_cramp", symptoms=("tingling",)), today=TODAY
    )
    tingling_only = diary(episode_record(TODAY, body_sites=("left_index",), symptoms=("tingling",)), today=TODAY)
    assert flags_of(mouth)["R15"].severity == "urgent"
    assert flags_of(fingertips)["R15"].severity == "urgent"
    assert "R15" not in flags_of(tingling_only)


def test_it_flags_the_carpal_tunnel_pattern_and_escalates_with_thumb_wasting() -> None:
    numb = recurring(
        3, body_sites=("right_thumb", "right_index", "right_middle"), symptoms=("numbness",), context="during_sleep"
    )
    assert flags_of(diary(*numb, today=TODAY))["R16"].severity == "see_doctor"
    wasting = episode_record(TODAY, body_sites=("right_thumb",), symptoms=("muscle_wasting",))
    assert flags_of(diary(*numb, wasting, today=TODAY))["R16"].severity == "see_doctor_soon"
    assert "R16" not in flags_of(diary(*numb[:2], today=TODAY))


def test_it_flags_the_ulnar_pattern_only_when_the_thumb_side_is_spared() -> None:
    ulnar = recurring(3, body_sites=("left_little", "left_ring"), symptoms=("tingling",))
    mixed = recurring(3, body_sites=("left_little", "left_ring", "left_index"), symptoms=("tingling",))
    assert flags_of(diary(*ulnar, today=TODAY))["R17"].regions == ("left_hand",)
    assert "R17" not in flags_of(diary(*mixed, today=TODAY))
    assert "R16" not in flags_of(diary(*ulnar, today=TODAY))


def test_it_flags_the_neuropathy_pattern_in_both_hands_or_feet_only() -> None:
    both_feet = recurring(3, body_sites=("left_foot", "right_foot"), symptoms=("numbness",))
    one_hand = recurring(3, body_sites=("left_hand",), symptoms=("numbness",))
    assert "R18" in flags_of(diary(*both_feet, today=TODAY))
    assert "R18" not in flags_of(diary(*one_hand, today=TODAY))


def test_it_flags_vision_balance_and_numbness_spreading_over_days() -> None:
    spreading = diary(
        episode_record(days_ago(4), body_sites=("left_hand",), symptoms=("numbness",)),
        episode_record(days_ago(1), body_sites=("left_forearm",), symptoms=("numbness",)),
        today=TODAY,
    )
    staying = diary(
        episode_record(days_ago(4), body_sites=("left_hand",), symptoms=("numbness",)),
        episode_record(days_ago(1), body_sites=("left_index",), symptoms=("numbness",)),
        today=TODAY,
    )
    assert (
        flags_of(diary(episode_record(TODAY, symptoms=("vision_change",)), today=TODAY))["R19"].severity
        == "see_doctor_soon"
    )
    assert "R19" in flags_of(spreading)
    assert "R19" not in flags_of(staying)


def test_it_treats_speech_trouble_with_face_weakness_as_an_emergency() -> None:
    fast = diary(
        episode_record(TODAY, body_sites=("left_face",), symptoms=("speech_difficulty", "weakness")), today=TODAY
    )
    flag = evaluate_flags(fast)[0]
    assert (flag.rule_id, flag.severity) == ("R20", "emergency")
    assert "call emergency services" in flag.wording
    assert "FAST" in flag.wording
    assert "R20" not in flags_of(
        diary(episode_record(TODAY, body_sites=("left_face",), symptoms=("speech_difficulty",)), today=TODAY)
    )


def lab(analyte: str, value: float, low: float, high: float | None = None, taken: int = 3) -> LabRecord:
    return LabRecord(
        id=f"lab-{analyte}-{value}-{taken}",
        taken_on=days_ago(taken),
        analyte=analyte,
        value=value,
        unit="mmol/L",
        reference_low=low,
        reference_high=low * 2 if high is None else high,
    )


def test_it_flags_an_electrolyte_below_its_range_only() -> None:
    assert flags_of(diary(labs=(lab("potassium", 3.2, 3.5),), today=TODAY))["L1"].evidence_dates == (days_ago(3),)
    assert "L1" not in flags_of(diary(labs=(lab("potassium", 3.5, 3.5),), today=TODAY))
    assert "L1" not in flags_of(diary(labs=(lab("tsh", 0.1, 0.4),), today=TODAY))


def test_its_fingerprint_changes_with_what_is_material_only() -> None:
    base = [episode_record(days_ago(20)), episode_record(days_ago(0))]
    first = flags_of(diary(*base, today=TODAY))["R1"].fingerprint
    more_of_the_same = flags_of(diary(*base, episode_record(days_ago(5)), today=TODAY))["R1"].fingerprint
    new_region = flags_of(
        diary(
            *base,
            episode_record(days_ago(30), body_sites=("right_calf",)),
            episode_record(days_ago(1), body_sites=("right_calf",)),
            today=TODAY,
        )
    )["R1"].fingerprint
    assert first == more_of_the_same == "R1|see_doctor|left_hand"
    assert new_region != first


def test_it_reports_evidence_on_local_dates() -> None:
    late = episode_record(date(2025, 6, 1), hour=23.5, tz="America/Los_Angeles")
    flag = flags_of(
        diary(late, episode_record(date(2025, 6, 2), body_sites=("right_calf",)), tz="America/Los_Angeles", today=TODAY)
    )["R2"]
    assert flag.first_seen == date(2025, 6, 1)


def test_it_lists_regions_over_time() -> None:
    d = diary(
        episode_record(days_ago(9)),
        episode_record(days_ago(4), body_sites=("right_calf",)),
        episode_record(days_ago(1)),
        today=TODAY,
    )
    assert [tuple(span) for span in region_timeline(d)] == [
        ("left_hand", days_ago(9), days_ago(1), 2),
        ("right_leg", days_ago(4), days_ago(4), 1),
    ]


def test_it_orders_flags_by_severity_and_never_names_a_disease_as_the_users() -> None:
    d = diary(
        episode_record(days_ago(20), symptoms=("weakness",)),
        episode_record(days_ago(0), body_sites=("right_calf",)),
        today=TODAY,
    )
    flags = evaluate_flags(d)
    assert [flag.severity for flag in flags] == sorted(
        (f.severity for f in flags), key=("emergency", "urgent", "see_doctor_soon", "see_doctor", "info").index
    )
    assert all("you have" not in flag.wording.lower() for flag in flags)


def test_a_low_potassium_followed_by_a_normal_repeat_raises_no_lab_flag() -> None:
    labs = (lab("potassium", 3.2, 3.5, 5.1, taken=40), lab("potassium", 4.0, 3.5, 5.1, taken=5))
    assert "L1" not in flags_of(diary(labs=labs, today=TODAY))


def test_a_low_magnesium_repeated_low_flags_with_the_latest_value_and_the_earlier_date() -> None:
    labs = (lab("magnesium", 0.68, 0.70, 1.00, taken=40), lab("magnesium", 0.66, 0.70, 1.00, taken=5))
    flag = flags_of(diary(labs=labs, today=TODAY))["L1"]
    assert flag.detail == (
        f"Magnesium 0.66 mmol/L (range 0.70-1.00) on {day_text(days_ago(5))}; "
        f"also below range on {day_text(days_ago(40))}"
    )
    assert flag.evidence_dates == (days_ago(5),)


def test_a_normal_result_followed_by_a_low_one_flags_and_other_tests_do_not_hide_it() -> None:
    labs = (
        lab("sodium", 140, 135, 145, taken=30),
        lab("sodium", 131, 135, 145, taken=4),
        lab("calcium", 2.1, 2.2, 2.6, taken=30),
        lab("calcium", 2.4, 2.2, 2.6, taken=4),
    )
    assert (
        flags_of(diary(labs=labs, today=TODAY))["L1"].detail
        == f"Sodium 131 mmol/L (range 135-145) on {day_text(days_ago(4))}"
    )


@pytest.mark.parametrize("typed", ["Ventolin", "salbutamol", "  PROAIR HFA ", "Seretide 250 Accuhaler"])
def test_a_beta_agonist_typed_as_free_text_before_the_first_episode_raises_the_medicine_flag(typed: str) -> None:
    inhaler = medication_record("other", started_on=days_ago(30), name=typed)
    flag = flags_of(diary(episode_record(days_ago(5)), medications=(inhaler,), today=TODAY))["R7"]
    assert "beta-2 agonist" in flag.detail
    assert flag.detail.endswith(f"first episode {day_text(days_ago(5))}")


def test_a_free_text_medicine_the_catalogue_does_not_know_raises_no_medicine_flag() -> None:
    tea = medication_record("other", started_on=days_ago(30), name="Chamomile tea")
    assert "R7" not in flags_of(diary(episode_record(days_ago(5)), medications=(tea,), today=TODAY))


def cramps(n: int, context: str, start: int = 0) -> list[EpisodeRecord]:
    return [
        episode_record(days_ago(start + i), body_sites=("right_hand",), character="spasm_cramp", context=context)
        for i in range(n)
    ]


def test_most_cramps_while_walking_and_three_while_writing_raise_no_task_specific_flag() -> None:
    d = diary(*cramps(8, "during_action"), *cramps(3, "writing_typing", start=10), today=TODAY)
    assert "R10" not in flags_of(d)


def test_cramps_mostly_while_writing_raise_the_task_specific_flag_and_say_how_many_of_all() -> None:
    d = diary(*cramps(2, "at_rest"), *cramps(4, "writing_typing", start=10), today=TODAY)
    flag = flags_of(d)["R10"]
    assert flag.detail.startswith("4 of 6 cramp or spasm episodes came while writing or typing (right hand)")


def median(n: int, context: str | None = "during_sleep", start: int = 0) -> list[EpisodeRecord]:
    sites = ("right_thumb", "right_index", "right_middle")
    return [
        episode_record(days_ago(start + i), body_sites=sites, context=context, symptoms=("numbness",)) for i in range(n)
    ]


def test_the_thumb_side_pattern_stays_quiet_when_most_numbness_takes_in_every_finger() -> None:
    whole_hand = [
        episode_record(
            days_ago(20 + i),
            body_sites=tuple(f"right_{f}" for f in ("thumb", "index", "middle", "ring", "little")),
            symptoms=("numbness",),
        )
        for i in range(5)
    ]
    assert "R16" not in flags_of(diary(*median(3), *whole_hand, today=TODAY))
    assert "R16" in flags_of(diary(*median(5), *whole_hand[:3], today=TODAY))


def test_the_thumb_side_pattern_names_its_count_share_and_nights_without_naming_a_condition() -> None:
    flag = flags_of(diary(*median(3), *median(1, context="at_rest", start=5), today=TODAY))["R16"]
    # The daytime episode at rest is not the pattern: 3 of the hand's 4, on 3 days.
    assert flag.detail.startswith(
        "right hand: 3 of 4 episodes of numbness or tingling in the fingers involved two or more of the thumb, "
        "index and middle finger with the little finger spared, at night or on waking, on 3 days"
    )
    assert "carpal" not in flag.wording.lower() and "trapped" not in flag.wording.lower()
    assert "carpal" not in flag.title.lower() and "carpal" not in flag.clinician_wording.lower()
    assert flag.clinician_wording.startswith("Recurrent nocturnal or on-waking numbness/tingling in median-nerve")


def test_brief_daytime_tingling_in_one_finger_during_a_twitch_is_not_the_thumb_side_pattern() -> None:
    # The diary: 5 tingling episodes, each in one finger, each during a twitch, by day, no numbness.
    one_finger = [
        episode_record(
            days_ago(i), body_sites=(f"left_{finger}",), symptoms=("tingling",), context="during_action", hour=14
        )
        for i, finger in enumerate(("index", "thumb", "middle", "index", "thumb"))
    ]
    assert "R16" not in flags_of(diary(*one_finger, today=TODAY))
    # Two fingers by day, or two fingers at night with a brief tingle only, are not it either.
    by_day = [
        episode_record(days_ago(i), body_sites=("left_index", "left_middle"), symptoms=("numbness",), hour=14)
        for i in range(4)
    ]
    brief = [
        episode_record(
            days_ago(i), body_sites=("left_index", "left_thumb"), symptoms=("tingling",), context="during_sleep"
        )
        for i in range(4)
    ]
    assert "R16" not in flags_of(diary(*by_day, today=TODAY))
    assert "R16" not in flags_of(diary(*brief, today=TODAY))


def test_numbness_in_both_hands_needs_to_recur_on_each_side() -> None:
    left = [episode_record(days_ago(i), body_sites=("left_hand",), symptoms=("tingling",)) for i in range(6)]
    right = [episode_record(days_ago(10 + i), body_sites=("right_hand",), symptoms=("tingling",)) for i in range(3)]
    assert "R18" not in flags_of(diary(*left, right[0], today=TODAY))
    flag = flags_of(diary(*left, *right, today=TODAY))["R18"]
    assert "left hand in 6 episodes, right hand in 3 episodes" in flag.detail


def test_persistence_names_the_region_its_episodes_and_dates() -> None:
    d = diary(episode_record(days_ago(20)), episode_record(days_ago(9)), episode_record(days_ago(0)), today=TODAY)
    detail = flags_of(d)["R1"].detail
    # Days with episodes, and the span named as a span: never "(20 days)" of symptoms.
    assert (
        detail
        == f"left hand: 3 episodes on 3 days, first to last {day_text(days_ago(20))[:-5]} - {day_text(days_ago(0))}"
    )


def test_every_flag_fired_names_its_evidence_in_episodes_and_a_clinician_line() -> None:
    blocker = medication_record("dopamine_blocker", started_on=add_months(TODAY, -6), name="Haldol")
    lithium = medication_record("lithium", started_on=days_ago(200), name="Priadel")
    d = diary(
        episode_record(days_ago(40), symptoms=("weakness", "cramp")),
        episode_record(days_ago(30), body_sites=("tongue",), symptoms=("muscle_wasting",)),
        episode_record(days_ago(2), character="tremor", symptoms=("balance_problem", "vision_change")),
        episode_record(
            TODAY, body_sites=("left_face",), symptoms=("speech_difficulty", "weakness", "perioral_tingling")
        ),
        *movements_over_five_weeks(),
        *recurring(RECURRING_EPISODES, body_sites=("left_little", "left_ring"), symptoms=("tingling",)),
        *median(RECURRING_EPISODES),
        medications=(blocker, lithium),
        labs=(lab("calcium", 2.0, 2.2, 2.6),),
        tremors=tuple(tremor_record(days_ago(i), hand, "postural") for i, hand in enumerate(("left", "right", "left"))),
        today=TODAY,
    )
    flags = evaluate_flags(d)
    assert len(flags) >= 15
    for flag in flags:
        assert flag.detail and flag.clinician_wording, flag.rule_id
        assert "entr" not in flag.detail, flag.detail


def test_persistence_says_an_episode_in_two_regions_counts_in_each_only_when_one_does() -> None:
    apart = [episode_record(days_ago(d), body_sites=("left_index",)) for d in (0, 20)]
    apart += [episode_record(days_ago(d), body_sites=("right_index",)) for d in (1, 21)]
    assert "counts in each" not in flags_of(diary(*apart, today=TODAY))["R1"].detail
    both = [episode_record(days_ago(d), body_sites=("left_index", "right_index")) for d in (0, 20)]
    detail = flags_of(diary(*both, today=TODAY))["R1"].detail
    assert "left hand: 2 episodes on 2 days" in detail and "(an episode in two regions counts in each)" in detail
