"""Tests of the tremor analysis on synthetic accelerometer recordings with known answers."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from diary.tremor_checks import MAX_SAMPLES, RECORDING_FIELD, validate_recording
from insights.analysis.tremor import (
    RecordingError,
    TremorAnalysis,
    analyse_recording,
    compare_hands,
    describe,
    describe_comparison,
)

GRAVITY = 9.81
Axes = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]


def _times(rate: float, seconds: float) -> npt.NDArray[np.float64]:
    return np.arange(round(rate * seconds)) / rate


def _tremor(
    rate: float,
    frequency: float,
    *,
    seconds: float = 30.0,
    amplitude: float = 1.0,
    noise: float = 0.3,
    seed: int = 0,
    direction: tuple[float, float, float] = (1.0, 0.0, 0.0),
) -> Axes:
    """A sine along ``direction`` plus white noise on every axis, with gravity on z."""
    rng = np.random.default_rng(seed)
    t = _times(rate, seconds)
    wave = amplitude * np.sin(2 * np.pi * frequency * t + rng.uniform(0, 2 * np.pi))
    unit = np.asarray(direction) / np.linalg.norm(direction)
    x, y, z = unit[:, None] * wave + noise * rng.standard_normal((3, t.size))
    return x, y, z + GRAVITY


def _white_noise(rate: float, seconds: float, seed: int) -> Axes:
    rng = np.random.default_rng(seed)
    x, y, z = rng.standard_normal((3, round(rate * seconds)))
    return x, y, z + GRAVITY


def _sparse_jerks(rate: float, seconds: float, seed: int) -> Axes:
    """Brief sudden movements at random moments, about one every two seconds, on a quiet sensor.

    Each jerk moves the hand and back within 20-100 ms; its acceleration is the second derivative of that
    bump (a "Mexican hat"), pointing in a random direction.
    """
    rng = np.random.default_rng(seed)
    t = _times(rate, seconds)
    axes = 0.02 * rng.standard_normal((3, t.size))
    for start in rng.uniform(0, seconds, rng.poisson(0.5 * seconds)):
        width = rng.uniform(0.02, 0.1)
        u = (t - start) / width
        axes += rng.normal(0, 3, (3, 1)) * (u**2 - 1) * np.exp(-0.5 * u**2)
    x, y, z = axes
    return x, y, z + GRAVITY


def _rotate(axes: Axes, rotation: npt.NDArray[np.float64]) -> Axes:
    x, y, z = rotation @ np.vstack(axes)
    return x, y, z


def _rotation(angle_x: float, angle_z: float) -> npt.NDArray[np.float64]:
    cx, sx, cz, sz = math.cos(angle_x), math.sin(angle_x), math.cos(angle_z), math.sin(angle_z)
    about_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    about_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return about_z @ about_x


def _assert_same_answer(first: TremorAnalysis, second: TremorAnalysis) -> None:
    assert first.rhythmic == second.rhythmic
    assert first.dominant_frequency_hz == pytest.approx(second.dominant_frequency_hz, abs=0.02)
    assert first.rhythmicity == pytest.approx(second.rhythmicity, abs=0.02)
    assert first.amplitude_m_s2 == pytest.approx(second.amplitude_m_s2, rel=0.02)


# --- Finding a rhythm -------------------------------------------------------------------------------


def test_a_5_hz_sine_with_noise_at_100_hz_is_found_within_0_2_hz_and_called_rhythmic() -> None:
    analysis = analyse_recording(100, *_tremor(100, 5.0, seed=1))

    assert analysis.dominant_frequency_hz == pytest.approx(5.0, abs=0.2)
    assert analysis.rhythmic
    assert analysis.rhythmicity > 0.5


@pytest.mark.parametrize("frequency", [3.4, 5.13, 7.77, 11.6, 17.9])
def test_a_frequency_between_spectrum_bins_is_found_within_0_2_hz(frequency: float) -> None:
    analysis = analyse_recording(100, *_tremor(100, frequency, seconds=10, seed=2))

    assert analysis.dominant_frequency_hz == pytest.approx(frequency, abs=0.2)
    assert analysis.rhythmic


def test_a_9_hz_sine_sampled_at_50_hz_is_found() -> None:
    analysis = analyse_recording(50, *_tremor(50, 9.0, seconds=10, seed=3))

    assert analysis.dominant_frequency_hz == pytest.approx(9.0, abs=0.2)
    assert analysis.rhythmic


@pytest.mark.parametrize("rate", [50, 100, 250, 500])
def test_a_tremor_is_found_at_every_allowed_sample_rate(rate: int) -> None:
    analysis = analyse_recording(rate, *_tremor(rate, 6.3, seconds=12, seed=4))

    assert analysis.dominant_frequency_hz == pytest.approx(6.3, abs=0.2)
    assert analysis.rhythmic


def test_the_amplitude_is_the_rms_acceleration_of_the_tremor() -> None:
    # A sine of peak 0.8 m/s^2 has an RMS of 0.8 / sqrt(2); a quiet sensor adds next to nothing.
    analysis = analyse_recording(100, *_tremor(100, 5.0, amplitude=0.8, noise=0.01, seed=5))

    assert analysis.amplitude_m_s2 == pytest.approx(0.8 / math.sqrt(2), rel=0.03)


@pytest.mark.parametrize(("rate", "seconds", "seed"), [(50, 10, 6), (100, 30, 7), (100, 10, 8), (500, 60, 9)])
def test_white_noise_is_not_rhythmic(rate: int, seconds: int, seed: int) -> None:
    analysis = analyse_recording(rate, *_white_noise(rate, seconds, seed))

    assert not analysis.rhythmic
    assert analysis.rhythmicity < 0.3
    assert analysis.band is None


@pytest.mark.parametrize("seed", range(10, 20))
def test_sparse_random_jerks_are_not_rhythmic(seed: int) -> None:
    analysis = analyse_recording(100, *_sparse_jerks(100, 20, seed))

    assert not analysis.rhythmic


def test_movement_slower_than_3_hz_is_not_called_a_tremor() -> None:
    analysis = analyse_recording(100, *_tremor(100, 2.2, seconds=20, noise=0.01, seed=21))

    assert not analysis.rhythmic


def test_a_phone_that_does_not_move_has_no_frequency() -> None:
    t = _times(100, 10)
    analysis = analyse_recording(100, np.zeros_like(t), np.zeros_like(t), np.full_like(t, GRAVITY))

    assert analysis.dominant_frequency_hz is None
    assert not analysis.rhythmic
    assert analysis.amplitude_m_s2 == pytest.approx(0.0, abs=1e-5)


# --- What must not change the answer ----------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_gravity_on_any_axis_does_not_change_the_answer(axis: int) -> None:
    x, y, z = _tremor(100, 5.0, seed=22)
    weightless = [x, y, z - GRAVITY]
    with_gravity = [np.copy(a) for a in weightless]
    with_gravity[axis] += GRAVITY

    _assert_same_answer(analyse_recording(100, *weightless), analyse_recording(100, *with_gravity))


def test_turning_the_phone_during_the_recording_does_not_change_the_answer() -> None:
    # Gravity swings from z to y over ten seconds, as when the hand tilts from palm-down to thumb-up.
    x, y, z = _tremor(100, 5.0, seed=23)
    t = _times(100, 30)
    tilt = (np.pi / 2) * (0.5 - 0.5 * np.cos(np.pi * np.clip((t - 10) / 10, 0, 1)))
    turned = analyse_recording(100, x, y - GRAVITY * np.sin(tilt), z - GRAVITY + GRAVITY * np.cos(tilt))

    _assert_same_answer(analyse_recording(100, x, y, z), turned)


def test_slow_drift_does_not_change_the_answer() -> None:
    x, y, z = _tremor(100, 5.0, seed=24)
    t = _times(100, 30)
    drifted = analyse_recording(100, x + 0.05 * t, y - 0.5 * np.sin(2 * np.pi * 0.1 * t), z + 0.02 * t)

    _assert_same_answer(analyse_recording(100, x, y, z), drifted)


def test_the_same_tremor_seen_at_another_phone_angle_gives_the_same_answer() -> None:
    axes = _tremor(100, 8.0, seed=25, direction=(1.0, 2.0, 0.5))

    _assert_same_answer(analyse_recording(100, *axes), analyse_recording(100, *_rotate(axes, _rotation(0.7, 2.1))))


def test_a_tremor_along_one_axis_is_not_reported_at_twice_its_frequency() -> None:
    # The vector magnitude of the axes would rectify this sine and peak at 8 Hz.
    analysis = analyse_recording(100, *_tremor(100, 4.0, noise=0.05, seed=26, direction=(0.0, 1.0, 0.0)))

    assert analysis.dominant_frequency_hz == pytest.approx(4.0, abs=0.2)


# --- Bands ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "band_key", "label"),
    [
        (3.5, "cerebellar", "3-4 Hz"),
        (5.0, "parkinsonian_rest_range", "4-6 Hz"),
        (10.0, "physiological", "8-12 Hz"),
        (16.0, "orthostatic", "14-20 Hz"),
    ],
)
def test_a_regular_rhythm_is_placed_in_its_literature_band(frequency: float, band_key: str, label: str) -> None:
    analysis = analyse_recording(100, *_tremor(100, frequency, seed=27))

    assert analysis.band is not None
    assert (analysis.band.key, analysis.band.label) == (band_key, label)


def test_a_rhythm_between_the_literature_bands_has_no_band() -> None:
    analysis = analyse_recording(100, *_tremor(100, 7.0, seed=28))

    assert analysis.rhythmic
    assert analysis.band is None


# --- Comparing hands --------------------------------------------------------------------------------


def test_left_5_hz_and_right_9_hz_are_reported_as_different() -> None:
    left = analyse_recording(100, *_tremor(100, 5.0, seed=30))
    right = analyse_recording(100, *_tremor(100, 9.0, seed=31))

    comparison = compare_hands(left, right)

    assert not comparison.frequencies_match
    assert comparison.frequency_difference_hz == pytest.approx(4.0, abs=0.3)
    assert "different frequencies" in comparison.sentence


def test_both_hands_at_6_hz_are_reported_as_matching() -> None:
    left = analyse_recording(100, *_tremor(100, 6.0, amplitude=0.5, noise=0.02, seed=32))
    right = analyse_recording(100, *_tremor(100, 6.0, amplitude=1.0, noise=0.02, seed=33))

    comparison = compare_hands(left, right)

    assert comparison.frequencies_match
    assert comparison.frequency_difference_hz == pytest.approx(0.0, abs=0.3)
    assert comparison.amplitude_ratio == pytest.approx(2.0, rel=0.15)
    assert "about the same frequency" in comparison.sentence


def test_frequencies_are_not_compared_when_one_hand_has_no_regular_rhythm() -> None:
    left = analyse_recording(100, *_white_noise(100, 30, seed=34))
    right = analyse_recording(100, *_tremor(100, 5.0, seed=35))

    comparison = compare_hands(left, right)

    assert comparison.frequency_difference_hz is None
    assert not comparison.frequencies_match


# --- Wording ----------------------------------------------------------------------------------------

_DIAGNOSTIC_WORDS = ("parkinson", "essential", "cerebellar", "orthostatic", "physiological", "disease", "diagnos")


def test_a_regular_rhythm_is_described_with_its_frequency_posture_and_hand() -> None:
    analysis = analyse_recording(100, *_tremor(100, 5.0, seed=40))
    frequency = f"{analysis.dominant_frequency_hz:.1f}"

    assert describe(analysis, "right", "rest") == f"A regular rhythm at {frequency} Hz at rest in the right hand."


def test_irregular_movement_is_described_as_not_a_regular_tremor() -> None:
    analysis = analyse_recording(100, *_sparse_jerks(100, 20, seed=41))

    assert describe(analysis, "left", "postural") == (
        "Irregular movement while holding a posture in the left hand, not a regular tremor."
    )


def test_a_phone_that_did_not_move_is_described_as_such() -> None:
    t = _times(100, 10)
    analysis = analyse_recording(100, np.zeros_like(t), np.zeros_like(t), np.zeros_like(t))

    assert describe(analysis, "left", "action") == "No movement was measured during an action in the left hand."


def test_a_rhythm_in_one_hand_only_is_described_as_such() -> None:
    left = analyse_recording(100, *_white_noise(100, 30, seed=42))
    right = analyse_recording(100, *_tremor(100, 5.0, seed=43))

    sentence = describe_comparison(left, right, "rest")

    assert sentence.startswith("A regular rhythm at rest in the right hand only (")
    assert sentence.endswith("the left hand shows no regular tremor.")


def test_no_rhythm_in_either_hand_is_described_as_such() -> None:
    left = analyse_recording(100, *_white_noise(100, 30, seed=44))
    right = analyse_recording(100, *_sparse_jerks(100, 30, seed=45))

    assert describe_comparison(left, right, "action") == "No regular tremor during an action in either hand."


@pytest.mark.parametrize("frequency", [3.5, 5.0, 10.0, 16.0])
def test_no_sentence_names_a_condition(frequency: float) -> None:
    rhythm = analyse_recording(100, *_tremor(100, frequency, seed=46))
    other = analyse_recording(100, *_tremor(100, frequency + 2.5, seed=47))
    noise = analyse_recording(100, *_white_noise(100, 30, seed=48))
    sentences = [describe(rhythm, "left", "rest"), describe(noise, "right", "postural")]
    sentences += [describe_comparison(rhythm, other, "rest"), describe_comparison(noise, rhythm, "action")]
    sentences.append(compare_hands(rhythm, rhythm).sentence)

    for sentence in sentences:
        assert not any(word in sentence.lower() for word in _DIAGNOSTIC_WORDS), sentence


def test_an_unknown_hand_or_posture_is_refused() -> None:
    analysis = analyse_recording(100, *_tremor(100, 5.0, seed=49))

    with pytest.raises(ValueError, match="hand"):
        describe(analysis, "middle", "rest")
    with pytest.raises(ValueError, match="posture"):
        describe(analysis, "left", "asleep")
    with pytest.raises(ValueError, match="posture"):
        describe_comparison(analysis, analysis, "asleep")


# --- Validation -------------------------------------------------------------------------------------


def _fields(problems: list[tuple[str, str]]) -> list[str]:
    return [field for field, _ in problems]


def _quiet(rate: float, seconds: float) -> list[list[float]]:
    return [[0.0] * round(rate * seconds) for _ in range(3)]


@pytest.mark.parametrize(("rate", "seconds"), [(50, 10), (500, 60), (100, 30), (123.4, 10)])
def test_a_recording_within_every_limit_has_no_problems(rate: float, seconds: float) -> None:
    assert validate_recording(rate, *_quiet(rate, seconds)) == []


def test_numpy_arrays_and_whole_numbers_are_accepted() -> None:
    x, y, _ = _tremor(100, 5.0, seconds=10)

    assert validate_recording(np.float64(100.0), x, y.astype(np.float32), np.zeros(1000, dtype=np.int64)) == []


@pytest.mark.parametrize("rate", [49.9, 0, -100])
def test_a_sample_rate_below_50_hz_is_refused(rate: float) -> None:
    problems = validate_recording(rate, *_quiet(100, 20))

    assert _fields(problems) == ["sample_rate_hz"]
    assert "at least 50 Hz" in problems[0][1]


def test_a_sample_rate_above_500_hz_is_refused() -> None:
    problems = validate_recording(500.1, *_quiet(100, 20))

    assert _fields(problems) == ["sample_rate_hz"]
    assert "at most 500 Hz" in problems[0][1]


@pytest.mark.parametrize("rate", ["100", None, True, [100], float("nan"), float("inf")])
def test_a_sample_rate_that_is_not_a_finite_number_is_refused(rate: object) -> None:
    problems = validate_recording(rate, *_quiet(100, 20))

    assert _fields(problems) == ["sample_rate_hz"]
    assert "sample_rate_hz must be" in problems[0][1]


def test_axes_of_unequal_length_are_refused_naming_the_odd_axis() -> None:
    x, y, z = _quiet(100, 20)

    problems = validate_recording(100, x, y[:-1], z)

    assert _fields(problems) == ["y"]
    assert "y has 1999 samples but x has 2000" in problems[0][1]


def test_a_recording_shorter_than_10_s_is_refused() -> None:
    problems = validate_recording(100, *_quiet(100, 9.99))

    assert problems == [
        (RECORDING_FIELD, "The recording lasts 9.99 s (999 samples at 100 Hz); it must last at least 10 s.")
    ]


def test_a_recording_longer_than_60_s_is_refused() -> None:
    problems = validate_recording(50, *_quiet(50, 60.02))

    assert _fields(problems) == [RECORDING_FIELD]
    assert "at most 60 s" in problems[0][1]


def test_an_empty_recording_is_refused_as_too_short() -> None:
    problems = validate_recording(100, [], [], [])

    assert _fields(problems) == [RECORDING_FIELD]
    assert "at least 10 s" in problems[0][1]


def test_more_samples_than_60_s_at_500_hz_are_refused_whatever_the_rate() -> None:
    too_many = [0.0] * (MAX_SAMPLES + 1)

    problems = validate_recording(float("nan"), too_many, [0.0] * 10, too_many)

    assert _fields(problems) == ["sample_rate_hz", "x", "z"]
    assert f"at most {MAX_SAMPLES}" in problems[1][1]


@pytest.mark.parametrize(("bad", "count"), [(float("nan"), 1), (float("inf"), 1), (float("-inf"), 2)])
def test_nan_or_infinite_samples_are_refused(bad: float, count: int) -> None:
    x, y, z = _quiet(100, 20)
    z[5 : 5 + count] = [bad] * count

    problems = validate_recording(100, x, y, z)

    assert problems == [("z", f"z has {count} values that are NaN or infinite; every sample must be finite.")]


@pytest.mark.parametrize(
    ("axis", "message"),
    [
        ("text", "must be a list of numbers"),
        (5.0, "must be a list of numbers"),
        (None, "must be a list of numbers"),
        (["1.0"] * 2000, "must contain only numbers"),
        ([0.0] * 1999 + [None], "must contain only numbers"),
        ([True] * 2000, "must contain only numbers"),
        ([[0.0, 0.0]] * 2000, "must be a flat list of numbers"),
        ([[0.0], [0.0, 0.0]] + [[0.0]] * 1998, "must be a flat list of numbers"),
    ],
)
def test_samples_that_are_not_a_flat_list_of_numbers_are_refused(axis: object, message: str) -> None:
    x, _, z = _quiet(100, 20)

    problems = validate_recording(100, x, axis, z)

    assert _fields(problems) == ["y"]
    assert problems[0][1].startswith("y ")
    assert message in problems[0][1]


def test_every_problem_is_reported_at_once() -> None:
    problems = validate_recording(40, [float("nan")] * 1000, "y", [0.0] * 999)

    assert _fields(problems) == ["sample_rate_hz", "x", "y", "z"]


def test_analysing_an_invalid_recording_raises_with_its_problems() -> None:
    with pytest.raises(RecordingError) as raised:
        analyse_recording(40, *_quiet(40, 20))

    assert _fields(raised.value.problems) == ["sample_rate_hz"]
