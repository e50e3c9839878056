"""Tremor recordings: validation, REST and sync, and the analysis job after commit."""

from __future__ import annotations

import json

import pytest

from diary.models import TremorRecording
from insights import tremor as tremor_service
from insights.tasks import analyse_tremor_recordings
from tests.builders import now_ms
from tests.diary.tremor_samples import axes, rest_body
from tests.diary.wire import pull, push

pytestmark = pytest.mark.django_db


def test_a_recording_posted_over_rest_is_analysed_by_the_job(auth_client, user):
    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["dominant_hz"] is None  # analysed after commit, by the job
    assert analyse_tremor_recordings.apply(args=[user.pk]).successful()
    body = auth_client.get("/api/v1/tremor-recordings/rec1/").json()
    assert body["dominant_hz"] == pytest.approx(5.0, abs=0.2)
    assert body["rhythmic"] is True
    assert body["description"] == "A regular rhythm at 5.0 Hz at rest in the right hand."


def test_the_analysis_job_is_idempotent(auth_client, user):
    auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1"), format="json")
    assert tremor_service.tremor_analyse_recordings(user_id=user.pk) == 1
    first = TremorRecording.objects.values().get(user=user, client_id="rec1")
    assert tremor_service.tremor_analyse_recordings(user_id=user.pk) == 0
    assert TremorRecording.objects.values().get(user=user, client_id="rec1") == first


def test_a_changed_recording_is_analysed_again(auth_client, user):
    auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1"), format="json")
    tremor_service.tremor_analyse_recordings(user_id=user.pk)
    auth_client.patch("/api/v1/tremor-recordings/rec1/", {"samples": axes(frequency_hz=9.0)}, format="json")
    assert tremor_service.tremor_analyse_recordings(user_id=user.pk) == 1
    assert TremorRecording.objects.get(user=user, client_id="rec1").dominant_hz == pytest.approx(9.0, abs=0.2)


def test_the_job_runs_after_commit(auth_client, user, django_capture_on_commit_callbacks, settings):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("with a real broker the job runs on a worker: see tests/insights/test_jobs.py")
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1"), format="json")
    assert TremorRecording.objects.get(user=user, client_id="rec1").rhythmic is True


def test_analysis_results_reach_other_devices_through_a_pull(user, client_for):
    phone, tablet = client_for(user, "phone"), client_for(user, "tablet")
    recording = {
        "id": "rec1",
        "recorded_at": now_ms() - 60_000,
        "hand": "left",
        "posture": "postural",
        "sample_rate_hz": 100,
        "samples": json.dumps(axes(frequency_hz=6.0)),
    }
    first = pull(tablet)
    assert push(phone, {"tremor_recordings": {"created": [recording], "updated": [], "deleted": []}}).status_code == 200
    tremor_service.tremor_analyse_recordings(user_id=user.pk)
    pulled = pull(tablet, first["timestamp"])["changes"]["tremor_recordings"]
    (record,) = pulled["created"]
    assert record["dominant_hz"] == pytest.approx(6.0, abs=0.2)
    assert set(json.loads(record["samples"])) == {"x", "y", "z"}


def test_a_client_cannot_write_the_analysis_fields(auth_client, user):
    auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1", dominant_hz=3.0, rhythmic=True), format="json")
    stored = TremorRecording.objects.get(user=user, client_id="rec1")
    assert stored.dominant_hz is None and stored.rhythmic is None


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"sample_rate_hz": 20}, "sample_rate_hz", "50"),
        ({"samples": {**axes(), "z": axes()["z"][:-5]}}, "samples", "same number"),
        ({"samples": axes(seconds=5)}, "samples", "10"),
        ({"samples": axes(seconds=70)}, "samples", "60"),
        ({"samples": {**axes(), "x": [*axes()["x"][:-1], "NaN"]}}, "samples.x", ""),
        ({"hand": "both"}, "hand", "left"),
        ({"posture": "lying"}, "posture", "rest"),
    ],
)
def test_each_recording_rule_is_refused_with_a_clear_message(auth_client, user, overrides, field, expected):
    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    matching = [key for key in fields if key.startswith(field)]
    assert matching, fields
    assert any(expected in message for key in matching for message in fields[key])
    assert not TremorRecording.objects.filter(user=user).exists()


def test_more_than_sixty_seconds_at_five_hundred_hertz_is_refused(auth_client):
    too_many = [0.0] * (60 * 500 + 1)
    response = auth_client.post(
        "/api/v1/tremor-recordings/",
        rest_body(sample_rate_hz=500, samples={"x": too_many, "y": too_many, "z": too_many}),
        format="json",
    )
    assert response.status_code == 400


def test_an_analysed_recording_appears_in_the_physician_report(auth_client, user):
    from datetime import date

    from pypdf import PdfReader

    from insights.reports.pdf import render_report_pdf
    from insights.reports.presenters import report_content

    auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1"), format="json")
    tremor_service.tremor_analyse_recordings(user_id=user.pk)
    content = report_content(user=user, start=date(2026, 11, 1), end=date(2026, 11, 24))
    (row,) = content.tremors
    assert row.dominant_hz == pytest.approx(5.0, abs=0.2)
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_report_pdf(content))).pages)
    assert "regular rhythm at 5.0 Hz" in text


def test_samples_sent_over_rest_keep_only_the_three_axes(auth_client, user):
    # Every other key went into the JSON column as sent; one named "\x00" was a 500 from PostgreSQL.
    samples = {**axes(), "\x00": 1, "note": "extra"}

    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(id="rec1", samples=samples), format="json")

    assert response.status_code == 201, response.json()
    assert set(TremorRecording.objects.get(user=user, client_id="rec1").samples) == {"x", "y", "z"}


def test_samples_that_are_not_an_object_of_axes_are_a_400_naming_the_field(auth_client):
    response = auth_client.post("/api/v1/tremor-recordings/", rest_body(samples=[1, 2, 3]), format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["samples"]
