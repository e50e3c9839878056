"""Caffeinated drinks with their caffeine per serving.

Figures are Mayo Clinic's current table ("Caffeine content for coffee, tea, soda and
more"); the FDA's ranges are kept beside them because real drinks vary widely
(see docs/clinical.md, Caffeine). A caffeine intake logged without mg gets
``mg_per_serving * servings`` from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from diary.clinical_constants import CAFFEINE_DAILY_GUIDE_MG

VERSION = 1
SOURCE = "Mayo Clinic caffeine content table; FDA 'Spilling the beans' ranges"

# The usual upper guide for healthy adults (FDA; Mayo), defined in diary.clinical_constants and
# named here too because the drink picker and the weekly summary read it from the catalogue.
DAILY_GUIDE_MG = CAFFEINE_DAILY_GUIDE_MG


@dataclass(frozen=True)
class Drink:
    code: str
    label: str
    serving: str
    mg_per_serving: float
    fda_range: str | None = None


DRINKS: dict[str, Drink] = {
    drink.code: drink
    for drink in (
        Drink("brewed_coffee", "Brewed coffee", "8 oz (240 ml)", 96, "80-100 mg"),
        Drink("espresso", "Espresso", "1 oz (30 ml)", 63),
        Drink("instant_coffee", "Instant coffee", "8 oz (240 ml)", 62),
        Drink("black_tea", "Black tea", "8 oz (240 ml)", 48, "30-50 mg"),
        Drink("green_tea", "Green tea", "8 oz (240 ml)", 29, "30-50 mg"),
        Drink("cola", "Cola", "8 oz (240 ml)", 33, "30-40 mg per 12 oz can"),
        Drink("energy_drink", "Energy drink", "8 oz (240 ml)", 79, "40-250 mg"),
        Drink("energy_shot", "Energy shot", "2 oz (60 ml)", 200),
    )
}
CODES: tuple[str, ...] = tuple(DRINKS)


def caffeine_mg(drink_code: str, servings: float) -> float:
    return round(DRINKS[drink_code].mg_per_serving * servings, 1)
