"""Fuzzing the write paths with hostile values (issue 23, build point 6).

Hypothesis takes a valid record of a random table and puts a hostile value in one of its columns:
deep nesting, integers past any float (10**400), huge and non-finite floats (NaN and Infinity
are written as the bare tokens a careless client would send), dates from year 1 to 9999 and
epoch milliseconds far beyond them, long and odd strings, JSON-in-text nested thousands deep.
It sends the record over REST and over the sync push. Every answer must be a 2xx, or a 4xx in the
API's error shape; after each example the sync pull still reads, and after all of them every
surface of the account does (tests/surfaces.py).

These would have found every finding of issue 23 that reached a 500. Run time stays modest: a
fixed number of examples, no deadline, a fixed seed (derandomize) so a failure is reproducible.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diary.tables import TABLES, Column, TableSpec
from tests.builders import payload
from tests.surfaces import read_every_surface, strict_json

pytestmark = pytest.mark.django_db

EXAMPLES = 60
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- Hostile values ------------------------------------------------------------------------------------

huge_integers = st.one_of(
    st.just(10**400),
    st.just(-(10**400)),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31, 2**31 - 1, -(2**31) - 1, 2**63, 2**64]),
)
odd_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 1e308, 5e-324, -0.0, math.inf, math.nan]),
)
odd_instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))
odd_times = st.one_of(
    odd_instants.map(lambda moment: moment.isoformat()),
    st.integers(min_value=-(10**16), max_value=10**16),  # epoch ms, years -300,000 to 300,000
    st.sampled_from(["0001-01-01T11:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z", "", "now"]),
)
odd_dates = st.one_of(st.dates().map(lambda day: day.isoformat()), st.sampled_from(["0001-01-01", "", "2026-02-30"]))
long_strings = st.one_of(
    st.text(max_size=200),
    st.integers(min_value=100, max_value=20_000).map(lambda n: "x" * n),
    st.sampled_from(["=cmd|' /C calc'!A0", "\x00", "\ud800", "\u202e", "\U0001f600" * 300]),
)


@dataclass(frozen=True)
class Deep:
    """JSON arrays nested ``depth`` deep, spliced into the body as text by ``encode``: a Python
    value that deep could not be encoded (or printed by Hypothesis) without recursing as deep."""

    depth: int

    def text(self) -> str:
        return "[" * self.depth + "]" * self.depth


json_values = st.recursive(
    st.none() | st.booleans() | huge_integers | odd_floats | long_strings,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)
deep_values = st.integers(min_value=10, max_value=3_000).map(Deep)
deep_json_text = st.integers(min_value=10, max_value=6_000).map(lambda depth: "[" * depth + "]" * depth)


def hostile_value(column: Column) -> st.SearchStrategy[Any]:
    """What to put in ``column``: anything hostile, weighted to what its kind reads."""
    by_kind = {
        "int": huge_integers | odd_floats,
        "float": odd_floats | huge_integers,
        "datetime": odd_times,
        "date": odd_dates,
        "list": deep_json_text | json_values,
        "samples": deep_json_text
        | json_values
        | st.builds(lambda v: {"x": [v] * 600, "y": [v] * 600, "z": [v] * 600}, odd_floats),
    }
    return st.one_of(by_kind.get(column.kind, long_strings), json_values, deep_values)


# --- Requests ----------------------------------------------------------------------------------------


def encode(body: Any) -> str:
    """JSON as a careless client writes it: NaN and Infinity as bare tokens, integers at any size,
    and each Deep value as its nested arrays."""
    deep: list[Deep] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Deep):
            deep.append(value)
            return f"__deep_{len(deep) - 1}__"
        if isinstance(value, dict):
            return {key: mark(item) for key, item in value.items()}
        if isinstance(value, list):
            return [mark(item) for item in value]
        return value

    text = json.dumps(mark(body), allow_nan=True)
    for index, value in enumerate(deep):
        text = text.replace(f'"__deep_{index}__"', value.text())
    return text


def _ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def wire_record(spec: TableSpec, rest: dict[str, Any], client_id: str) -> dict[str, Any]:
    """A valid REST body as the sync wire carries it (times in ms, lists as JSON strings)."""
    record: dict[str, Any] = {"id": client_id}
    for column in spec.writable_columns:
        if column.name not in rest:
            continue
        value = rest[column.name]
        if column.kind == "datetime":
            value = _ms(value)
        elif column.kind in ("list", "samples"):
            value = json.dumps(value)
        record[column.name] = value
    return record


def _assert_answer(response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "fields"}, body


writable_tables = st.sampled_from([spec for spec in TABLES.values() if spec.writable_columns])


@st.composite
def poisoned_records(draw: st.DrawFn, user: Any) -> tuple[TableSpec, dict[str, Any], str, Any]:
    spec = draw(writable_tables)
    column = draw(st.sampled_from(spec.writable_columns))
    value = draw(hostile_value(column))
    at = timezone.now() - timedelta(minutes=draw(st.integers(min_value=1, max_value=60 * 24 * 60)))
    return spec, payload(spec.name, user=user, at=at), column.name, value


# --- Tests -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_values_over_rest_answer_a_2xx_or_a_4xx_and_the_account_still_reads(user, client_for):
    client = client_for(user)
    counter = iter(range(10**6))

    @FUZZ_SETTINGS
    @given(case=poisoned_records(user))
    def send(case: tuple[TableSpec, dict[str, Any], str, Any]) -> None:
        spec, body, column, value = case
        body = {**body, column: value, "id": f"rest-{next(counter)}"}
        response = client.generic("POST", f"/api/v1/{spec.route}/", encode(body), content_type="application/json")
        _assert_answer(response, f"POST {spec.route} {column}")
        strict_json(client.get("/api/v1/sync/?last_pulled_at=null").content)

    send()
    read_every_surface(client, user)


@pytest.mark.slow
def test_hostile_values_over_sync_answer_a_2xx_or_a_4xx_and_the_account_still_reads(user, client_for):
    client = client_for(user)
    counter = iter(range(10**6))

    @FUZZ_SETTINGS
    @given(case=poisoned_records(user), nesting=st.sampled_from([0, 0, 0, 50, 5_000]))
    def send(case: tuple[TableSpec, dict[str, Any], str, Any], nesting: int) -> None:
        spec, body, column, value = case
        record = {**wire_record(spec, body, f"sync-{next(counter)}"), column: value}
        push: Any = {spec.name: {"created": [record], "updated": [], "deleted": []}}
        if nesting:
            push[spec.name]["created"].append(Deep(nesting))  # a record nested deep beside it
        response = client.generic("POST", "/api/v1/sync/", encode(push), content_type="application/json")
        _assert_answer(response, f"push {spec.name} {column}")
        strict_json(client.get("/api/v1/sync/?last_pulled_at=null").content)

    send()
    read_every_surface(client, user)
