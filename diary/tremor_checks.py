"""The checks a raw tremor recording must pass before it is stored: the rate, the axes, the length.

The diary's input checks (diary/record_checks.py) run them on every recording pushed or posted, and the tremor
analysis (insights/analysis/tremor.py) runs them again before it measures anything, so the limits live
here, below both. Plain numbers and numpy only: no Django. The clinical reasons for the limits are in
docs/clinical.md (tremor frequency).
"""

from __future__ import annotations

import math
from collections.abc import Sized

import numpy as np
import numpy.typing as npt

# --- Recording limits -------------------------------------------------------------------------------
# docs/clinical.md: frequency needs raw samples at 50 Hz or more. Phones deliver accelerometer samples
# at 50 to a few hundred Hz: Android's Compatibility Definition (CDD section 7.3.1) requires 50 Hz and
# recommends 200 Hz, Android 12 and later cap apps at 200 Hz unless they hold HIGH_SAMPLING_RATE_SENSORS,
# and iOS Core Motion delivers about 100 Hz. Above 500 Hz a phone adds nothing in a 3-20 Hz band but
# payload size.
MIN_SAMPLE_RATE_HZ = 50.0
MAX_SAMPLE_RATE_HZ = 500.0
# What a phone's accelerometer can report: the inertial units phones carry have full-scale ranges of
# +-2, 4, 8 or 16 g (ST LSM6DSO and Bosch BMI270 datasheets; Android's CDD 7.3.1 requires at least
# 4 g), so no sample lies beyond 16 standard gravities. A larger number is not a measurement, and
# 1e300 in every sample used to square to infinity in the analysis.
STANDARD_GRAVITY_M_S2 = 9.80665
MAX_ACCELERATION_M_S2 = 16 * STANDARD_GRAVITY_M_S2
# Ten seconds give four overlapping 4-s spectrum segments to average (WELCH_SEGMENT_S in
# insights/analysis/tremor.py); sixty seconds is twice the 30 s per hand that Sage mPower records (docs/clinical.md).
MIN_DURATION_S = 10.0
MAX_DURATION_S = 60.0
# A hard cap on the size of one axis, checked before anything is converted, so an oversized upload is
# refused cheaply whatever sample rate it claims.
MAX_SAMPLES = int(MAX_DURATION_S * MAX_SAMPLE_RATE_HZ)
# The key under which problems with the recording as a whole are reported; it is DRF's default
# NON_FIELD_ERRORS_KEY, so the API's exception handler can pass it on unchanged.
RECORDING_FIELD = "non_field_errors"
AXES = ("x", "y", "z")

# --- Validation -------------------------------------------------------------------------------------


def validate_recording(sample_rate_hz: object, x: object, y: object, z: object) -> list[tuple[str, str]]:
    """Return every problem with a raw recording as (field, message); an empty list means it can be analysed."""
    problems, _ = check_recording(sample_rate_hz, x, y, z)
    return problems


def check_recording(
    sample_rate_hz: object, x: object, y: object, z: object
) -> tuple[list[tuple[str, str]], npt.NDArray[np.float64] | None]:
    """Validate a recording and, when it is sound, return its axes as rows of one float array.

    Validation has to convert each axis to find out what it holds; handing the arrays on saves the
    analysis converting a JSON list of up to 30,000 numbers per axis a second time.
    """
    problems, rate = _sample_rate_problems(sample_rate_hz)
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for field, values in zip(AXES, (x, y, z), strict=True):
        axis_problems, array = _axis_problems(field, values)
        problems += axis_problems
        if array is not None:
            arrays[field] = array
    problems += _length_mismatch_problems({field: len(array) for field, array in arrays.items()})
    # The duration is only meaningful once the rate and all three axes are sound.
    if problems or rate is None:
        return problems, None
    problems += _duration_problems(rate, len(arrays["x"]))
    if problems:
        return problems, None
    return [], np.vstack([arrays[field] for field in AXES]).astype(np.float64, copy=False)


def _sample_rate_problems(sample_rate_hz: object) -> tuple[list[tuple[str, str]], float | None]:
    """Check the sample rate; return its problems and the rate as a float when it is usable."""
    if isinstance(sample_rate_hz, bool) or not isinstance(sample_rate_hz, int | float | np.integer | np.floating):
        return [("sample_rate_hz", "sample_rate_hz must be a number of samples per second.")], None
    rate = float(sample_rate_hz)
    if not math.isfinite(rate):
        return [("sample_rate_hz", "sample_rate_hz must be a finite number.")], None
    if rate < MIN_SAMPLE_RATE_HZ:
        message = (
            f"sample_rate_hz is {rate:g} Hz; it must be at least {MIN_SAMPLE_RATE_HZ:g} Hz to measure a "
            "tremor's frequency."
        )
        return [("sample_rate_hz", message)], None
    if rate > MAX_SAMPLE_RATE_HZ:
        message = f"sample_rate_hz is {rate:g} Hz; it must be at most {MAX_SAMPLE_RATE_HZ:g} Hz."
        return [("sample_rate_hz", message)], None
    return [], rate


def _axis_problems(field: str, values: object) -> tuple[list[tuple[str, str]], npt.NDArray[np.generic] | None]:
    """Check one axis; return its problems and, when its length can be trusted, the axis as an array."""
    if isinstance(values, str | bytes) or not isinstance(values, Sized):
        return [(field, f"{field} must be a list of numbers.")], None
    if len(values) > MAX_SAMPLES:
        limit = f"{MAX_DURATION_S:g} s at {MAX_SAMPLE_RATE_HZ:g} Hz"
        return [(field, f"{field} has {len(values)} samples; it may have at most {MAX_SAMPLES} ({limit}).")], None
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        return [(field, f"{field} must be a flat list of numbers.")], None
    if array.ndim != 1:
        return [(field, f"{field} must be a flat list of numbers.")], None
    # Booleans, text, missing values (object arrays) and complex numbers are not accelerations.
    if array.size and array.dtype.kind not in "iuf":
        return [(field, f"{field} must contain only numbers.")], None
    not_finite = int(np.count_nonzero(~np.isfinite(array))) if array.dtype.kind == "f" else 0
    if not_finite:
        message = f"{field} has {not_finite} values that are NaN or infinite; every sample must be finite."
        return [(field, message)], array
    beyond = int(np.count_nonzero(np.abs(array) > MAX_ACCELERATION_M_S2)) if array.size else 0
    if beyond:
        message = (
            f"{field} has {beyond} values beyond +-{MAX_ACCELERATION_M_S2:.1f} m/s^2 (16 g), more than a phone's "
            "accelerometer measures; samples are accelerations in m/s^2."
        )
        return [(field, message)], array
    return [], array


def _length_mismatch_problems(lengths: dict[str, int]) -> list[tuple[str, str]]:
    if "x" not in lengths:
        return []
    return [
        (field, f"{field} has {length} samples but x has {lengths['x']}; x, y and z must have the same number.")
        for field, length in lengths.items()
        if length != lengths["x"]
    ]


def _duration_problems(sample_rate_hz: float, n_samples: int) -> list[tuple[str, str]]:
    duration_s = n_samples / sample_rate_hz
    described = f"The recording lasts {duration_s:.4g} s ({n_samples} samples at {sample_rate_hz:g} Hz)"
    if duration_s < MIN_DURATION_S:
        return [(RECORDING_FIELD, f"{described}; it must last at least {MIN_DURATION_S:g} s.")]
    if duration_s > MAX_DURATION_S:
        return [(RECORDING_FIELD, f"{described}; it may last at most {MAX_DURATION_S:g} s.")]
    return []
