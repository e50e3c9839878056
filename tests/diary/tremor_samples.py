"""Synthetic accelerometer samples for tremor recordings: a clean wave on x and y, gravity on z, light noise."""

from __future__ import annotations

import numpy as np


def axes(frequency_hz: float = 5.0, rate: float = 100.0, seconds: float = 30.0, seed: int = 1) -> dict[str, list]:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    wave = 0.3 * np.sin(2 * np.pi * frequency_hz * t)
    noise = lambda: 0.02 * rng.standard_normal(t.size)  # noqa: E731
    return {
        "x": (wave + noise()).round(4).tolist(),
        "y": (0.5 * wave + noise()).round(4).tolist(),
        "z": (9.81 + noise()).round(4).tolist(),
    }


def rest_body(**overrides: object) -> dict[str, object]:
    """A REST tremor recording: a 5 Hz rest tremor at 100 Hz for 30 s, with ``overrides``."""
    body: dict[str, object] = {
        "recorded_at": "2026-11-20T10:00:00Z",
        "hand": "right",
        "posture": "rest",
        "sample_rate_hz": 100,
        "samples": axes(),
    }
    body.update(overrides)
    return body
