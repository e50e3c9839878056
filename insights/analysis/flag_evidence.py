"""A flag's evidence in words, as its ``detail`` says it: dates as a doctor reads them
("17 Oct 2026"), and counts that always say what they count.
"""

from __future__ import annotations

from collections.abc import Iterable

from diary.catalogues.episode_terms import LAB_ANALYTES
from diary.catalogues.medicines import DRUG_CLASSES, resolve_medicine
from insights.analysis.flag_episodes import FlagEpisode, regions_of
from insights.analysis.records import LabRecord, MedicationRecord
from insights.wording import day_text, plural, region_words, span_text


def region_names(regions: Iterable[str]) -> str:
    """'left hand, right leg': the regions' codes in words, sorted."""
    return ", ".join(region_words(region) for region in sorted(regions))


def episodes_text(episodes: list[FlagEpisode], what: str = "") -> str:
    """'4 episodes with weakness (left hand, right leg), 3 Sep - 30 Oct 2026'."""
    days = [e.day for e in episodes]
    where = f" ({region_names(regions_of(episodes))})" if regions_of(episodes) else ""
    counted = plural(len(episodes), "episode") + (f" {what}" if what else "")
    return f"{counted}{where}, {span_text(min(days), max(days))}"


def counted(counts: Iterable[tuple[str, int]]) -> list[str]:
    """'weakness in 2 episodes' for each (what, how many) with any."""
    return [f"{label} in {plural(n, 'episode')}" for label, n in counts if n]


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _decimals(*values: float | None) -> int:
    """As many decimals as the most precise of the values (at most 3), as a lab prints them."""
    places = [len(repr(float(v)).split(".")[1].rstrip("0")) for v in values if v is not None]
    return min(max(places, default=0), 3)


def lab_text(lab: LabRecord) -> str:
    """'Potassium 3.2 mmol/L (range 3.5-5.1) on 17 Oct 2026'."""
    places = _decimals(lab.value, lab.reference_low, lab.reference_high)
    name = LAB_ANALYTES.get(lab.analyte, lab.analyte)
    low, high = lab.reference_low, lab.reference_high
    if low is not None and high is not None:
        reference = f" (range {_number(low, places)}-{_number(high, places)})"
    elif low is not None:
        reference = f" (lower limit {_number(low, places)})"
    else:
        reference = ""
    return f"{name} {_number(lab.value, places)} {lab.unit}{reference} on {day_text(lab.taken_on)}"


def medication_class(medication: MedicationRecord) -> str:
    """The drug class a medication has as typed: its catalogue match's, else the class it carries.

    The diary stores the matched class on every write; matching here too means a record built
    from free text ("Ventolin", "salbutamol") reaches the rules the same way.
    """
    medicine = resolve_medicine(medication.name, medication.catalogue_key)
    return medicine.drug_class if medicine else medication.drug_class


def medication_text(medication: MedicationRecord) -> str:
    """'Ventolin (salbutamol; beta-2 agonist (asthma inhaler)) started 1 Oct 2026'."""
    medicine = resolve_medicine(medication.name, medication.catalogue_key)
    drug_class = DRUG_CLASSES.get(medication_class(medication), DRUG_CLASSES["other"]).label.lower()
    generic = medicine.code.replace("_", " ") if medicine else ""
    named = [part for part in (generic, drug_class) if part and part != medication.name.strip().lower()]
    matched = "; ".join(dict.fromkeys(named)) or drug_class
    started = f" started {day_text(medication.started_on)}" if medication.started_on else ""
    return f"{medication.name} ({matched}){started}"
