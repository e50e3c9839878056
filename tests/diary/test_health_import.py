"""The health-store import (docs/architecture.md, "Health-store import"): HealthKit and Health
Connect samples through the API, and Apple Health's export.xml through a job, each thing counted once."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery_app import app as celery_app
from diary.models import CaffeineIntake, ExerciseSession, HealthSample, SleepLog, SyncClock
from diary.tasks import import_health_export
from insights.analysis.daily_series import build_daily_series
from insights.selectors import diary_for_user
from tests.diary.health_samples import NUTRITION_APP, OWN_APP, WATCH, write_export, year_of_samples

URL = "/api/v1/health/samples/"
EXPORTS = "/api/v1/health/exports/"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
END_DAY = date(2026, 2, 28)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def post(client: Any, body: dict[str, Any]) -> Any:
    return client.post(URL, body, format="json")


def hk_sample(kind: str = "HKQuantityTypeIdentifierDietaryCaffeine", **overrides: Any) -> dict[str, Any]:
    sample: dict[str, Any] = {
        "uuid": "A-1",
        "type": kind,
        "startDate": "2026-02-27T09:00:00+00:00",
        "endDate": "2026-02-27T09:00:00+00:00",
        "sourceRevision": {"source": {"bundleIdentifier": NUTRITION_APP}},
        "quantity": {"value": 0.095, "unit": "g"},
        "metadata": {"HKTimeZone": "Europe/London", "HKWasUserEntered": True},
    }
    sample.update(overrides)
    return sample


def live(model: Any, user: Any) -> Any:
    return model.objects.live().filter(user=user)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["healthkit", "health_connect"])
def test_a_year_of_samples_imports_each_night_drink_and_workout_once(auth_client, user, platform):
    bodies, truth = year_of_samples(platform, end_day=END_DAY)

    for body in bodies:
        response = post(auth_client, body)
        assert response.status_code == 200, response.json()
    # The whole year sent again: nothing changes, not even the sync clock.
    clock = SyncClock.objects.get(user=user).last_stamp_ms
    again = [post(auth_client, body).json() for body in bodies]

    nights = {log.woke_at.astimezone(ZoneInfo(user.timezone)).date(): log for log in live(SleepLog, user)}
    assert set(nights) == set(truth.nights)
    # The watch's asleep stages (not the phone app's longer block, not in-bed time) counted once.
    assert all(abs(nights[day].asleep_min - minutes) < 0.1 for day, minutes in truth.nights.items())
    assert {log.import_source for log in nights.values()} == {
        WATCH if platform == "healthkit" else "com.google.android.apps.fitness"
    }
    assert sorted(live(CaffeineIntake, user).values_list("mg", flat=True)) == sorted(truth.caffeine_mg.values())
    assert not live(CaffeineIntake, user).filter(import_source=OWN_APP).exists()
    assert live(ExerciseSession, user).count() == truth.workouts
    assert all(r["created"] == 0 and r["updated"] == 0 for r in again)
    assert SyncClock.objects.get(user=user).last_stamp_ms == clock


@pytest.mark.django_db
def test_each_imported_record_keeps_its_source_unit_zone_and_who_entered_it(auth_client, user):
    response = post(auth_client, {"platform": "healthkit", "samples": [hk_sample()]})

    intake = live(CaffeineIntake, user).get()
    assert response.json()["created"] == 1
    assert intake.mg == 95
    assert intake.client_id.startswith("hs-")
    assert (intake.import_platform, intake.import_source, intake.import_sample_id) == (
        "healthkit",
        NUTRITION_APP,
        "A-1",
    )
    assert (intake.import_unit, intake.import_time_zone, intake.import_user_entered) == ("g", "Europe/London", True)
    rest = auth_client.get(f"/api/v1/caffeine-intakes/{intake.client_id}/").json()
    assert rest["imported"] == {
        "platform": "healthkit",
        "source": NUTRITION_APP,
        "sample_id": "A-1",
        "version": None,
        "user_entered": True,
        "unit": "g",
        "time_zone": "Europe/London",
    }


@pytest.mark.django_db
def test_an_older_version_never_overwrites_a_newer_one_and_a_deletion_removes_the_record(auth_client, user):
    def version(n: int, grams: float, uuid: str) -> dict[str, Any]:
        return hk_sample(
            uuid=uuid,
            quantity={"value": grams, "unit": "g"},
            metadata={"HKMetadataKeySyncIdentifier": "drink-1", "HKMetadataKeySyncVersion": n},
        )

    post(auth_client, {"platform": "healthkit", "samples": [version(2, 0.12, "V2")]})
    stale = post(auth_client, {"platform": "healthkit", "samples": [version(1, 0.05, "V1")]}).json()

    assert stale["stale"] == 1
    assert list(live(CaffeineIntake, user).values_list("mg", flat=True)) == [120]

    # HealthKit reports the replaced sample's UUID as deleted: the newer one stays.
    post(auth_client, {"platform": "healthkit", "deleted": [{"uuid": "V1"}]})
    assert live(CaffeineIntake, user).count() == 1
    post(auth_client, {"platform": "healthkit", "deleted": [{"uuid": "V2"}]})
    assert live(CaffeineIntake, user).count() == 0
    # Sent again in the same version after its deletion: it stays deleted.
    post(auth_client, {"platform": "healthkit", "samples": [version(2, 0.12, "V2")]})
    assert live(CaffeineIntake, user).count() == 0


@pytest.mark.django_db
def test_a_night_of_in_bed_time_only_makes_no_sleep_log(auth_client, user):
    in_bed = hk_sample(
        "HKCategoryTypeIdentifierSleepAnalysis",
        value="HKCategoryValueSleepAnalysisInBed",
        startDate="2026-02-26T23:00:00+00:00",
        endDate="2026-02-27T07:00:00+00:00",
    )

    post(auth_client, {"platform": "healthkit", "samples": [in_bed]})

    assert live(SleepLog, user).count() == 0
    assert HealthSample.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_night_logged_by_hand_wins_over_the_imported_one_in_the_engine_and_both_are_shown(auth_client, user):
    asleep = hk_sample(
        "HKCategoryTypeIdentifierSleepAnalysis",
        sourceRevision={"source": {"bundleIdentifier": WATCH}},
        value="HKCategoryValueSleepAnalysisAsleepCore",
        startDate="2026-02-26T23:00:00+00:00",
        endDate="2026-02-27T03:00:00+00:00",
    )
    post(auth_client, {"platform": "healthkit", "samples": [asleep]})
    manual = auth_client.post(
        "/api/v1/sleep-logs/",
        {"bed_at": "2026-02-26T22:30:00Z", "woke_at": "2026-02-27T06:30:00Z", "quality": 4},
        format="json",
    )
    assert manual.status_code == 201

    listed = auth_client.get("/api/v1/sleep-logs/").json()["results"]
    diary = diary_for_user(user=user, today=date(2026, 2, 28))
    series = build_daily_series(diary)

    assert len(listed) == 2  # shown together
    assert [r.id for r in diary.sleep] == [manual.json()["id"]]  # counted once: the person's entry
    assert series.sleep_hours[series.index_of(date(2026, 2, 27))] == 8.0


@pytest.mark.django_db
def test_an_imported_night_feeds_the_engine_its_asleep_time_not_its_span(auth_client, user):
    stages = [
        ("2026-02-26T23:00:00", "2026-02-27T02:00:00", "HKCategoryValueSleepAnalysisAsleepCore"),
        ("2026-02-27T02:00:00", "2026-02-27T03:00:00", "HKCategoryValueSleepAnalysisAwake"),
        ("2026-02-27T03:00:00", "2026-02-27T06:00:00", "HKCategoryValueSleepAnalysisAsleepDeep"),
        # Overlapping the deep stage: the union counts, not the sum.
        ("2026-02-27T05:00:00", "2026-02-27T06:00:00", "HKCategoryValueSleepAnalysisAsleepREM"),
    ]
    samples = [
        hk_sample(
            "HKCategoryTypeIdentifierSleepAnalysis",
            uuid=f"S{i}",
            sourceRevision={"source": {"bundleIdentifier": WATCH}},
            value=value,
            startDate=f"{start}+00:00",
            endDate=f"{end}+00:00",
        )
        for i, (start, end, value) in enumerate(stages)
    ]
    post(auth_client, {"platform": "healthkit", "samples": samples})

    series = build_daily_series(diary_for_user(user=user, today=date(2026, 2, 28)))

    assert series.sleep_hours[series.index_of(date(2026, 2, 27))] == 6.0


@pytest.mark.django_db
def test_an_imported_drink_near_one_logged_by_hand_is_left_out_of_the_engine(auth_client, user):
    post(auth_client, {"platform": "healthkit", "samples": [hk_sample()]})
    auth_client.post(
        "/api/v1/caffeine-intakes/", {"consumed_at": "2026-02-27T09:20:00Z", "drink": "espresso"}, format="json"
    )
    post(
        auth_client,
        {
            "platform": "healthkit",
            "samples": [
                hk_sample(uuid="A-2", startDate="2026-02-27T15:00:00+00:00", endDate="2026-02-27T15:00:00+00:00")
            ],
        },
    )

    diary = diary_for_user(user=user, today=date(2026, 2, 28))

    assert len(diary.caffeine) == 2
    assert sum(1 for r in diary.caffeine if r.id.startswith("hs-")) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"type": "HKQuantityTypeIdentifierStepCount"},
            "samples[0].type",
            "unknown kind 'HKQuantityTypeIdentifierStepCount'",
        ),
        ({"quantity": {"value": 3, "unit": "cups"}}, "samples[0].quantity.unit", "unknown unit 'cups'"),
        ({"startDate": "2027-01-01T00:00:00+00:00"}, "samples[0].startDate", "future"),
        ({"startDate": "1899-12-31T00:00:00+00:00"}, "samples[0].startDate", "1900"),
        ({"startDate": "2026-02-27T09:00:00"}, "samples[0].startDate", "UTC offset"),
    ],
)
def test_bad_samples_are_a_400_naming_them_and_nothing_is_stored(auth_client, user, change, field, words):
    body = {"platform": "healthkit", "samples": [hk_sample(uuid="ok"), hk_sample(uuid="bad", **change)]}
    body["samples"].reverse()

    response = post(auth_client, body)

    assert response.status_code == 400
    assert words in " ".join(response.json()["error"]["fields"][field])
    assert not HealthSample.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_unknown_health_connect_record_type_is_a_400_naming_it(auth_client):
    response = post(auth_client, {"platform": "health_connect", "records": [{"recordType": "StepsRecord"}]})

    assert response.status_code == 400
    assert "StepsRecord" in response.json()["error"]["fields"]["records[0].recordType"][0]


@pytest.mark.django_db
def test_one_users_samples_never_touch_another_users_diary(client_for, make_user):
    ann, bob = make_user(), make_user()
    body = {"platform": "healthkit", "samples": [hk_sample()]}

    post(client_for(ann), body)
    post(client_for(bob), body)
    post(client_for(bob), {"platform": "healthkit", "deleted": [{"uuid": "A-1"}]})

    assert live(CaffeineIntake, ann).count() == 1
    assert live(CaffeineIntake, bob).count() == 0


# --- Apple Health's export ------------------------------------------------------------------


def run_job(client: Any, response: Any) -> dict[str, Any]:
    """Run the queued import as the worker would, then poll its status as the app does."""
    assert response.status_code == 202, response.content
    assert celery_app.amqp.router.route({}, "reports.import_health_export")["queue"].name == "reports"
    import_health_export.apply(args=[response.json()["id"]])
    return dict(client.get(response.json()["status_url"]).json())


def export_bytes(days: int = 60, zipped: bool = True) -> tuple[bytes, Any]:
    text = io.StringIO()
    truth = write_export(text, end_day=END_DAY, days=days, filler_per_day=20)
    xml = text.getvalue().encode()
    if not zipped:
        return xml, truth
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", xml)
    return buffer.getvalue(), truth


@pytest.mark.django_db
def test_a_generated_export_imports_every_night_drink_and_workout_once(auth_client, user, settings, tmp_path):
    settings.HEALTH_IMPORT_DIR = str(tmp_path)
    body, truth = export_bytes()

    response = auth_client.post(EXPORTS, {"file": SimpleUploadedFile("export.zip", body)}, format="multipart")
    job = run_job(auth_client, response)
    # The same export again (a person taps import twice): nothing is counted twice.
    run_job(
        auth_client, auth_client.post(EXPORTS, {"file": SimpleUploadedFile("export.zip", body)}, format="multipart")
    )

    assert job["status"] == "done", job
    assert job["records_read"] > 60 * 20
    nights = {log.woke_at.astimezone(ZoneInfo(user.timezone)).date(): log.asleep_min for log in live(SleepLog, user)}
    assert nights.keys() == truth.nights.keys()
    assert all(abs(nights[d] - m) < 0.1 for d, m in truth.nights.items())
    assert sorted(live(CaffeineIntake, user).values_list("mg", flat=True)) == sorted(truth.caffeine_mg.values())
    assert live(ExerciseSession, user).count() == truth.workouts
    assert set(live(ExerciseSession, user).values_list("intensity", flat=True)) == {"vigorous"}
    assert list(tmp_path.iterdir()) == []  # the upload is gone once read


@pytest.mark.django_db
def test_a_malformed_export_fails_with_a_clear_error_and_stores_nothing(auth_client, user, settings, tmp_path):
    settings.HEALTH_IMPORT_DIR = str(tmp_path)
    body, _ = export_bytes(zipped=False)
    cut = body[: len(body) * 2 // 3]  # a download that broke off

    response = auth_client.post(EXPORTS, {"file": SimpleUploadedFile("export.xml", cut)}, format="multipart")
    job = run_job(auth_client, response)

    assert job["status"] == "failed"
    assert "not well-formed" in job["error"] and "Nothing" in job["error"]
    assert not HealthSample.objects.filter(user=user).exists()
    assert live(SleepLog, user).count() == 0


@pytest.mark.django_db
def test_an_export_with_an_unknown_caffeine_unit_names_it_and_stores_nothing(auth_client, user, settings, tmp_path):
    settings.HEALTH_IMPORT_DIR = str(tmp_path)
    body, _ = export_bytes(days=5, zipped=False)
    body = body.replace(b'unit="mg" creationDate', b'unit="cups" creationDate', 1)

    response = auth_client.post(EXPORTS, {"file": SimpleUploadedFile("export.xml", body)}, format="multipart")
    job = run_job(auth_client, response)

    assert job["status"] == "failed"
    assert "unknown unit 'cups'" in job["error"]
    assert not HealthSample.objects.filter(user=user).exists()


def test_the_night_rule_gives_a_stage_ending_in_the_evening_to_the_next_day():
    from zoneinfo import ZoneInfo

    from diary.health.derive import night_of

    zone = ZoneInfo("Europe/London")
    assert night_of(datetime(2026, 2, 26, 23, 30, tzinfo=zone), zone) == date(2026, 2, 27)
    assert night_of(datetime(2026, 2, 27, 7, 0, tzinfo=zone), zone) == date(2026, 2, 27)
    assert night_of(datetime(2026, 2, 27, 17, 59, tzinfo=zone), zone) == date(2026, 2, 27)
    assert night_of(datetime(2026, 2, 27, 18, 0, tzinfo=zone) + timedelta(0), zone) == date(2026, 2, 28)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "garbage",
    [
        {"platform": "healthkit", "samples": [{"type": ["x"], "uuid": "u"}]},
        {"platform": "healthkit", "samples": [hk_sample(sourceRevision="phone")]},
        {"platform": "healthkit", "samples": [hk_sample(metadata=[1, 2])]},
        {"platform": "healthkit", "samples": [hk_sample("HKCategoryTypeIdentifierSleepAnalysis", value={"a": 1})]},
        {"platform": "health_connect", "records": [{"recordType": {"a": 1}}]},
        {"platform": "health_connect", "records": [{"recordType": "NutritionRecord", "metadata": {"dataOrigin": 3}}]},
        {
            "platform": "health_connect",
            "records": [
                {
                    "recordType": "SleepSessionRecord",
                    "startTime": "2026-02-26T23:00:00Z",
                    "endTime": "2026-02-27T06:00:00Z",
                    "stages": [{"stage": [4], "startTime": "2026-02-26T23:00:00Z", "endTime": "2026-02-27T01:00:00Z"}],
                    "metadata": {"id": "r", "dataOrigin": {"packageName": "p"}, "recordingMethod": [3]},
                }
            ],
        },
        {"platform": "healthkit", "deleted": [["uuid"]]},
        ["not", "an", "object"],
    ],
)
def test_malformed_shapes_are_a_400_in_the_error_shape_never_a_500(auth_client, garbage):
    response = post(auth_client, garbage)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]


@pytest.mark.django_db
def test_the_account_export_holds_each_imported_sample_with_its_source(auth_client, user):
    post(auth_client, {"platform": "healthkit", "samples": [hk_sample()]})

    response = auth_client.get("/api/v1/account/export/")
    document = json.loads(b"".join(response.streaming_content))

    [sample] = document["health_samples"]
    [intake] = document["tables"]["caffeine_intakes"]
    assert sample["record_id"] == intake["id"]
    assert (sample["platform"], sample["source"], sample["sample_id"], sample["unit"]) == (
        "healthkit",
        NUTRITION_APP,
        "A-1",
        "g",
    )
    assert sample["detail"] == {"mg": 95.0} and sample["user_entered"] is True


@pytest.mark.django_db
def test_an_export_over_the_api_body_limit_is_accepted_while_json_bodies_keep_it(auth_client, settings, tmp_path):
    """The general body limit (413) must not refuse an Apple Health export, which runs to hundreds of MB."""
    settings.HEALTH_IMPORT_DIR = str(tmp_path)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body, _ = export_bytes(days=60, zipped=False)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    upload = auth_client.post(EXPORTS, {"file": SimpleUploadedFile("export.xml", body)}, format="multipart")
    too_big = auth_client.post(
        "/api/v1/health/samples/", b'{"samples": "' + b"x" * len(body) + b'"}', content_type="application/json"
    )

    assert upload.status_code == 202, upload.content
    assert run_job(auth_client, upload)["status"] == "done"
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "payload_too_large"
