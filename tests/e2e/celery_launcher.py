"""Run the `celery` command line (worker or beat) for the end-to-end tests, with test-only hooks.

    python -m tests.e2e.celery_launcher -A config worker -Q insights ...

It is `celery` itself, started after three optional hooks that the tests switch on through
the environment, so that nothing of them lives in product code:

- ``E2E_TRAVEL_TO`` (an ISO 8601 instant): the process's clock starts there and ticks on
  (time-machine), for beat and workers that must believe it is Monday morning.
- ``E2E_STALL_STORE_SECONDS``: the first recompute of each user stops for that long inside
  its storing transaction, after the state row is written and before the flags are, and
  says so in Redis (``e2e:store-started:<user id>`` counts the attempts to store,
  ``e2e:store-pid:<user id>`` names the pool process). A test kills the worker there.
- ``E2E_RESTORE_EVERY_SECOND``: the worker looks for unacknowledged messages whose
  visibility timeout has passed every second rather than kombu's default of roughly every
  100 seconds, so a test with a short visibility timeout sees the redelivery promptly.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from typing import Any

STALL_KEY = "e2e:store-started:{user_id}"
PID_KEY = "e2e:store-pid:{user_id}"


def _travel() -> None:
    travel_to = os.environ.get("E2E_TRAVEL_TO")
    if travel_to:
        import time_machine

        # Started and never stopped: the whole process, and the pool processes it forks, live
        # at the travelled time. tick=True keeps the clock moving, as beat needs it to.
        time_machine.travel(datetime.fromisoformat(travel_to), tick=True).start()


def _stall_the_first_store() -> None:
    seconds = float(os.environ.get("E2E_STALL_STORE_SECONDS") or 0)
    if not seconds:
        return
    import redis
    from django.conf import settings

    from insights import services

    store_flags = services._store_flags

    def stalling_store_flags(user: Any, results: Any) -> None:
        broker = redis.Redis.from_url(settings.REDIS_URL)
        attempt = broker.incr(STALL_KEY.format(user_id=user.pk))
        broker.set(PID_KEY.format(user_id=user.pk), os.getpid())
        if attempt == 1:
            print(f"e2e: recompute of user {user.pk} stalls for {seconds} s in pid {os.getpid()}", flush=True)
            time.sleep(seconds)
        store_flags(user, results)

    # insights_recompute looks _store_flags up in its module at each call, so the pool
    # processes forked from this one call the stalling version.
    services._store_flags = stalling_store_flags


def _restore_every_second() -> None:
    if not os.environ.get("E2E_RESTORE_EVERY_SECOND"):
        return
    from config.celery_app import app

    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


def main() -> None:
    _travel()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _stall_the_first_store()
    _restore_every_second()

    from celery.bin.celery import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
