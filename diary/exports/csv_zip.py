"""The CSV export: a zip with one CSV file per diary table and a README describing every column.

Rows are the user's records that are not deleted, oldest first, read with one query per
table (rows.live_rows). Times are ISO 8601 in UTC with a "Z"; dates are YYYY-MM-DD; lists (body sites,
symptoms) are codes joined with ";"; booleans are "true"/"false"; an empty cell is no value.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from accounts.models import User
from diary.exports.rows import iso_utc, live_rows, record_fields
from diary.tables import TABLES, TableSpec

COMMON_COLUMNS: dict[str, str] = {
    "id": "The record's id, chosen by the phone; unique within the table.",
    "created_at": "When the record was first stored on the server (UTC).",
    "updated_at": "When the record was last changed on the server (UTC).",
}

_OFFSET_DOC = (
    "The phone's UTC offset in minutes when it was logged (60 is UTC+01:00), or empty from an older app "
    "(then the profile's timezone at that time applies)."
)

# Every column of every table, described for whoever opens the files: a column added to
# diary.tables without a line here fails the export's tests.
COLUMN_DOCS: dict[str, dict[str, str]] = {
    "episodes": {
        "started_at": "When the episode began (UTC).",
        "duration_s": "How long it lasted, in seconds (0-3600).",
        "body_sites": "Where, as body site codes: <side>_<part> (left_index, right_thumb, ...) or a midline part "
        "(tongue, neck, torso).",
        "character": "twitch, tremor, spasm_cramp, jerk or repetitive_movement.",
        "intensity": "Self-rated intensity, 1 (barely noticeable) to 10 (worst).",
        "context": "at_rest, holding_posture, during_action, writing_typing, during_sleep, after_exercise, or empty.",
        "symptoms": "Accompanying symptoms: numbness, tingling, weakness, stiffness, pain, cramp, muscle_wasting, "
        "speech_difficulty, swallowing_difficulty, vision_change, balance_problem, perioral_tingling.",
        "notes": "Free text written by the patient.",
        "utc_offset_min": _OFFSET_DOC,
    },
    "caffeine_intakes": {
        "consumed_at": "When the drink was had (UTC).",
        "drink": "Drink code from the catalogue (brewed_coffee, espresso, black_tea, cola, energy_drink, ...).",
        "servings": "Number of servings.",
        "mg": "Caffeine in milligrams (from the catalogue when the patient did not enter it).",
        "utc_offset_min": _OFFSET_DOC,
    },
    "sleep_logs": {
        "bed_at": "When the patient went to bed (UTC).",
        "woke_at": "When the patient woke (UTC); the night counts for the day of waking.",
        "quality": "Self-rated sleep quality, 1 (poor) to 5 (excellent), or empty.",
        "utc_offset_min": _OFFSET_DOC,
    },
    "stress_logs": {
        "recorded_at": "When the rating was made (UTC).",
        "level": "Self-rated stress, 0 (none) to 10 (worst).",
        "utc_offset_min": _OFFSET_DOC,
    },
    "medications": {
        "name": "The medicine's name as entered.",
        "catalogue_key": "Generic name from the catalogue, or empty for free text.",
        "drug_class": "Drug class code (beta2_agonist, stimulant, ssri_snri, ..., other), from the catalogue match.",
        "matched_key": "The catalogue medicine the name or key matched (generic name), or empty for none.",
        "dose": "Dose as entered, free text.",
        "started_on": "Date started, or empty.",
        "stopped_on": "Date stopped, or empty while still taking it.",
        "as_needed": "true when taken as needed rather than regularly.",
    },
    "medication_doses": {
        "medication_id": "The id of the medication in medications.csv.",
        "taken_at": "When the dose was taken (UTC).",
        "amount": "Amount as entered, free text.",
        "utc_offset_min": _OFFSET_DOC,
    },
    "exercise_sessions": {
        "started_at": "When the session began (UTC).",
        "duration_min": "Length in minutes.",
        "intensity": "light, moderate or vigorous.",
        "kind": "What kind of exercise, free text.",
        "utc_offset_min": _OFFSET_DOC,
    },
    "lab_results": {
        "taken_on": "Date the sample was taken.",
        "analyte": "calcium, potassium, sodium, magnesium, tsh, vitamin_b12 or glucose.",
        "value": "The result, in the unit of the next column.",
        "unit": "The unit as printed on the lab report.",
        "reference_low": "Lower end of the lab's reference range, or empty.",
        "reference_high": "Upper end of the lab's reference range, or empty.",
    },
    "tremor_recordings": {
        "recorded_at": "When the phone recording started (UTC).",
        "hand": "left or right.",
        "posture": "rest, postural (held out) or action.",
        "sample_rate_hz": "Accelerometer samples per second.",
        "samples": 'The raw recording as JSON: {"x": [...], "y": [...], "z": [...]} in m/s^2.',
        "utc_offset_min": _OFFSET_DOC,
        "analysed_at": "When the server analysed the recording (UTC), or empty if not yet.",
        "dominant_hz": "The strongest rhythm between 3 and 20 Hz, or empty.",
        "power": "Power of that rhythm in the accelerometer spectrum ((m/s^2)^2/Hz).",
        "rhythmicity": "Share (0-1) of the 3-20 Hz movement within 1 Hz of that rhythm.",
        "rhythmic": "true when the movement is a regular rhythm rather than irregular.",
        "amplitude": "Size of the 3-20 Hz movement (RMS, m/s^2).",
        "description": "The analysis in plain words.",
    },
    "day_checkins": {
        "day": "The local date the patient checked in for: 'I kept my diary today' (so a day without episodes "
        "was a day without episodes, not a day left unwritten).",
        "no_twitches": "true when the patient said there were no twitches that day.",
        "kept_plan": "During a self-experiment: true or false for whether the day's plan was kept, or empty.",
        "utc_offset_min": _OFFSET_DOC,
    },
}


def header(spec: TableSpec) -> list[str]:
    return ["id", *(c.name for c in spec.columns), "created_at", "updated_at"]


# OWASP, "CSV Injection": a spreadsheet runs a cell that begins with one of these as a formula
# (or, for tab and carriage return, as the start of one); a single quote in front makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """Text a spreadsheet shows as typed: a note like "=HYPERLINK(...)" never runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        # A number the diary stored is a value, never a formula; "-0.5" stays a number.
        return str(value)
    if isinstance(value, list | tuple):
        return defuse(";".join(str(item) for item in value))
    if isinstance(value, dict):
        return defuse(json.dumps(value))
    return defuse(str(value))


def table_csv(spec: TableSpec, user: User) -> str:
    """One table's live records as CSV text, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(spec))
    for row in live_rows(spec.model, user, record_fields(spec)):
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def readme_text() -> str:
    lines = [
        "Twitchlog diary export (CSV)",
        "",
        "One file per table, UTF-8, comma-separated, with a header row. Times are ISO 8601 in UTC (ending in Z);",
        "dates are YYYY-MM-DD; lists are codes joined with ';'; an empty cell means no value.",
        "Every file starts with id and ends with created_at and updated_at:",
        "",
        *(f"  {name}: {text}" for name, text in COMMON_COLUMNS.items()),
    ]
    for name, spec in TABLES.items():
        lines += ["", f"{name}.csv"]
        lines += [f"  {column.name}: {COLUMN_DOCS[name][column.name]}" for column in spec.columns]
    return "\n".join(lines) + "\n"


def csv_zip(*, user: User) -> bytes:
    """The zip of every table's CSV and the README; a year of diary is a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme_text())
        for name, spec in TABLES.items():
            archive.writestr(f"{name}.csv", table_csv(spec, user))
    return buffer.getvalue()
