"""schemathesis over the whole OpenAPI schema: the API does what its schema promises.

The schema is the app's own (drf-spectacular at /api/schema/), fetched from the WSGI app in
process; every generated request goes through the same WSGI app, against the test database.
Each operation gets schema-valid and schema-violating requests, as the demo user with four
months of diary, a record in every table, flags, a second device, a share and a finished
report job, whose ids stand in for half the generated ones; every answer must be: no 5xx, a documented
status code, the documented content type and body, and a 4xx for data the schema forbids.
A second test sends every operation without a token and holds the answer to the schema's
security declarations.

Requests with side effects are kept from spoiling the examples after them, not skipped:
- logout, logout-all, device revoke and password change end sessions, so every example
  sends a token of its own, issued just before it;
- account delete and password change need the current password, which the fuzzer cannot
  produce, so they answer 400 here (their success paths are in tests/accounts);
- register, login and password reset are throttled per address and per account (429 is
  documented on every operation, and tests/accounts checks the throttles), so the cache that
  holds the counts is cleared before each example: otherwise the fuzzer would spend its
  examples on 429s instead of on the validation behind them. django-axes counts failed
  logins in the database, which each test's transaction rolls back; within a test a
  lock-out is a documented 429.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import device_token_create
from diary.demo import demo_user_seed
from diary.tables import CLIENT_ID_PATTERN, TABLES
from insights.experiments.services import experiment_start
from insights.models import Flag
from insights.reports.services import report_job_create, report_job_run, share_create
from insights.reports.tasks import build_report_pdf
from insights.services import insights_recompute
from tests.builders import populate_every_table, store

APP = get_wsgi_application()
# Generated examples per operation (on top of schemathesis' boundary cases): with -n 2 on
# PostgreSQL the file takes about two and a half minutes on a busy two-core machine.
EXAMPLES_PER_OPERATION = 40
# Every diary table holds a record with this id, so the {id} operations reach real rows too.
SEEDED_ID = "fuzz-seeded"

CONFIG = schemathesis.Config.from_dict(
    {
        # A fixed seed: CI explores the same requests on every run, so a failure is reproducible.
        "seed": 20240611,
        "generation": {
            "mode": "all",
            # The token is sent by the test, not generated: a random Authorization header
            # would make almost every example a 401.
            "with-security-parameters": False,
        },
        "checks": {
            # Schema-valid is not always acceptable: a wrong password, a time in the future or
            # the id of a medication the user does not have are refused by rules the schema
            # cannot express, with a documented 400.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=CONFIG)


# The rows each {id}-like path parameter can name besides random ids, filled in by the
# diary_user fixture before the examples run (the hook below reads it as each one is drawn).
SEEDED_PATH_VALUES: dict[str, Any] = {}
_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def _is_valid_path_value(name: str, value: Any) -> bool:
    if name in ("id", "experiment_id"):
        return isinstance(value, str) and re.fullmatch(CLIENT_ID_PATTERN, value) is not None
    if name == "flag_id":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Half the time, a valid generated id becomes the id of a seeded row that exists: a
    diary record, a flag, a device, a share or a report job of the signed-in user.

    Only a valid id is swapped, so a request made invalid on purpose stays invalid.
    """
    generated = path_parameters or {}
    seeded = {
        name: SEEDED_PATH_VALUES[name]
        for name, value in generated.items()
        if name in SEEDED_PATH_VALUES and _is_valid_path_value(name, value)
    }
    if not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**generated, **seeded}])


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction() -> Iterator[None]:
    # Django's WSGI handler closes the connection after each request, which would end the
    # test's transaction; its test client disconnects these signals for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def diary_user(db: None) -> User:
    # The demo account's four months, with the patterns the insights look for, then a record
    # in every table (the demo has no tremor recordings), one of them under SEEDED_ID.
    user = demo_user_seed().user
    populate_every_table(user)
    for table in TABLES:
        store(user, table, client_id=SEEDED_ID)
    # And one of each other kind of row a path can name: the demo diary's flags (its spread
    # raises some), a second device, a share, and a finished report job with its PDF.
    insights_recompute(user_id=user.pk)
    flag = Flag.objects.filter(user=user).order_by("pk").first()
    assert flag is not None, "the demo diary should raise a flag"
    device, _ = device_token_create(user=user, device_name="seeded device")
    today = timezone.localdate()
    share, _ = share_create(user=user, start=today - timedelta(days=30), end=today)
    job = report_job_create(user=user, start=today - timedelta(days=200), end=today, enqueue=build_report_pdf.delay)
    report_job_run(job_id=str(job.pk))
    experiment = experiment_start(user=user, trigger="caffeine", weeks=4)
    SEEDED_PATH_VALUES.update(
        experiment_id=experiment.client_id,
        id=SEEDED_ID,
        flag_id=flag.pk,
        device_id=str(device.public_id),
        share_id=str(share.pk),
        job_id=str(job.pk),
    )
    return user


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    # The per-test fixtures hold the seeded user, which is the point; and some operations
    # (PDFs, exports, insights) are slow by nature.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_the_schema_promises(case: schemathesis.Case, diary_user: User) -> None:
    cache.clear()
    _, token = device_token_create(user=diary_user, device_name="schemathesis")
    case.call_and_validate(headers={"Authorization": f"Token {token}"})


# --- Authentication: what the schema declares is what the API enforces ----------------------

_DUMMY_PATH_VALUES = {
    "id": SEEDED_ID,
    "flag_id": "1",
    "device_id": "00000000-0000-4000-8000-000000000000",
    "job_id": "00000000-0000-4000-8000-000000000000",
    "share_id": "00000000-0000-4000-8000-000000000000",
    "experiment_id": SEEDED_ID,
}


def _operations() -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [
        (method.upper(), path, operation.get("security", schema.raw_schema.get("security", [])))
        for path, methods in schema.raw_schema["paths"].items()
        for method, operation in methods.items()
    ]


OPERATIONS = _operations()


def _needs_token(security: list[dict[str, Any]]) -> bool:
    # [{}] or an empty list means no authentication; [{"knoxApiToken": []}, {}] means optional.
    return bool(security) and all(requirement for requirement in security)


@pytest.mark.parametrize(("method", "path", "security"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_that_needs_a_token_answers_401_without_one(
    method: str, path: str, security: list[dict[str, Any]], db: None
) -> None:
    url = path.format(**{name: value for name, value in _DUMMY_PATH_VALUES.items() if f"{{{name}}}" in path})

    response = APIClient().generic(method, url, data="{}", content_type="application/json")

    if _needs_token(security):
        assert response.status_code == 401, response.content
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        # Declared public (or token optional): it must answer without one.
        assert response.status_code not in (401, 403), response.content
        assert response.status_code < 500, response.content


def test_the_schema_declares_public_only_the_account_entry_points_and_reference_data() -> None:
    public = {f"{method} {path}" for method, path, security in OPERATIONS if not _needs_token(security)}

    assert public == {
        "POST /api/v1/auth/register/",
        "POST /api/v1/auth/login/",
        "POST /api/v1/auth/password/reset/",
        "POST /api/v1/auth/password/reset/confirm/",
        "POST /api/v1/auth/email/confirm/",
        "GET /api/v1/catalogues/body-sites/",
        "GET /api/v1/catalogues/drinks/",
        "GET /api/v1/catalogues/medicines/",
        "GET /api/v1/catalogues/terms/",
        "GET /api/v1/insights/causes/",
    }


def test_every_security_scheme_the_schema_declares_is_one_its_operations_use() -> None:
    used = {name for _, _, security in OPERATIONS for requirement in security for name in requirement}

    assert set(schema.raw_schema["components"]["securitySchemes"]) == used == {"knoxApiToken"}
