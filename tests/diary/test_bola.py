"""Broken object-level authorisation, as one matrix over the URL conf (docs/architecture.md, "Promises and targets").

Every route under /api/v1/ that takes an id is found by walking the resolver, so a new
route is covered the day it is added, and the matrix fails until it knows how to give a
victim an object for that route. With the victim's ids, the attacker gets 404 for every
method and the victim's rows stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeviceToken, User
from accounts.services import device_token_create
from diary.tables import TABLES
from tests.builders import CHANGES, payload, store
from tests.routes import METHODS, Route, all_routes

API_PREFIX = "api/v1/"
MARKER = "victimmarker"


def body_text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def api_routes() -> list[Route]:
    return [route for route in all_routes() if route.path.startswith(API_PREFIX)]


ID_ROUTES = [route for route in api_routes() if route.parameters]
PLAIN_GET_ROUTES = [route for route in api_routes() if not route.parameters and "get" in route.allowed]


# --- How to give the victim an object behind each route -------------------------------


@dataclass
class Target:
    kwargs: dict[str, Any]  # the URL's parameters, naming the victim's object
    body: dict[str, Any]  # a valid body for the attacker's writes


# The victim's free text carries the marker, so a leak of their data shows in any response.
# (Ids do not: a 404 may rightly repeat the id the attacker asked for.)
MARKED_TEXT = {"episodes": "notes", "medications": "name", "medication_doses": "amount", "exercise_sessions": "kind"}


def _diary_target(table: str) -> Callable[[User, User], Target]:
    def build(victim: User, attacker: User) -> Target:
        marked = {MARKED_TEXT[table]: f"{MARKER} text"} if table in MARKED_TEXT else {}
        record = store(victim, table, client_id=f"victim-{table.replace('_', '-')}", **marked)
        return Target({"id": record.client_id}, payload(table, user=attacker, **CHANGES[table]))

    return build


def _device_target(victim: User, attacker: User) -> Target:
    device, _ = device_token_create(user=victim, device_name=f"{MARKER} phone")
    return Target({"device_id": device.public_id}, {})


def _flag_target(victim: User, attacker: User) -> Target:
    flag_model = apps.get_model("insights", "Flag")
    flag = flag_model.objects.create(
        user=victim,
        rule_id="R1",
        severity="see_doctor",
        title=f"{MARKER} flag",
        wording="Twitching for more than two weeks.",
        source="NHS, 'Twitching eyes and muscles'",
        fingerprint="left_hand",
    )
    return Target({"flag_id": flag.pk}, {})


def _report_job_target(victim: User, attacker: User) -> Target:
    now = timezone.now()
    job = apps.get_model("reports", "ReportJob").objects.create(
        user=victim,
        range_start=now.date() - timedelta(days=120),
        range_end=now.date(),
        status="done",
        pdf=MARKER.encode(),
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    return Target({"job_id": job.pk}, {})


def _health_export_job_target(victim: User, attacker: User) -> Target:
    job = apps.get_model("diary", "HealthExportJob").objects.create(
        user=victim, status="failed", error=f"{MARKER} error", created_at=timezone.now()
    )
    return Target({"job_id": job.pk}, {})


def _share_target(victim: User, attacker: User) -> Target:
    from insights.reports.services import share_create

    share, _ = share_create(
        user=victim, start=timezone.now().date() - timedelta(days=30), end=timezone.now().date(), note=f"{MARKER} note"
    )
    return Target({"share_id": share.pk}, {})


def _experiment_target(victim: User, attacker: User) -> Target:
    from insights.experiments.services import experiment_start

    experiment = experiment_start(user=victim, trigger="caffeine", weeks=4)
    return Target({"experiment_id": experiment.client_id}, {})


HANDLERS: dict[str, Callable[[User, User], Target]] = {
    **{f"{spec.route}-detail": _diary_target(name) for name, spec in TABLES.items()},
    "device-detail": _device_target,
    "flag-acknowledge": _flag_target,
    "flag-seen-doctor": _flag_target,
    "report-job": _report_job_target,
    "report-job-pdf": _report_job_target,
    "share-detail": _share_target,
    "health-export-job": _health_export_job_target,
    "experiment-detail": _experiment_target,
    "experiment-stop": _experiment_target,
}


def snapshot(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model that belongs to the user, as stored."""
    rows: dict[str, list[dict[str, Any]]] = {}
    # A model whose migration is still being written has no table and so no rows to compare.
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                rows[f"{model._meta.label}.{field.name}"] = list(
                    model._default_manager.filter(**{field.name: user}).order_by("pk").values()
                )
    return rows


@pytest.fixture
def victim(make_user: Callable[..., User]) -> User:
    return make_user(email=f"{MARKER}@example.org", display_name=f"{MARKER} Vic")


@pytest.fixture
def attacker(make_user: Callable[..., User]) -> User:
    return make_user(email="mallory@example.org")


# --- The matrix -------------------------------------------------------------------------


def test_every_api_route_with_an_id_is_covered_by_the_matrix():
    unhandled = sorted(f"{route.name} ({route.path})" for route in ID_ROUTES if route.name not in HANDLERS)

    assert not unhandled, f"routes with an id that the BOLA matrix cannot test yet: {unhandled}"
    assert {f"{spec.route}-detail" for spec in TABLES.values()} <= {route.name for route in ID_ROUTES}


# Methods that take no object id in their path and act only on the caller's own account,
# so the matrix has no victim's object to aim them at. Where ids come in the body instead,
# the test named beside them gives the attacker another user's ids.
CALLER_ONLY: dict[str, dict[str, str]] = {
    "register": {"post": "creates a new account; public"},
    "login": {"post": "a device token for the credentials given; public"},
    "logout": {"post": "ends the caller's own device token"},
    "logout-all": {"post": "ends the caller's own device tokens"},
    "password-change": {"post": "the caller's own password"},
    "password-reset": {"post": "an email to the address given, answered alike for every address; public"},
    "password-reset-confirm": {"post": "the signed code names the account; tests/accounts/test_security.py"},
    "me": {"patch": "the caller's own profile"},
    "email-confirm": {
        "post": "the signed code names the account and address; tests/accounts/test_hardening_accounts.py"
    },
    "email-resend": {"post": "a link to the caller's own address"},
    "email-change": {"post": "the caller's own address, with their password"},
    "account-delete": {"post": "the caller's own account; test_deleting_an_account_leaves_no_row_of_that_user"},
    "sync": {"post": "ids in the body: tests/diary/test_sync.py, pushing another user's ids"},
    "health-samples": {
        "post": "store ids in the body are the caller's own: test_one_users_samples_never_touch_another_users_diary"
    },
    "health-export-list": {"post": "a new import into the caller's own diary"},
    "share-list": {"post": "a new share of the caller's own diary"},
    "experiment-list": {"post": "starts the caller's own experiment; no id is taken"},
    **{
        f"{spec.route}-list": {
            "post": "ids in the body: test_creating_with_an_id_another_user_uses_makes_my_own_record"
        }
        for spec in TABLES.values()
    },
}

# Routes outside the per-user API. Their token or the staff login is the authorisation:
# there is no other user's id to try.
OUTSIDE_THE_API = {
    "schema": "the OpenAPI schema, the same for everyone",
    "docs": "Swagger UI, the same for everyone",
    "healthz": "the state of the database, cache and broker",
    "summaries-unsubscribe": "a signed token names the account; tests/insights/summaries/test_unsubscribe.py",
    "summaries-open": "the same page for everyone, reads no data; tests/insights/summaries/test_weekly_email.py",
    "share-page": "a random token names the share; tests/insights/reports/test_shares.py",
    "share-pdf": "a random token names the share; tests/insights/reports/test_shares.py",
}


def _unaccounted(route: Route) -> set[str]:
    """The methods of a route that no test here sends another user's ids to, and no list explains."""
    if route.name in OUTSIDE_THE_API or route.name in HANDLERS:
        return set()
    if not route.path.startswith(API_PREFIX) or not route.allowed:
        return {"every method"}  # a new page outside the API, or a view that does not say its methods
    exercised = {"get"} if route.path in {r.path for r in PLAIN_GET_ROUTES} else set()
    return set(route.allowed) - exercised - set(CALLER_ONLY.get(route.name, {}))


def test_every_route_in_the_url_conf_is_in_the_matrix_or_listed_with_its_reason():
    # The admin is staff only, every page of it: tests/accounts/test_admin.py.
    routes = [route for route in all_routes() if not route.path.startswith(settings.ADMIN_URL)]
    uncovered = sorted(f"{r.name} {sorted(_unaccounted(r))} ({r.path})" for r in routes if _unaccounted(r))
    stale = sorted((set(CALLER_ONLY) | set(OUTSIDE_THE_API)) - {route.name for route in routes})

    assert not uncovered, f"routes neither in the BOLA matrix nor listed with a reason: {uncovered}"
    assert not stale, f"listed routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", [r for r in ID_ROUTES if r.name in HANDLERS], ids=lambda r: r.name)
@pytest.mark.parametrize("method", METHODS)
def test_another_users_id_is_a_404_and_changes_nothing_of_theirs(client_for, victim, attacker, route, method):
    target = HANDLERS[route.name](victim, attacker)
    before = snapshot(victim)
    client = client_for(attacker)

    response = getattr(client, method)(reverse(route.name, kwargs=target.kwargs), target.body, format="json")

    expected = 404 if method in route.allowed else 405
    assert response.status_code == expected, (route.path, method, body_text(response))
    assert MARKER not in body_text(response)
    assert snapshot(victim) == before


@pytest.mark.parametrize("route", PLAIN_GET_ROUTES, ids=lambda r: r.name)
def test_no_list_or_read_endpoint_shows_anything_of_another_user(client_for, victim, attacker, route):
    for build in {id(h): h for h in HANDLERS.values()}.values():
        build(victim, attacker)
    for table in TABLES:
        store(attacker, table, client_id=f"mine-{table.replace('_', '-')}")

    response = client_for(attacker).get(f"/{route.path}")

    # Bytes, not text: the exports answer with a zip, a PDF or a stream.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code < 500, body
    assert MARKER.encode() not in body
    assert b"victim-" not in body


@pytest.mark.parametrize("table", list(TABLES))
def test_diary_lists_hold_exactly_my_own_records(client_for, victim, attacker, table):
    store(victim, table, client_id="shared-id")
    store(victim, table, client_id="victims-only")
    mine = store(attacker, table, client_id="shared-id")

    response = client_for(attacker).get(f"/api/v1/{TABLES[table].route}/")

    assert [item["id"] for item in response.json()["results"]] == ["shared-id"]
    assert (
        response.json()["results"][0]["updated_at"]
        == client_for(attacker).get(f"/api/v1/{TABLES[table].route}/shared-id/").json()["updated_at"]
    )
    assert mine.user_id == attacker.pk


@pytest.mark.parametrize("table", list(TABLES))
def test_creating_with_an_id_another_user_uses_makes_my_own_record_and_leaves_theirs(
    client_for, victim, attacker, table
):
    taken = store(victim, table, client_id="taken-id").client_id
    before = snapshot(victim)

    response = client_for(attacker).post(
        f"/api/v1/{TABLES[table].route}/", payload(table, user=attacker, id=taken, **CHANGES[table]), format="json"
    )

    assert response.status_code == 201, response.json()
    assert snapshot(victim) == before
    assert TABLES[table].model.objects.get(user=attacker, client_id=taken).deleted_at is None


def test_a_dose_cannot_point_at_another_users_medication(client_for, victim, attacker):
    store(victim, "medications", client_id="victims-medication")

    response = client_for(attacker).post(
        "/api/v1/medication-doses/",
        payload("medication_doses", user=attacker, medication_id="victims-medication"),
        format="json",
    )

    assert response.status_code == 400
    assert "medication_id" in response.json()["error"]["fields"]
    assert not TABLES["medication_doses"].model.objects.filter(user=attacker, medication__user=victim).exists()


def test_revoking_another_users_device_leaves_it_working(client_for, victim, attacker):
    device, _ = device_token_create(user=victim, device_name="phone")

    response = client_for(attacker).delete(f"/api/v1/auth/devices/{device.public_id}/")

    assert response.status_code == 404
    assert DeviceToken.objects.filter(pk=device.pk).exists()
