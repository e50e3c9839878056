"""The input checks of every diary table, shared by REST and sync.

Each check returns messages that name the rule broken, so the phone can show them next
to the field. The database's check constraints repeat the ranges as a last line of
defence; these give the clear message first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from diary.catalogues import body_sites, drinks, episode_terms, medicines
from diary.models import MAX_UTC_OFFSET_MIN
from diary.tables import TABLES
from diary.time_bounds import EARLIEST, EARLIEST_DAY, FUTURE_TOLERANCE
from diary.tremor_checks import validate_recording

MAX_SLEEP = timedelta(hours=24)

Errors = dict[str, list[str]]


def _one_of(value: str, allowed: Any, what: str) -> str | None:
    if value in allowed:
        return None
    return f"'{value}' is not a known {what}; valid values: {', '.join(sorted(allowed))}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _add(errors: Errors, field: str, message: str | None) -> None:
    if message:
        errors.setdefault(field, []).append(message)


def _check_episode(v: dict[str, Any], errors: Errors) -> None:
    sites = v.get("body_sites") or []
    if not sites:
        _add(errors, "body_sites", "must list at least one body site")
    for site in sites:
        _add(errors, "body_sites", _one_of(site, body_sites.BODY_SITES, "body site"))
    if "character" in v:
        _add(errors, "character", _one_of(v["character"], episode_terms.CHARACTERS, "character"))
    if v.get("context"):
        _add(errors, "context", _one_of(v["context"], episode_terms.CONTEXTS, "context"))
    for symptom in v.get("symptoms") or []:
        _add(errors, "symptoms", _one_of(symptom, episode_terms.SYMPTOMS, "symptom"))


def _check_caffeine(v: dict[str, Any], errors: Errors) -> None:
    drink = v.get("drink") or ""
    if drink:
        _add(errors, "drink", _one_of(drink, drinks.DRINKS, "drink"))
    elif v.get("mg") is None:
        _add(errors, "mg", "is required when no drink from the catalogue is given")
    servings = v.get("servings")
    if servings is not None and not 0 < servings <= 20:
        _add(errors, "servings", "must be more than 0 and at most 20")


def _check_sleep(v: dict[str, Any], errors: Errors) -> None:
    bed, woke = v.get("bed_at"), v.get("woke_at")
    if bed and woke:
        if woke <= bed:
            _add(errors, "woke_at", "must be after bed_at")
        elif woke - bed > MAX_SLEEP:
            _add(errors, "woke_at", "a night's sleep cannot be longer than 24 hours")


def _check_medication(v: dict[str, Any], errors: Errors) -> None:
    if "name" in v and not str(v["name"]).strip():
        _add(errors, "name", "must not be blank")
    key = v.get("catalogue_key") or ""
    if key.strip() and medicines.match_medicine(key) is None:
        _add(errors, "catalogue_key", "must name a medicine of the catalogue (a generic or brand name)")
    started, stopped = v.get("started_on"), v.get("stopped_on")
    if started and stopped and stopped < started:
        _add(errors, "stopped_on", "must not be before started_on")


def _check_exercise(v: dict[str, Any], errors: Errors) -> None:
    if v.get("intensity"):
        _add(errors, "intensity", _one_of(v["intensity"], episode_terms.EXERCISE_INTENSITIES, "exercise intensity"))


def _check_lab(v: dict[str, Any], errors: Errors) -> None:
    if "analyte" in v:
        _add(errors, "analyte", _one_of(v["analyte"], episode_terms.LAB_ANALYTES, "analyte"))
    if "unit" in v and not str(v["unit"]).strip():
        _add(errors, "unit", "must not be blank")
    low, high = v.get("reference_low"), v.get("reference_high")
    if low is not None and high is not None and high < low:
        _add(errors, "reference_high", "must not be below reference_low")


def _check_tremor(v: dict[str, Any], errors: Errors) -> None:
    if "hand" in v:
        _add(errors, "hand", _one_of(v["hand"], episode_terms.HANDS, "hand"))
    if "posture" in v:
        _add(errors, "posture", _one_of(v["posture"], episode_terms.POSTURES, "posture"))
    samples = v.get("samples")
    if isinstance(samples, dict) and v.get("sample_rate_hz") is not None:
        problems = validate_recording(v["sample_rate_hz"], samples.get("x"), samples.get("y"), samples.get("z"))
        for field, message in problems:
            target = f"samples.{field}" if field in ("x", "y", "z") else field
            _add(errors, "samples" if target == "non_field_errors" else target, message)


def _check_checkin(v: dict[str, Any], errors: Errors, now: datetime) -> None:
    day = v.get("day")
    # The day is the phone's local date: nowhere on Earth is it later than UTC+14:00.
    latest = (now.astimezone(UTC) + timedelta(minutes=MAX_UTC_OFFSET_MIN)).date()
    if isinstance(day, date) and day > latest:
        _add(errors, "day", "must not be a day that has not begun yet")


_TABLE_CHECKS: dict[str, Callable[[dict[str, Any], Errors], None]] = {
    "episodes": _check_episode,
    "caffeine_intakes": _check_caffeine,
    "sleep_logs": _check_sleep,
    "medications": _check_medication,
    "exercise_sessions": _check_exercise,
    "lab_results": _check_lab,
    "tremor_recordings": _check_tremor,
}


def check_record(table: str, values: dict[str, Any], *, now: datetime) -> Errors:
    """Every rule the record breaks, by field; empty when it is fine."""
    return record_checker(table, now)(values)


def record_checker(table: str, now: datetime) -> Callable[[dict[str, Any]], Errors]:
    """``check_record`` of one table at ``now``, for many records (a push checks each table's
    records with one). First the registry's limits of each column, in the registry's order: a
    number's range, a time's or a date's plausible span, a text's length. Every table's columns
    get them from their declaration (diary.tables), so a new column is checked by declaring its
    range or its max_length; nothing here names a table. Then the table's own rules. The bounds
    that depend on ``now`` are worked out once, and only the columns that have limits are looked
    at."""
    spec = TABLES.get(table)
    latest_time = now + FUTURE_TOLERANCE
    today = now.date()
    plan: list[tuple[str, int, Any, Any, str]] = []
    for column in spec.writable_columns if spec else ():
        if column.kind in ("int", "float") and column.value_range is not None:
            low, high = column.value_range
            plan.append((column.name, _RANGE, low, high, f"must be between {_number(low)} and {_number(high)}"))
        elif column.kind == "datetime":
            plan.append((column.name, _TIME, None, None, ""))
        elif column.kind == "date":
            latest = today + timedelta(days=column.future_days)
            plan.append((column.name, _DATE, latest, None, f"must not be after {latest.isoformat()}"))
        elif column.kind == "str" and column.max_length is not None:
            # REST's serializer refuses a longer text; a push reaches here with it (and a
            # varchar column would refuse it with a database error, a 500).
            limit = column.max_length
            plan.append((column.name, _LENGTH, None, limit, f"must be at most {limit:,} characters"))
    steps = tuple(plan)
    check = _TABLE_CHECKS.get(table)
    checkin = table == "day_checkins"

    def run(values: dict[str, Any]) -> Errors:
        errors: Errors = {}
        get = values.get
        for name, step, low, high, message in steps:
            value = get(name)
            if value is None:
                continue
            if step == _RANGE:
                if not low <= value <= high:
                    errors.setdefault(name, []).append(message)
            elif step == _LENGTH:
                if len(value) > high:
                    errors.setdefault(name, []).append(message)
            elif step == _TIME:
                if isinstance(value, datetime):
                    if value < EARLIEST:
                        errors.setdefault(name, []).append(_BEFORE_EARLIEST)
                    elif value > latest_time:
                        errors.setdefault(name, []).append(_IN_THE_FUTURE)
            elif isinstance(value, date):
                if value < EARLIEST_DAY:
                    errors.setdefault(name, []).append(_BEFORE_EARLIEST)
                elif value > low:
                    errors.setdefault(name, []).append(message)
        if check:
            check(values, errors)
        if checkin:
            _check_checkin(values, errors, now)
        return errors

    return run


_RANGE, _TIME, _DATE, _LENGTH = 1, 2, 3, 4
_BEFORE_EARLIEST = f"must not be before {EARLIEST_DAY.isoformat()}"
_IN_THE_FUTURE = f"must not be more than {FUTURE_TOLERANCE.seconds // 60} minutes in the future"


# What complete_record derives, and from which inputs: a partial update that changes an
# input without sending the derived value has it derived again rather than left stale.
DERIVED_FROM: dict[str, dict[str, tuple[str, ...]]] = {
    "caffeine_intakes": {"mg": ("drink", "servings")},
}
# What complete_record always derives and the client never writes (read-only columns, stored
# beside the client's): recomputed from the whole record on every write.
SERVER_DERIVED: dict[str, tuple[str, ...]] = {"medications": ("drug_class", "matched_key")}


def complete_record(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """Fill what the server derives: caffeine mg from the drink, the medicine a medication names.

    A medication's catalogue match and drug class come from its catalogue key or, failing that,
    its name as typed ("Ventolin", "sertraline 50 mg"); they are read-only columns, so what the
    client wrote (name, catalogue key) round-trips unchanged beside them.
    """
    if table == "caffeine_intakes" and values.get("mg") is None and values.get("drink") in drinks.DRINKS:
        values["mg"] = drinks.caffeine_mg(values["drink"], values.get("servings") or 1.0)
    if table == "medications":
        medicine = medicines.resolve_medicine(values.get("name"), values.get("catalogue_key"))
        values["matched_key"] = medicine.code if medicine else ""
        values["drug_class"] = medicine.drug_class if medicine else "other"
    return values
