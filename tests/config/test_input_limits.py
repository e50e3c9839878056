"""Limits at the door (issue 23, findings 1-4 and 6): deep nesting, oversized bodies, numbers too
large for a float or for their column, JSON-in-text nested deep, and dates near year 1. Each is a
4xx in the API's error shape naming the field, on every path, and nothing is half-stored."""

from __future__ import annotations

import json

import pytest

from diary.models import Episode, LabResult, StressLog, TremorRecording
from diary.tables import FLOAT_MAX, TABLES, sync_tables
from tests.builders import now_ms, payload, wire
from tests.diary.wire import changes, push

pytestmark = pytest.mark.django_db

ANONYMOUS_POSTS = ("/api/v1/auth/login/", "/api/v1/auth/register/", "/api/v1/auth/password/reset/")
SIGNED_IN_POSTS = ("/api/v1/episodes/", "/api/v1/sync/", "/api/v1/tremor-recordings/", "/api/v1/shares/")


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _post_raw(client, path: str, body: str | bytes):
    return client.generic("POST", path, body, content_type="application/json")


# --- 1. Nesting ---------------------------------------------------------------------------------------

DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 5_000 + "1" + "}" * 5_000  # about 30 KB


# The anonymous endpoints take 16 KB at most, so their nesting fits in that.
SMALL_DEEP_ARRAYS = "[" * 7_000 + "]" * 7_000
SMALL_DEEP_OBJECTS = '{"a":' * 2_500 + "1" + "}" * 2_500


@pytest.mark.parametrize("body", [SMALL_DEEP_ARRAYS, SMALL_DEEP_OBJECTS], ids=["7k-arrays", "2500-objects"])
@pytest.mark.parametrize("path", ANONYMOUS_POSTS)
def test_deeply_nested_json_is_a_400_on_the_anonymous_endpoints(api_client, path, body):
    error = _error(_post_raw(api_client, path, body), 400)
    assert error["code"] == "parse_error"
    assert "nested more than" in error["message"]


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["100k-arrays", "30kb-objects"])
@pytest.mark.parametrize("path", ANONYMOUS_POSTS)
def test_a_long_deeply_nested_body_is_a_413_on_the_anonymous_endpoints(api_client, path, body):
    assert _error(_post_raw(api_client, path, body), 413)["code"] == "payload_too_large"


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["100k-arrays", "30kb-objects"])
@pytest.mark.parametrize("path", SIGNED_IN_POSTS)
def test_deeply_nested_json_is_a_400_on_the_signed_in_endpoints(auth_client, path, body):
    error = _error(_post_raw(auth_client, path, body), 400)
    assert error["code"] == "parse_error"


def test_json_nested_within_the_limit_is_read_as_before(auth_client, user):
    # A push is 5 levels deep with its records: well inside the limit.
    response = push(auth_client, changes(stress_logs=[wire("stress_logs", "s1")]))
    assert response.status_code == 200, response.json()


# --- 2. Body size ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ANONYMOUS_POSTS)
def test_a_body_over_the_upload_limit_is_a_413_as_json_when_anonymous(api_client, path):
    body = json.dumps({"email": "ann@example.org", "password": "x" * (10 * 1024 * 1024)})
    error = _error(_post_raw(api_client, path, body), 413)
    assert error["code"] == "payload_too_large"
    assert "body" in error["fields"]


@pytest.mark.parametrize("path", SIGNED_IN_POSTS)
def test_a_body_over_the_upload_limit_is_a_413_as_json_when_signed_in(auth_client, user, path):
    body = json.dumps({"notes": "x" * (10 * 1024 * 1024)})
    error = _error(_post_raw(auth_client, path, body), 413)
    assert error["code"] == "payload_too_large"
    assert not Episode.objects.filter(user=user).exists()


@pytest.mark.slow
def test_a_45_megabyte_tremor_upload_is_a_413(auth_client, user):
    samples = {"x": [0.1] * 3_000_000, "y": [0.1] * 3_000_000, "z": [9.8] * 3_000_000}
    body = json.dumps(payload("tremor_recordings", user=user, samples=samples))
    assert len(body) > 40 * 1024 * 1024
    _error(_post_raw(auth_client, "/api/v1/tremor-recordings/", body), 413)
    assert not TremorRecording.objects.filter(user=user).exists()


def test_an_anonymous_endpoint_takes_a_far_smaller_body_than_the_upload_limit(api_client):
    body = json.dumps({"email": "ann@example.org", "password": "x" * 100_000})
    error = _error(_post_raw(api_client, "/api/v1/auth/login/", body), 413)
    assert error["fields"] == {"body": ["at most 16 KB per request"]}


# --- 3. Numbers: finite and within each column's range, on REST and sync alike ------------------------

HUGE_INT = "1" + "0" * 400  # 10**400: a JSON integer too large for any float


@pytest.mark.parametrize(
    ("table", "column", "record"),
    [
        ("stress_logs", "level", lambda: wire("stress_logs", "s1")),
        ("episodes", "duration_s", lambda: wire("episodes", "e1")),
        ("caffeine_intakes", "servings", lambda: {"id": "c1", "consumed_at": now_ms() - 60_000, "drink": "espresso"}),
        (
            "lab_results",
            "value",
            lambda: {"id": "l1", "taken_on": "2026-01-05", "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
        ),
    ],
)
@pytest.mark.parametrize("number", [HUGE_INT, "1e300", "-1e300"])
def test_a_sync_push_with_a_number_too_large_names_the_record_field(auth_client, user, table, column, record, number):
    # Put the raw number in the column's place, as a phone's JSON would carry it.
    raw = json.loads(json.dumps(changes(**{table: [record()]})))
    raw[table]["created"][0][column] = "__N__"
    body = json.dumps(raw).replace('"__N__"', number)

    error = _error(_post_raw(auth_client, "/api/v1/sync/", body), 400)

    assert f"{table}.created[0].{column}" in error["fields"], error
    assert not TABLES[table].model.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("route", "table", "column"),
    [
        ("stress-logs", "stress_logs", "level"),
        ("episodes", "episodes", "duration_s"),
        ("caffeine-intakes", "caffeine_intakes", "servings"),
        ("lab-results", "lab_results", "value"),
        ("lab-results", "lab_results", "reference_high"),
    ],
)
@pytest.mark.parametrize("number", [HUGE_INT, "1e300"])
def test_a_rest_write_with_a_number_too_large_names_the_field(auth_client, user, route, table, column, number):
    raw = payload(table, user=user)
    raw[column] = "__N__"
    body = json.dumps(raw).replace('"__N__"', number)

    error = _error(_post_raw(auth_client, f"/api/v1/{route}/", body), 400)

    assert column in error["fields"], error
    assert not TABLES[table].model.objects.filter(user=user).exists()


def test_one_bad_number_in_a_push_stores_none_of_its_records(auth_client, user):
    raw = changes(
        stress_logs=[wire("stress_logs", "ok"), wire("stress_logs", "bad")], episodes=[wire("episodes", "e1")]
    )
    raw["stress_logs"]["created"][1]["level"] = "__N__"
    body = json.dumps(raw).replace('"__N__"', HUGE_INT)

    _error(_post_raw(auth_client, "/api/v1/sync/", body), 400)

    assert not StressLog.objects.filter(user=user).exists()
    assert not Episode.objects.filter(user=user).exists()


def test_every_number_column_declares_a_finite_range():
    for spec in sync_tables().values():
        for column in spec.columns:
            if column.kind in ("int", "float"):
                low, high = column.value_range
                assert -FLOAT_MAX <= low <= high <= FLOAT_MAX, (spec.name, column.name)


# --- 4. JSON-in-text columns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "column", "record"),
    [
        ("episodes", "body_sites", lambda: wire("episodes", "e1")),
        ("episodes", "symptoms", lambda: wire("episodes", "e1")),
        (
            "tremor_recordings",
            "samples",
            lambda: {
                "id": "t1",
                "recorded_at": now_ms() - 60_000,
                "hand": "left",
                "posture": "rest",
                "sample_rate_hz": 50,
            },
        ),
    ],
)
def test_a_json_text_column_nested_five_thousand_deep_is_a_400_naming_it(auth_client, user, table, column, record):
    value = record()
    value[column] = "[" * 5_000 + "]" * 5_000

    error = _error(push(auth_client, changes(**{table: [value]})), 400)

    field = f"{table}.created[0].{column}"
    assert field in error["fields"], error
    assert "nested more than" in error["fields"][field][0]
    assert not TABLES[table].model.objects.filter(user=user).exists()


# --- 6. Dates within a plausible range ----------------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T11:00:00Z", "1899-12-31T23:59:00Z", "9999-12-31T00:00:00Z"])
def test_a_rest_diary_time_outside_1900_to_now_is_a_400_naming_it(client_for, make_user, moment):
    user = make_user(timezone="Etc/GMT+12")
    client = client_for(user)

    error = _error(
        client.post("/api/v1/episodes/", payload("episodes", user=user, started_at=moment), format="json"), 400
    )

    assert "started_at" in error["fields"]
    assert not Episode.objects.filter(user=user).exists()


@pytest.mark.parametrize("ms", [-62135557200000, -2208988800001])  # 0001-01-01T11:00Z; just before 1900
def test_a_sync_diary_time_before_1900_is_a_400_naming_it(auth_client, user, ms):
    error = _error(push(auth_client, changes(episodes=[wire("episodes", "e1", started_at=ms)])), 400)
    assert "episodes.created[0].started_at" in error["fields"]
    assert not Episode.objects.filter(user=user).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_lab_date_far_from_now_is_a_400_naming_it(auth_client, user, day):
    error = _error(
        auth_client.post("/api/v1/lab-results/", payload("lab_results", user=user, taken_on=day), format="json"), 400
    )
    assert "taken_on" in error["fields"]
    assert not LabResult.objects.filter(user=user).exists()


def test_a_diary_time_from_1900_on_is_accepted(auth_client, user):
    response = auth_client.post(
        "/api/v1/stress-logs/", payload("stress_logs", user=user, recorded_at="1900-01-01T00:00:00Z"), format="json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\ud800"}',  # an escape that spells a lone surrogate
        '{"a": ["x", {"b": "\\uDFFF"}]}',  # in upper case, nested
        '["\\ud83d"]',  # the first half of a pair, alone
        b'{"a": "\xed\xa0\x80"}',  # bytes: a surrogate encoded in UTF-8 (json.loads takes it)
    ],
)
def test_loads_limited_refuses_a_lone_surrogate_however_it_is_spelled(text):
    from config.parsers import JsonLimitError, loads_limited

    with pytest.raises(JsonLimitError, match="surrogate"):
        loads_limited(text)


def test_loads_limited_still_measures_depth_when_the_text_cannot_spell_a_surrogate():
    from config.parsers import JsonLimitError, loads_limited

    assert loads_limited('{"a": "\\ud83d\\ude00", "b": [[1]]}') == {"a": "\U0001f600", "b": [[1]]}
    with pytest.raises(JsonLimitError, match="levels deep"):
        loads_limited('{"a": "plain text", "b": ' + "[" * 25 + "]" * 25 + "}")


def test_loads_limited_counts_brackets_inside_strings_toward_the_bound_never_past_the_limit():
    from config.parsers import JsonLimitError, loads_limited

    # Few brackets in all: read without a walk. Brackets inside strings only make the bound larger.
    assert loads_limited('["left_index", "left_thumb"]') == ["left_index", "left_thumb"]
    assert loads_limited('{"note": "' + "[" * 30 + '"}') == {"note": "[" * 30}
    with pytest.raises(JsonLimitError, match="levels deep"):
        loads_limited("[" * 21 + "]" * 21)


@pytest.mark.parametrize("deepest", [20, 21])
def test_loads_limited_finds_the_one_deep_value_among_many_flat_records(deepest):
    """A push's shape: hundreds of flat records (their brackets many more than the limit), and
    one value nested to ``deepest`` levels in the last one, behind a dict or a list."""
    import json

    from config.parsers import JsonLimitError, loads_limited

    nested: object = 1
    for level in range(deepest - 4):  # the body, the table, the kind and the record are 4 levels
        nested = [nested] if level % 2 else {"k": nested}
    records = [{"id": f"r{i}", "body_sites": '["left_index"]', "n": i} for i in range(300)]
    records.append({"id": "deep", "samples": nested})
    text = json.dumps({"episodes": {"created": records, "deleted": []}})
    if deepest <= 20:
        assert loads_limited(text)["episodes"]["created"][-1]["samples"] == nested
    else:
        with pytest.raises(JsonLimitError, match="nested more than 20 levels deep"):
            loads_limited(text)
