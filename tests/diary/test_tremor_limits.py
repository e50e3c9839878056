"""Finding 5 of issue 23: samples beyond a phone accelerometer's range, and non-finite measures.

A recording whose samples were all 1e300 answered 500 but stored infinities from the analysis;
from then on the account's sync pull, tremor list and record answered 500 and the JSON export
wrote ``Infinity``. Now such samples are refused naming the axis, the analysis stores finite
numbers only, and the database refuses anything else.
"""

from __future__ import annotations

import json
import math

import pytest
from django.db import IntegrityError, connection, transaction

from diary.models import TremorRecording
from diary.services import record_save
from diary.tremor_checks import MAX_ACCELERATION_M_S2
from insights import tremor as tremor_service
from tests.builders import UserFactory, now_ms, service_values
from tests.diary.tremor_samples import axes, rest_body
from tests.diary.wire import changes, pull, push

pytestmark = pytest.mark.django_db


def _flat(value: float, n: int = 3000) -> dict[str, list[float]]:
    return {"x": [value] * n, "y": [value] * n, "z": [value] * n}


@pytest.mark.parametrize("value", [1e300, -1e300, MAX_ACCELERATION_M_S2 + 0.1])
def test_samples_beyond_a_phone_accelerometer_are_refused_over_rest_naming_the_axis(auth_client, user, value):
    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(samples=_flat(value)), format="json")

    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert {"samples.x", "samples.y", "samples.z"} <= set(fields)
    assert "16 g" in fields["samples.x"][0]
    assert not TremorRecording.objects.filter(user=user).exists()


def test_samples_of_1e300_are_refused_over_sync_naming_the_axis(auth_client, user):
    record = {
        "id": "t1",
        "recorded_at": now_ms() - 60_000,
        "hand": "left",
        "posture": "rest",
        "sample_rate_hz": 100,
        "samples": json.dumps(_flat(1e300)),
    }
    response = push(auth_client, changes(tremor_recordings=[record]))

    assert response.status_code == 400, response.json()
    assert "tremor_recordings.created[0].samples.x" in response.json()["error"]["fields"]
    assert not TremorRecording.objects.filter(user=user).exists()


def test_samples_at_sixteen_g_are_a_measurement_and_accepted(auth_client, user):
    samples = axes()
    samples["z"][0] = MAX_ACCELERATION_M_S2
    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(samples=samples), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("field", ["dominant_hz", "power", "rhythmicity", "amplitude"])
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300])
def test_the_database_refuses_a_non_finite_or_impossible_measure(user, field, value):
    recording = _stored(user)

    if math.isnan(value) and connection.vendor == "sqlite":
        # SQLite has no NaN: it stores one as NULL, which is "not measured", never a broken number.
        TremorRecording.objects.filter(pk=recording.pk).update(**{field: value})
        assert getattr(TremorRecording.objects.get(pk=recording.pk), field) is None
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        TremorRecording.objects.filter(pk=recording.pk).update(**{field: value})


def test_a_recording_stored_before_the_limits_is_marked_measured_with_nothing_rather_than_infinity(user):
    # As a database from before this change may hold: samples the analysis squares to infinity.
    recording = _stored(user)
    TremorRecording.objects.filter(pk=recording.pk).update(samples=_flat(1e300, n=3000))

    assert tremor_service.tremor_analyse_recordings(user_id=user.pk) == 1

    stored = TremorRecording.objects.get(pk=recording.pk)
    assert stored.analysed_at is not None
    assert (stored.dominant_hz, stored.power, stored.rhythmicity, stored.amplitude) == (None, None, None, None)
    assert tremor_service.tremor_analyse_recordings(user_id=user.pk) == 0  # not tried again and again


def test_an_account_with_an_old_oversized_recording_still_lists_pulls_and_exports(client_for):
    user = UserFactory()
    recording = _stored(user)
    TremorRecording.objects.filter(pk=recording.pk).update(samples=_flat(1e300, n=3000))
    tremor_service.tremor_analyse_recordings(user_id=user.pk)
    client = client_for(user)

    assert client.get("/api/v1/tremor-recordings/").status_code == 200
    assert client.get(f"/api/v1/tremor-recordings/{recording.client_id}/").status_code == 200
    pull(client)
    export = client.get("/api/v1/account/export/")
    assert export.status_code == 200
    json.loads(b"".join(export.streaming_content), parse_constant=_not_json)  # strict JSON: no Infinity


def _not_json(name: str):
    raise AssertionError(f"{name} is not JSON")


def _stored(user) -> TremorRecording:
    return record_save(
        user=user, table="tremor_recordings", client_id=None, values=service_values("tremor_recordings", rest_body())
    )
