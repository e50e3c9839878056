"""The episodes as the flag rules see them: each with its local day and its body-site facts
(regions, sides, fingers), and each body region's first and last day (``region_timeline``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from diary.catalogues.body_sites import BODY_SITES
from insights.analysis.daily_series import local_date
from insights.analysis.flag_results import Evidence
from insights.analysis.records import Diary, EpisodeRecord


class RegionSpan(NamedTuple):
    """One body region's first and last local episode date and its episode count."""

    region: str
    first_date: date
    last_date: date
    episode_count: int


@dataclass(frozen=True)
class FlagEpisode:
    """An episode with its local day and the body-site facts the rules ask about."""

    record: EpisodeRecord
    day: date
    regions: frozenset[str]
    sides: frozenset[str]
    symptoms: frozenset[str]
    fingers: dict[str, frozenset[str]]  # side -> finger parts involved on that side

    @property
    def id(self) -> str:
        return self.record.id

    def has(self, *symptoms: str) -> bool:
        return not self.symptoms.isdisjoint(symptoms)

    @property
    def cramping(self) -> bool:
        return self.has("cramp") or self.record.character == "spasm_cramp"


class _SiteFacts(NamedTuple):
    regions: frozenset[str]
    sides: frozenset[str]
    fingers: dict[str, frozenset[str]]


@lru_cache(maxsize=4096)
def _site_facts(codes: tuple[str, ...]) -> _SiteFacts:
    """Regions, sides and fingers of a set of site codes; cached since users repeat the same few."""
    # Unknown site codes are skipped rather than fatal: the API validates them, and one bad code
    # must not stop every other rule from running.
    sites = [BODY_SITES[code] for code in codes if code in BODY_SITES]
    fingers: dict[str, set[str]] = {}
    for site in sites:
        if site.is_finger and site.side:
            fingers.setdefault(site.side, set()).add(site.part)
    return _SiteFacts(
        regions=frozenset(site.region for site in sites),
        sides=frozenset(site.side for site in sites if site.side),
        fingers={side: frozenset(parts) for side, parts in fingers.items()},
    )


def flag_episode(record: EpisodeRecord, tz: ZoneInfo) -> FlagEpisode:
    """The episode on its local day in ``tz``, with the facts of its body sites (unknown codes skipped)."""
    facts = _site_facts(tuple(record.body_sites))
    return FlagEpisode(
        record=record,
        day=local_date(record.started_at, tz),
        regions=facts.regions,
        sides=facts.sides,
        symptoms=frozenset(record.symptoms),
        fingers=facts.fingers,
    )


def evidence_of(episodes: Iterable[FlagEpisode]) -> Evidence:
    """The episodes as a flag's evidence: (entry id, local date) pairs."""
    return [(episode.id, episode.day) for episode in episodes]


def regions_of(episodes: Iterable[FlagEpisode]) -> set[str]:
    """Every body region any of the episodes involves."""
    return {region for episode in episodes for region in episode.regions}


def region_spans(episodes: list[FlagEpisode]) -> list[RegionSpan]:
    """Each region's span over the episodes, by first date then region name."""
    spans: dict[str, RegionSpan] = {}
    for episode in episodes:
        for region in episode.regions:
            span = spans.get(region)
            if span is None:
                spans[region] = RegionSpan(region, episode.day, episode.day, 1)
            else:
                spans[region] = RegionSpan(
                    region, min(span.first_date, episode.day), max(span.last_date, episode.day), span.episode_count + 1
                )
    return sorted(spans.values(), key=lambda span: (span.first_date, span.region))


def region_timeline(diary: Diary) -> list[RegionSpan]:
    """Each body region with its first and last local episode date and episode count, oldest first."""
    tz = ZoneInfo(diary.timezone)
    return region_spans([flag_episode(record, tz) for record in diary.episodes])
