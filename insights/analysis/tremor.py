"""Tremor analysis of a phone accelerometer recording: is there a regular rhythm, at what frequency, how strong.

The phone records 10-60 s of x, y and z acceleration (m/s^2) with the hand at rest, holding a posture or
moving. This module checks the raw samples (with diary/tremor_checks.py, the rules every stored recording
passes), removes gravity and slow drift, measures the spectrum of the movement, finds its strongest
frequency between 3 and 20 Hz and says whether that frequency is a regular rhythm (a tremor) or irregular
movement such as twitching. It compares the two hands and puts the result into plain, non-diagnostic words.

It takes plain numbers and imports no Django, so services, the simulator and the tests call it directly.
Every threshold below is a named constant with the reason for its value; the clinical background is in
docs/clinical.md, section "Tremor frequency".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal

from diary.catalogues.episode_terms import HANDS, POSTURES
from diary.tremor_checks import check_recording

# --- Signal processing ------------------------------------------------------------------------------
# Gravity is a constant 9.81 m/s^2 shared among the axes by the phone's orientation, and turning the
# phone or a drifting sensor moves it slowly (well under 1 Hz). A high-pass filter at half the lowest
# tremor frequency removes both while passing 3 Hz almost untouched (a 4th-order Butterworth run forwards
# and backwards keeps 99% of the power at 3 Hz).
HIGH_PASS_HZ = 1.5
HIGH_PASS_ORDER = 4
# Welch segments of 4 s give 0.25 Hz between spectrum bins; interpolating the peak then places a pure
# rhythm well within the +/-0.2 Hz we promise, and even a 10-s recording averages four segments.
WELCH_SEGMENT_S = 4.0
# docs/clinical.md, "Tremor frequency": tremors of interest lie between the cerebellar 3 Hz and the orthostatic 20 Hz.
TREMOR_BAND_HZ = (3.0, 20.0)
# Rhythmicity is the share of the band's power within this distance of the peak. A steady tremor keeps
# its frequency within a few tenths of a hertz over a recording, so +/-1 Hz holds nearly all of it, while
# white noise puts only about 2/17 of the band there.
PEAK_HALF_WIDTH_HZ = 1.0
# "Regular rhythm" means the peak carries at least half of the band's movement. On synthetic data white
# noise stays below 0.2, and a tremor whose frequency wanders by half a hertz, with noise, above 0.6, so 0.5
# leaves margin both ways. Elble 1986 (docs/clinical.md) warns never to classify by frequency alone; this
# judges regularity only.
RHYTHMICITY_THRESHOLD = 0.5
# Brief jerks and slow voluntary movement also concentrate power near 3-5 Hz, as the top or the tail of a
# broad hump rather than a narrow line. A tremor's spectrum falls steeply on both sides of its peak: the
# mean power 1-2 Hz away on either side must stay under a quarter of the peak's height.
SHOULDER_OFFSET_HZ = (1.0, 2.0)
MAX_SHOULDER_RATIO = 0.25
# Band power below this (an RMS of 1e-5 m/s^2, a hundred times under a phone sensor's noise) means the
# phone did not move at all, so there is no frequency to report.
MIN_BAND_POWER = 1e-10

# --- Comparing hands --------------------------------------------------------------------------------
# Farkas 2006 (docs/clinical.md): the two hands' tremor frequencies tend to differ in Parkinson's and match in
# essential tremor. That is why we compare the hands at all; the comparison is reported as an observation
# and never used to name a condition. Each hand's frequency is measured to within about 0.2 Hz and a tremor
# drifts by a few tenths of a hertz between recordings, so frequencies up to 1 Hz apart (the same width as
# the rhythmicity window) count as the same rhythm.
FREQUENCY_MATCH_TOLERANCE_HZ = 1.0

# Plain phrases for the postures in diary.catalogues.episode_terms.POSTURES.
_POSTURE_PHRASES = {
    "rest": "at rest",
    "postural": "while holding a posture",
    "action": "during an action",
}


@dataclass(frozen=True)
class FrequencyBand:
    """A frequency range from the literature, kept as data beside its source.

    ``key`` mirrors the name used in docs/clinical.md and is for internal use and clinicians' reports only;
    anything shown to the user says just ``label`` (the numbers), because a frequency alone never names a
    condition (Elble 1986).
    """

    key: str
    low_hz: float
    high_hz: float
    label: str
    source: str

    def contains(self, frequency_hz: float) -> bool:
        return self.low_hz <= frequency_hz <= self.high_hz


_BAND_SOURCE = (
    "Bhatia et al., 'Consensus statement on the classification of tremors', Mov Disord 2018;33(1):75-87; "
    "Elble, 'Physiologic and essential tremor', Neurology 1986;36(2):225-231 (never classify by frequency alone)"
)
# Ordered by frequency; a frequency on a shared edge (4 Hz) belongs to the first band listed. Frequencies
# between the bands (6-8 Hz, 12-14 Hz) belong to none.
FREQUENCY_BANDS: tuple[FrequencyBand, ...] = (
    FrequencyBand("cerebellar", 3.0, 4.0, "3-4 Hz", _BAND_SOURCE),
    FrequencyBand("parkinsonian_rest_range", 4.0, 6.0, "4-6 Hz", _BAND_SOURCE + "; some sources give 3-8 Hz"),
    FrequencyBand("physiological", 8.0, 12.0, "8-12 Hz", _BAND_SOURCE),
    FrequencyBand("orthostatic", 14.0, 20.0, "14-20 Hz", _BAND_SOURCE),
)


@dataclass(frozen=True)
class TremorAnalysis:
    """What one recording shows. Powers are in (m/s^2)^2, the amplitude in m/s^2.

    ``dominant_frequency_hz`` is None only when the phone did not move at all. It is the strongest
    frequency in 3-20 Hz even when the movement is irregular, but ``band`` is set only for a regular
    rhythm, since the strongest frequency of irregular movement means little.
    """

    sample_rate_hz: float
    duration_s: float
    dominant_frequency_hz: float | None
    # Power within PEAK_HALF_WIDTH_HZ of the dominant frequency, and in the whole 3-20 Hz band.
    peak_power: float
    band_power: float
    # peak_power / band_power, from 0 (no concentration) to 1 (a pure sine).
    rhythmicity: float
    # Mean power 1-2 Hz beside the peak relative to the peak's height (see MAX_SHOULDER_RATIO).
    peak_shoulder_ratio: float | None
    rhythmic: bool
    # RMS acceleration in the 3-20 Hz band.
    amplitude_m_s2: float
    band: FrequencyBand | None


@dataclass(frozen=True)
class HandComparison:
    """The two hands side by side, in the same posture.

    The frequency difference is absolute and set only when both hands show a regular rhythm; the
    amplitude ratio is right over left, None when the left hand did not move.
    """

    frequency_difference_hz: float | None
    amplitude_ratio: float | None
    frequencies_match: bool
    sentence: str


class RecordingError(ValueError):
    """A recording that cannot be analysed; ``problems`` holds (field, message) pairs for the API."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


# --- Analysis ---------------------------------------------------------------------------------------


def analyse_recording(sample_rate_hz: float, x: npt.ArrayLike, y: npt.ArrayLike, z: npt.ArrayLike) -> TremorAnalysis:
    """Measure the dominant 3-20 Hz rhythm of one recording; raise RecordingError if it is not valid."""
    problems, axes = check_recording(sample_rate_hz, x, y, z)
    if problems or axes is None:
        raise RecordingError(problems)
    rate = float(sample_rate_hz)
    frequencies, power = movement_spectrum(rate, remove_gravity_and_drift(rate, axes))
    return _analyse_spectrum(rate, axes.shape[1] / rate, frequencies, power)


def remove_gravity_and_drift(sample_rate_hz: float, axes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """High-pass each axis (rows of ``axes``) without shifting its phase."""
    # Removing the straight-line trend first keeps a large gravity offset or a steady drift from leaving a
    # transient at either end of the filtered signal.
    detrended = signal.detrend(axes, axis=-1, type="linear")
    sos = signal.butter(HIGH_PASS_ORDER, HIGH_PASS_HZ, btype="highpass", fs=sample_rate_hz, output="sos")
    return signal.sosfiltfilt(sos, detrended, axis=-1)


def movement_spectrum(
    sample_rate_hz: float, axes: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return frequencies and the Welch power spectral density summed over the axes, in (m/s^2)^2/Hz.

    Summing the axes' spectra measures the movement whatever its direction, and the sum does not change
    when the phone is held at another angle. The two usual alternatives fail in ways we care about: the
    vector magnitude sqrt(x^2 + y^2 + z^2) of the filtered axes rectifies the signal, so a tremor along
    one axis shows up at twice its frequency, and the first principal component keeps one direction only,
    losing part of a circular or elliptical tremor and, when the tremor is weak, locking onto noise.
    """
    segment = min(round(WELCH_SEGMENT_S * sample_rate_hz), axes.shape[-1])
    frequencies, power = signal.welch(axes, fs=sample_rate_hz, nperseg=segment, axis=-1)
    return frequencies, power.sum(axis=0)


def _analyse_spectrum(
    sample_rate_hz: float, duration_s: float, frequencies: npt.NDArray[np.float64], power: npt.NDArray[np.float64]
) -> TremorAnalysis:
    bin_width = float(frequencies[1] - frequencies[0])
    in_band = (frequencies >= TREMOR_BAND_HZ[0]) & (frequencies <= TREMOR_BAND_HZ[1])
    band_power = float(power[in_band].sum() * bin_width)
    amplitude = math.sqrt(band_power)
    if band_power < MIN_BAND_POWER:
        return TremorAnalysis(
            sample_rate_hz=sample_rate_hz,
            duration_s=duration_s,
            dominant_frequency_hz=None,
            peak_power=0.0,
            band_power=band_power,
            rhythmicity=0.0,
            peak_shoulder_ratio=None,
            rhythmic=False,
            amplitude_m_s2=amplitude,
            band=None,
        )

    band_indices = np.flatnonzero(in_band)
    peak = int(band_indices[np.argmax(power[band_indices])])
    # The band's strongest bin is only a peak if its neighbours, inside the band or not, are weaker; otherwise
    # it is the edge of movement outside 3-20 Hz (slow voluntary movement, say) and not a tremor.
    is_local_peak = bool(power[peak] > power[peak - 1] and power[peak] > power[peak + 1])
    frequency = _refine_peak_frequency(frequencies, power, peak) if is_local_peak else float(frequencies[peak])

    near_peak = in_band & (np.abs(frequencies - frequency) <= PEAK_HALF_WIDTH_HZ)
    peak_power = float(power[near_peak].sum() * bin_width)
    rhythmicity = peak_power / band_power
    shoulder_ratio = _shoulder_ratio(frequencies, power, peak, frequency)
    rhythmic = is_local_peak and rhythmicity >= RHYTHMICITY_THRESHOLD and shoulder_ratio <= MAX_SHOULDER_RATIO
    return TremorAnalysis(
        sample_rate_hz=sample_rate_hz,
        duration_s=duration_s,
        dominant_frequency_hz=frequency,
        peak_power=peak_power,
        band_power=band_power,
        rhythmicity=rhythmicity,
        peak_shoulder_ratio=shoulder_ratio,
        rhythmic=rhythmic,
        amplitude_m_s2=amplitude,
        band=frequency_band(frequency) if rhythmic else None,
    )


def _refine_peak_frequency(frequencies: npt.NDArray[np.float64], power: npt.NDArray[np.float64], peak: int) -> float:
    """Place the peak between bins by fitting a parabola through the logarithm of the three top bins.

    The main lobe of the Hann window Welch uses is close to a Gaussian, which is a parabola on a log scale,
    so this lands within a few hundredths of a hertz of a pure tone instead of up to half a bin away.
    """
    below, top, above = np.log(power[peak - 1 : peak + 2])
    curvature = below - 2.0 * top + above
    offset = 0.5 * (below - above) / curvature if curvature < 0 else 0.0
    return float(frequencies[peak] + offset * (frequencies[1] - frequencies[0]))


def _shoulder_ratio(
    frequencies: npt.NDArray[np.float64], power: npt.NDArray[np.float64], peak: int, frequency: float
) -> float:
    distance = np.abs(frequencies - frequency)
    shoulders = (distance >= SHOULDER_OFFSET_HZ[0]) & (distance <= SHOULDER_OFFSET_HZ[1])
    below, above = shoulders & (frequencies < frequency), shoulders & (frequencies > frequency)
    return float(max(power[below].mean(), power[above].mean()) / power[peak])


def frequency_band(frequency_hz: float) -> FrequencyBand | None:
    """The literature range a frequency falls in, or None between and outside them."""
    return next((band for band in FREQUENCY_BANDS if band.contains(frequency_hz)), None)


# --- Comparison and wording -------------------------------------------------------------------------


def compare_hands(left: TremorAnalysis, right: TremorAnalysis, *, posture: str | None = None) -> HandComparison:
    """Set the two hands side by side; ``posture``, when given, is named in the sentence."""
    difference = None
    if left.rhythmic and right.rhythmic:
        difference = abs(_frequency(right) - _frequency(left))
    ratio = right.amplitude_m_s2 / left.amplitude_m_s2 if left.amplitude_m_s2 > 0 else None
    matches = difference is not None and difference <= FREQUENCY_MATCH_TOLERANCE_HZ
    return HandComparison(difference, ratio, matches, _comparison_sentence(left, right, matches, posture))


def describe(analysis: TremorAnalysis, hand: str, posture: str) -> str:
    """One plain sentence about one recording, such as "A regular rhythm at 5.1 Hz at rest in the right hand."."""
    where = f"{_posture_phrase(posture)} in the {_hand(hand)} hand"
    if analysis.dominant_frequency_hz is None:
        return f"No movement was measured {where}."
    if analysis.rhythmic:
        return f"A regular rhythm at {_frequency(analysis):.1f} Hz {where}."
    return f"Irregular movement {where}, not a regular tremor."


def describe_comparison(left: TremorAnalysis, right: TremorAnalysis, posture: str) -> str:
    """One plain sentence about both hands in the same posture."""
    return compare_hands(left, right, posture=posture).sentence


def _comparison_sentence(left: TremorAnalysis, right: TremorAnalysis, matches: bool, posture: str | None) -> str:
    when = f" {_posture_phrase(posture)}" if posture is not None else ""
    if left.rhythmic and right.rhythmic:
        how = "at about the same frequency" if matches else "at different frequencies"
        both = f"{_frequency(left):.1f} Hz left, {_frequency(right):.1f} Hz right"
        return f"A regular rhythm{when} in both hands, {how} ({both})."
    for rhythmic, steady, other in ((left, "left", "right"), (right, "right", "left")):
        if rhythmic.rhythmic:
            return (
                f"A regular rhythm{when} in the {steady} hand only ({_frequency(rhythmic):.1f} Hz); "
                f"the {other} hand shows no regular tremor."
            )
    return f"No regular tremor{when} in either hand."


def _frequency(analysis: TremorAnalysis) -> float:
    # Only called for rhythmic analyses, which always have a frequency.
    if analysis.dominant_frequency_hz is None:
        raise ValueError("A recording without movement has no frequency.")
    return analysis.dominant_frequency_hz


def _posture_phrase(posture: str) -> str:
    if posture not in POSTURES:
        raise ValueError(f"posture must be one of {', '.join(POSTURES)}; got {posture!r}.")
    return _POSTURE_PHRASES[posture]


def _hand(hand: str) -> str:
    if hand not in HANDS:
        raise ValueError(f"hand must be one of {', '.join(HANDS)}; got {hand!r}.")
    return hand
