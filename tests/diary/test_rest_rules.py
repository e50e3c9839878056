"""The diary's REST API: the input rules, each broken one a 400 naming the field, and nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.builders import payload, store
from tests.diary.rest_calls import rows, url


def _later(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


RULE_CASES = [
    ("episodes", {"started_at": lambda: _later(11)}, "started_at", "more than 10 minutes in the future"),
    ("episodes", {"duration_s": 3601}, "duration_s", "between 0 and 3600"),
    ("episodes", {"duration_s": -1}, "duration_s", "between 0 and 3600"),
    ("episodes", {"body_sites": ["left_pinky"]}, "body_sites", "'left_pinky' is not a known body site; valid values:"),
    ("episodes", {"body_sites": []}, "body_sites", "at least one body site"),
    ("episodes", {"intensity": 0}, "intensity", "between 1 and 10"),
    ("episodes", {"intensity": 11}, "intensity", "between 1 and 10"),
    ("episodes", {"character": "wobble"}, "character", "valid values: jerk, repetitive_movement"),
    ("episodes", {"symptoms": ["hiccups"]}, "symptoms", "not a known symptom"),
    ("caffeine_intakes", {"drink": "mate"}, "drink", "'mate' is not a known drink; valid values: black_tea"),
    ("caffeine_intakes", {"servings": 0}, "servings", "more than 0"),
    (
        "sleep_logs",
        {"bed_at": lambda: _later(-26 * 60), "woke_at": lambda: _later(-60)},
        "woke_at",
        "longer than 24 hours",
    ),
    ("sleep_logs", {"bed_at": lambda: _later(-60), "woke_at": lambda: _later(-120)}, "woke_at", "must be after bed_at"),
    ("sleep_logs", {"quality": 6}, "quality", "between 1 and 5"),
    ("stress_logs", {"level": 11}, "level", "between 0 and 10"),
    ("medications", {"name": "  "}, "name", "must not be blank"),
    ("medications", {"started_on": "2024-05-02", "stopped_on": "2024-05-01"}, "stopped_on", "before started_on"),
    (
        "medication_doses",
        {"medication_id": "no-such-medication"},
        "medication_id",
        "no medications record with id 'no-such-medication'",
    ),
    ("exercise_sessions", {"intensity": "extreme"}, "intensity", "valid values: light, moderate, vigorous"),
    ("exercise_sessions", {"duration_min": 0}, "duration_min", "between 1 and 1440"),
    ("lab_results", {"reference_low": 2.0, "reference_high": 1.0}, "reference_high", "must not be below reference_low"),
    ("lab_results", {"analyte": "iron"}, "analyte", "not a known analyte"),
    # Types and shapes, which the serializer refuses before the rules.
    ("episodes", {"intensity": "strong"}, "intensity", "must be a whole number"),
    ("episodes", {"body_sites": "left_index"}, "body_sites", "list"),
    ("stress_logs", {"recorded_at": "yesterday"}, "recorded_at", "Datetime has wrong format"),
]


@pytest.mark.parametrize(
    ("table", "overrides", "field", "rule"), RULE_CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(RULE_CASES)]
)
def test_each_broken_rule_is_a_400_naming_the_field_and_rule_and_stores_nothing(
    auth_client, user, table, overrides, field, rule
):
    body = payload(table, user=user, **{k: v() if callable(v) else v for k, v in overrides.items()})
    before = rows(user, table).count()

    response = auth_client.post(url(table), body, format="json")

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert any(rule in message for message in error["fields"][field]), error
    assert rows(user, table).count() == before


def test_an_unknown_body_site_lists_the_valid_ones(auth_client, user):
    response = auth_client.post(url("episodes"), payload("episodes", user=user, body_sites=["thumb"]), format="json")

    message = response.json()["error"]["fields"]["body_sites"][0]
    assert "left_thumb" in message
    assert "right_little" in message
    assert "tongue" in message


def test_a_patch_breaking_a_rule_changes_nothing(auth_client, user):
    record = store(user, "sleep_logs")
    before = list(rows(user, "sleep_logs").values())

    response = auth_client.patch(url("sleep_logs", record.client_id), {"bed_at": _later(-30 * 60)}, format="json")

    assert response.status_code == 400
    assert "woke_at" in response.json()["error"]["fields"]
    assert list(rows(user, "sleep_logs").values()) == before


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("notes", 5, "must be a string"),
        ("intensity", "5", "must be a whole number"),
        ("intensity", True, "must be a whole number"),
        ("duration_s", 30.5, "must be a whole number"),
        ("started_at", 1714550400000, "must be an ISO 8601 date-time string"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_a_400_not_converted(auth_client, user, field, value, rule):
    # schemathesis found {"name": 0} stored as the text "0": the schema says string.
    response = auth_client.post(url("episodes"), payload("episodes", user=user, **{field: value}), format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [rule]}
    assert not rows(user, "episodes").exists()
