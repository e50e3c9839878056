"""Body sites an episode can involve, each with its side and the region it belongs to.

A site code is ``<side>_<part>`` for parts that come in pairs (``left_index``,
``right_calf``) and the bare part for midline sites (``tongue``, ``neck``, ``torso``).
Regions group neighbouring sites: persistence and spread (flag rules R1 and R2) are
judged per region, so a twitch moving from the index to the middle finger stays in
one region while a twitch that reaches the other hand is a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = 1

SIDES = ("left", "right")
FINGERS = ("thumb", "index", "middle", "ring", "little")

# part -> (region suffix, label). The region of a sided site is "<side>_<suffix>".
_SIDED_PARTS: dict[str, tuple[str, str]] = {
    **{finger: ("hand", f"{finger} finger" if finger != "thumb" else "thumb") for finger in FINGERS},
    "hand": ("hand", "hand"),
    "wrist": ("hand", "wrist"),
    "forearm": ("arm", "forearm"),
    "upper_arm": ("arm", "upper arm"),
    "eyelid": ("face", "eyelid"),
    "face": ("face", "face"),
    "thigh": ("leg", "thigh"),
    "calf": ("leg", "calf"),
    "foot": ("leg", "foot"),
}
_MIDLINE_PARTS: dict[str, tuple[str, str]] = {
    "tongue": ("tongue", "tongue"),
    "neck": ("neck", "neck"),
    "torso": ("torso", "torso"),
}


@dataclass(frozen=True)
class BodySite:
    code: str
    label: str
    side: str | None  # "left", "right" or None for midline sites
    part: str
    region: str
    is_finger: bool


def _build() -> dict[str, BodySite]:
    sites: dict[str, BodySite] = {}
    for side in SIDES:
        for part, (region_suffix, label) in _SIDED_PARTS.items():
            code = f"{side}_{part}"
            sites[code] = BodySite(
                code=code,
                label=f"{side} {label}",
                side=side,
                part=part,
                region=f"{side}_{region_suffix}",
                is_finger=part in FINGERS,
            )
    for part, (region, label) in _MIDLINE_PARTS.items():
        sites[part] = BodySite(code=part, label=label, side=None, part=part, region=region, is_finger=False)
    return sites


BODY_SITES: dict[str, BodySite] = _build()
CODES: tuple[str, ...] = tuple(BODY_SITES)


def region_of(code: str) -> str:
    return BODY_SITES[code].region


def side_of(code: str) -> str | None:
    return BODY_SITES[code].side


def site_label(code: str) -> str:
    """A site's label ("left index finger"); a code the catalogue does not know, in words."""
    site = BODY_SITES.get(code)
    return site.label if site else code.replace("_", " ")
