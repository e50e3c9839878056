"""Simulated phones for the load test (bench/load.py runs this file with locust, headless).

Each simulated phone signs in once (half register a new account, half log in to an account
bench/load.py created beforehand), which gives it one device token. Then, with a short pause
between actions, it does what the app does: logs an episode over REST, syncs the WatermelonDB
way (pull since its last pull, then push a mix of episodes, caffeine, sleep and stress), and
reads its insights, flags, lists and profile.

The phone keeps its own tally of what the server accepted: each record it got a 2xx for, per
table, and each account and device token. It also checks that every pull hands back every
record it wrote since its previous pull (a pull must never miss a change). At the end it
writes the tally, every response time and every failure to the JSON file named by
LOAD_RESULTS, for bench/load.py to report and compare with the database.

This file runs under locust's gevent, so it imports nothing from Django.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PASSWORD = "load-test-passphrase-1"
RUN = os.environ.get("LOAD_RUN_ID", "run")
# Accounts bench/load.py made for the phones that log in: {"emails": [...]}.
LOGIN_ACCOUNTS: list[str] = json.loads(os.environ.get("LOAD_LOGIN_ACCOUNTS", '{"emails": []}'))["emails"]
BODY_SITES = ["left_index", "left_middle", "left_thumb", "right_ring", "right_little", "left_eyelid"]
DRINKS = ["espresso", "brewed_coffee", "black_tea", "cola"]
PUSHED_TABLES = ("episodes", "caffeine_intakes", "sleep_logs", "stress_logs")

_phone_numbers = itertools.count()
_started = time.monotonic()
_response_times: dict[str, list[float]] = defaultdict(list)
_failures: Counter[str] = Counter()
_failure_samples: list[str] = []
# What the server said it stored (a 2xx), per table, plus "users" and "device_tokens".
_accepted: Counter[str] = Counter()
_missed_in_pull: list[str] = []


@events.request.add_listener
def _on_request(name: str, response_time: float, exception: Any, **_: Any) -> None:
    _response_times[name].append(response_time)
    if exception is not None:
        _failures[name] += 1
        if len(_failure_samples) < 20:
            _failure_samples.append(f"{name}: {exception}")


@events.test_start.add_listener
def _on_start(**_: Any) -> None:
    global _started
    _started = time.monotonic()


@events.quitting.add_listener
def _on_quitting(**_: Any) -> None:
    path = os.environ.get("LOAD_RESULTS")
    if not path:
        return
    with Path(path).open("w") as out:
        json.dump(
            {
                "seconds": time.monotonic() - _started,
                "response_times_ms": _response_times,
                "failures": _failures,
                "failure_samples": _failure_samples,
                "accepted": _accepted,
                "missed_in_pull": _missed_in_pull,
            },
            out,
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Phone(FastHttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.number = next(_phone_numbers)
        self.token = ""
        self.ids = itertools.count()
        self.rng = random.Random(self.number)
        self.last_pulled_at: int | None = None
        # Records this phone stored since its last pull, which the next pull must hand back.
        self.unpulled: dict[str, set[str]] = defaultdict(set)
        if self.number % 2 and self.number // 2 < len(LOGIN_ACCOUNTS):
            self._sign_in(
                "/api/v1/auth/login/",
                {"email": LOGIN_ACCOUNTS[self.number // 2], "password": PASSWORD, "device_name": "phone"},
                expect=200,
            )
        else:
            body = {
                "email": f"load-{RUN}-{self.number}@example.org",
                "password": PASSWORD,
                "display_name": f"Phone {self.number}",
                "timezone": self.rng.choice(["Europe/London", "America/New_York", "Asia/Tokyo", "UTC"]),
                "device_name": "phone",
            }
            if self._sign_in("/api/v1/auth/register/", body, expect=201):
                _accepted["users"] += 1

    def _sign_in(self, path: str, body: dict[str, Any], *, expect: int) -> bool:
        with self.client.post(path, json=body, name=f"POST {path[7:]}", catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return False
            self.token = response.json()["token"]
            _accepted["device_tokens"] += 1
        return True

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def _new_id(self) -> str:
        return f"p{self.number}r{next(self.ids)}"

    def _call(self, method: str, path: str, name: str, expect: int, body: Any = None) -> Any:
        """One request; anything but ``expect`` counts as a failure. Returns the JSON answer or None."""
        if not self.token:
            return None
        with self.client.request(
            method, path, json=body, headers=self._headers(), name=name, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json() if response.text else {}

    @task(4)
    def log_episode(self) -> None:
        client_id = self._new_id()
        started = datetime.now(UTC) - timedelta(minutes=self.rng.randrange(1, 600))
        body = {
            "id": client_id,
            "started_at": _iso(started),
            "duration_s": self.rng.randrange(1, 300),
            "body_sites": self.rng.sample(BODY_SITES, self.rng.randrange(1, 3)),
            "character": self.rng.choice(["twitch", "spasm_cramp", "jerk"]),
            "intensity": self.rng.randrange(1, 11),
            "context": self.rng.choice(["at_rest", "holding_posture", "during_action"]),
            "symptoms": ["tingling"] if self.rng.random() < 0.2 else [],
            "notes": "",
        }
        if self._call("POST", "/api/v1/episodes/", "POST /episodes/", 201, body) is not None:
            _accepted["episodes"] += 1
            self.unpulled["episodes"].add(client_id)

    @task(3)
    def sync(self) -> None:
        """WatermelonDB's synchronize(): pull since the last pull, then push local changes."""
        since = "null" if self.last_pulled_at is None else str(self.last_pulled_at)
        pulled = self._call("GET", f"/api/v1/sync/?last_pulled_at={since}&schema_version=1", "GET /sync/ (pull)", 200)
        if pulled is None:
            return
        for table, ids in self.unpulled.items():
            changes = pulled["changes"].get(table, {})
            seen = {r["id"] for r in changes.get("created", [])} | {r["id"] for r in changes.get("updated", [])}
            _missed_in_pull.extend(f"{table}:{i}" for i in sorted(ids - seen))
        self.unpulled.clear()
        self.last_pulled_at = pulled["timestamp"]
        push = self._mixed_records()
        applied = self._call(
            "POST", f"/api/v1/sync/?last_pulled_at={self.last_pulled_at}", "POST /sync/ (push)", 200, push
        )
        if applied is not None:
            for table, changes in push.items():
                _accepted[table] += len(changes["created"])
                self.unpulled[table].update(r["id"] for r in changes["created"])

    def _mixed_records(self) -> dict[str, dict[str, list[Any]]]:
        now = datetime.now(UTC)
        tables: dict[str, list[dict[str, Any]]] = {name: [] for name in PUSHED_TABLES}
        for _ in range(self.rng.randrange(4, 13)):
            at = now - timedelta(minutes=self.rng.randrange(5, 24 * 60))
            table = self.rng.choice(list(tables))
            record: dict[str, Any] = {"id": self._new_id(), "_status": "created", "_changed": ""}
            if table == "episodes":
                record |= {
                    "started_at": _ms(at),
                    "duration_s": self.rng.randrange(1, 300),
                    "body_sites": json.dumps(self.rng.sample(BODY_SITES, 2)),
                    "character": "twitch",
                    "intensity": self.rng.randrange(1, 11),
                    "context": "at_rest",
                    "symptoms": json.dumps([]),
                    "notes": None,
                }
            elif table == "caffeine_intakes":
                record |= {"consumed_at": _ms(at), "drink": self.rng.choice(DRINKS), "servings": 1.5, "mg": None}
            elif table == "sleep_logs":
                record |= {
                    "bed_at": _ms(at - timedelta(hours=self.rng.randrange(4, 10))),
                    "woke_at": _ms(at),
                    "quality": self.rng.randrange(1, 6),
                }
            else:
                record |= {"recorded_at": _ms(at), "level": self.rng.randrange(0, 11)}
            tables[table].append(record)
        return {name: {"created": records, "updated": [], "deleted": []} for name, records in tables.items() if records}

    @task(2)
    def read_insights(self) -> None:
        self._call("GET", "/api/v1/insights/", "GET /insights/", 200)

    @task(1)
    def read_flags(self) -> None:
        self._call("GET", "/api/v1/flags/", "GET /flags/", 200)

    @task(2)
    def list_episodes(self) -> None:
        since = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._call("GET", f"/api/v1/episodes/?from={since}", "GET /episodes/", 200)

    @task(1)
    def list_caffeine(self) -> None:
        self._call("GET", "/api/v1/caffeine-intakes/", "GET /caffeine-intakes/", 200)

    @task(1)
    def read_profile(self) -> None:
        self._call("GET", "/api/v1/me/", "GET /me/", 200)
