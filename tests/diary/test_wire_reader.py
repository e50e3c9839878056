"""read_wire_record, as each table's compiled reader does it: the everyday value of each kind is
taken straight (an int, a str, a time in plain milliseconds, "[]"), anything else goes through
the kind's own rules. Both roads must give the same value, or the same message."""

from __future__ import annotations

import random
from typing import Any

import pytest

from diary.tables import TABLES, ms_to_datetime, read_wire_record, read_wire_records

YEAR_1000_MS = -30_610_224_000_000
YEAR_9000_MS = 221_845_392_000_000


def read(table: str, column: str, value: Any, *, send: bool = True) -> tuple[Any, list[str] | None]:
    """The value read for ``column`` of a record carrying ``value`` (or not carrying it), and its errors."""
    raw = {"id": "r1", column: value} if send else {"id": "r1"}
    client_id, values, errors = read_wire_record(TABLES[table], raw)
    assert client_id == "r1"
    return values.get(column), errors.get(column)


@pytest.mark.parametrize(
    "ms",
    [
        YEAR_1000_MS - 1,
        YEAR_1000_MS,
        YEAR_9000_MS,
        YEAR_9000_MS + 1,
        0,
        -1,
        1_733_400_000_123,
        1_733_400_000_123.5,
        253_402_300_799_999,
    ],
)
def test_a_time_in_milliseconds_reads_as_ms_to_datetime_reads_it_on_either_side_of_the_plain_range(ms):
    assert read("episodes", "started_at", ms) == (ms_to_datetime(ms), None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "must be a time in epoch milliseconds (a number)"),
        ("1733400000123", "must be a time in epoch milliseconds (a number)"),
        (10**20, "is not a valid time in epoch milliseconds"),
        (float("inf"), "must be a time in epoch milliseconds (a number)"),
        ("", "is required"),
        (None, "is required"),
    ],
)
def test_what_is_no_time_in_milliseconds_is_refused_in_its_words(value, message):
    assert read("episodes", "started_at", value) == (None, [message])


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("episodes", "intensity", 5, (5, None)),
        ("episodes", "intensity", 5.0, (5, None)),
        ("episodes", "intensity", 2**70, (2**70, None)),  # a range refuses it, not the reader
        ("episodes", "intensity", True, (None, ["must be a whole number"])),
        ("episodes", "intensity", 5.5, (None, ["must be a whole number"])),
        ("episodes", "intensity", "5", (None, ["must be a whole number"])),
        ("episodes", "character", "twitch", ("twitch", None)),
        ("episodes", "character", "", ("", None)),  # a string column keeps an empty string
        ("episodes", "character", "a\x00b", (None, ["must not contain null characters"])),
        ("episodes", "character", 5, (None, ["must be a string"])),
        ("episodes", "notes", None, (None, None)),  # nullable: a pushed null stays null
        ("episodes", "symptoms", "[]", ([], None)),
        ("episodes", "symptoms", "", ([], None)),
        ("episodes", "symptoms", None, ([], None)),
        ("episodes", "symptoms", '["tingling"]', (["tingling"], None)),
        ("episodes", "symptoms", "[1]", (None, ["must be a JSON-encoded list of strings"])),
        ("caffeine_intakes", "servings", 1.5, (1.5, None)),
        ("caffeine_intakes", "servings", 2, (2.0, None)),
        ("caffeine_intakes", "servings", True, (None, ["must be a number"])),
        ("caffeine_intakes", "servings", float("nan"), (None, ["must be a number"])),
        ("medications", "as_needed", True, (True, None)),
        ("medications", "as_needed", 1, (True, None)),
        ("medications", "as_needed", 0, (False, None)),
        ("medications", "as_needed", 2, (None, ["must be true or false"])),
        ("medication_doses", "medication_id", "med-1", ("med-1", None)),
        ("medication_doses", "medication_id", 7, (None, ["must be a string"])),
    ],
)
def test_each_kind_reads_its_everyday_value_and_anything_else_by_its_rules(table, column, value, expected):
    got = read(table, column, value)
    assert got == expected
    if expected[0] is not None:
        assert type(got[0]) is type(expected[0])  # 2 for a float column reads as 2.0


def test_a_column_left_out_takes_its_default_and_a_nullable_one_left_out_is_not_null():
    assert read("episodes", "notes", None, send=False) == ("", None)
    assert read("episodes", "context", None, send=False) == ("", None)
    assert read("episodes", "intensity", None, send=False) == (None, ["is required"])


# read_wire_records: a table's records column by column when every one is clean, else record by
# record; either way exactly what read_wire_record gives each.

# Every kind's everyday values and its odd ones (wrong types, out of range, empty, missing).
_SAMPLES: dict[str, list[Any]] = {
    "datetime": [1_733_400_000_123, 1_733_400_000_123.5, 0, -1, YEAR_1000_MS - 1, 10**20, float("inf"), True, "1"],
    "date": ["2026-01-02", 1_733_400_000_123, "2026-13-01", 5.5, True],
    "int": [5, 0, -3, 2**70, 5.0, 5.5, True, "5"],
    "float": [1.5, 2, 0, 10**400, float("nan"), True, "1.5"],
    "str": ["twitch", "", "a\x00b", 5, ["x"]],
    "ref": ["med-1", "med-2", "", 7],
    "bool": [True, False, 0, 1, 2, "true"],
    "list": ["[]", '["left_index", "left_thumb"]', '["left_index", "left_thumb"]', "[1]", "[", ["tingling"], 3],
    "samples": ['{"x": [1], "y": [2], "z": [3]}', {"x": [1], "y": [2], "z": [3]}, "{}", 4],
}
_MISSING = object()  # the column left out of the record


def _records(table: str, rng: random.Random, count: int, odd: float) -> list[Any]:
    columns = TABLES[table].writable_columns
    records: list[Any] = []
    for n in range(count):
        record: dict[str, Any] = {"id": f"r{n}"}
        for column in columns:
            everyday = _SAMPLES[column.kind][:2]
            choices = _SAMPLES[column.kind] + [None, "", _MISSING] if rng.random() < odd else everyday
            value = rng.choice(choices)
            if value is not _MISSING:
                record[column.name] = value
        records.append(record)
    if rng.random() < odd:
        records[rng.randrange(count)]["id"] = rng.choice([None, 5, "", "a b", "x" * 65])
    if rng.random() < odd / 4:
        records[rng.randrange(count)] = rng.choice([None, [], "record"])
    return records


@pytest.mark.parametrize("table", sorted(TABLES))
def test_a_batch_reads_as_each_of_its_records_reads_alone(table):
    rng = random.Random(table)
    taken_column_by_column = 0
    for trial in range(300):
        records = _records(table, rng, count=rng.randint(1, 8), odd=0.0 if trial % 3 == 0 else 0.3)
        alone = [read_wire_record(TABLES[table], raw) for raw in records]
        taken_column_by_column += TABLES[table].wire_column_reader(records) is not None
        assert read_wire_records(TABLES[table], records) == alone
    assert taken_column_by_column >= 100  # the clean batches (a third of them at least) took that road


def test_a_clean_batch_gives_each_record_lists_of_its_own():
    raws = [
        {
            "id": f"e{n}",
            "started_at": 0,
            "duration_s": 5,
            "body_sites": '["left_index"]',
            "character": "twitch",
            "intensity": 3,
            "symptoms": "[]",
        }
        for n in range(3)
    ]
    read = TABLES["episodes"].wire_column_reader(raws)

    assert read is not None
    first, second = read[0][1], read[1][1]
    assert first["body_sites"] == second["body_sites"] == ["left_index"]
    assert first["body_sites"] is not second["body_sites"]
    assert first["symptoms"] is not second["symptoms"]
