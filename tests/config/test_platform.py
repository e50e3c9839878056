"""The platform under the API: schema, error documentation, health check, settings and Celery."""

from __future__ import annotations

import subprocess
import sys

import pytest
from celery.utils.imports import symbol_by_name
from django.core.management import call_command
from django.test import override_settings
from django_celery_beat.schedulers import DatabaseScheduler
from drf_spectacular.generators import SchemaGenerator

from config.celery_app import app as celery_app
from tests.config.production_env import PRODUCTION_ENV


def test_the_schema_validates_with_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_every_documented_error_response_has_the_error_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    error_ref = "#/components/schemas/Error"
    assert schema["components"]["schemas"]["Error"]["properties"]["error"]["$ref"] == "#/components/schemas/ErrorDetail"
    assert set(schema["components"]["schemas"]["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    refs = [c["schema"].get("$ref") for c in response.get("content", {}).values()]
                    assert refs and all(ref == error_ref for ref in refs), (method, path, code)
                    checked += 1
            if path.startswith("/api/v1/") and operation.get("security") != [{}]:
                assert "401" in operation["responses"], (method, path)
    assert checked > 50


def test_an_operation_without_authentication_documents_no_401_or_403():
    # Login, register and the reset requests never look at a token, so they cannot answer 401.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    public = [
        (method, path, operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == [{}]
    ]
    assert len(public) == 5  # register, login, password reset and its confirmation, email confirmation
    for method, path, responses in public:
        assert "401" not in responses and "403" not in responses, (method, path)


def test_a_tremor_recordings_analysis_fields_are_documented_as_null_until_analysed():
    # schemathesis found an unanalysed recording's nulls against a schema that forbade them.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["TremorRecording"]["properties"]
    for name in ("analysed_at", "dominant_hz", "power", "rhythmicity", "rhythmic", "amplitude"):
        assert fields[name].get("nullable") is True, name
    assert not fields["description"].get("nullable")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        # schemathesis found an unknown table named "\ud800" a 500: the error message echoing it
        # could not be encoded; in a note it would have reached PostgreSQL.
        ("/api/v1/sync/", '{"\\ud800": {}}'),
        ("/api/v1/stress-logs/", '{"recorded_at": "2026-01-01T00:00:00Z", "level": 3, "id": "a\\udfff"}'),
    ],
)
def test_a_json_string_with_an_unpaired_surrogate_is_a_400_parse_error(auth_client, path, body):
    response = auth_client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.django_db
def test_a_json_escaped_surrogate_pair_is_text_like_any_other(auth_client, user):
    body = '{"name": "Vitamin D \\ud83d\\ude00"}'

    response = auth_client.generic("POST", "/api/v1/medications/", body, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "Vitamin D \U0001f600"


@pytest.mark.django_db
def test_healthz_reports_the_database_cache_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "broker"}
    assert checks["database"]["status"] == "ok"
    assert checks["cache"]["status"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert checks["broker"]["status"].startswith(expected_broker)


@pytest.mark.django_db
def test_healthz_says_503_when_a_dependency_is_down(client):
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
        }
    ):
        # Nothing listens on port 1: the cache is down.
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"].startswith("error")


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_URL", "carrier-pigeon://x"),
        ("DJANGO_ENV", "staging"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.org/"),
        ("CORS_ALLOWED_ORIGINS", "app.example.org"),
        ("NUM_PROXIES", "one"),
        ("THROTTLE_LOGIN_IP", "thirty a minute"),
    ],
)
def test_a_malformed_setting_stops_start_up_and_names_the_variable(variable, value):
    result = _settings_import({variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_mode_needs_a_real_secret_key():
    result = _settings_import({"DJANGO_ENV": "production", "DJANGO_ALLOWED_HOSTS": "api.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_production_mode_passes_the_deploy_checks():
    result = _deploy_check(PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_hashes_passwords_with_argon2_alone():
    # The suite itself runs with a fast hasher (DJANGO_ENV=test); production must not.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password\n"
        "print(settings.PASSWORD_HASHERS)\n"
        "print(make_password('a-long-enough-passphrase').split('$')[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=PRODUCTION_ENV, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['django.contrib.auth.hashers.Argon2PasswordHasher']", "argon2"]


@pytest.mark.slow
def test_the_deploy_check_fails_on_a_single_warning():
    # Turning HSTS off is one warning (security.W004) and nothing else: it must fail the check.
    result = _deploy_check({**PRODUCTION_ENV, "DJANGO_SECURE_HSTS_SECONDS": "0"})

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_celery_is_configured_for_safe_delivery():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    # The schedule lives in the database; the scheduler also keeps beat's liveness file fresh.
    assert issubclass(symbol_by_name(conf.beat_scheduler), DatabaseScheduler)
    routes = conf.task_routes
    assert {routes[pattern]["queue"] for pattern in routes} == {"insights", "email", "reports"}
