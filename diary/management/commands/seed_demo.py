"""``manage.py seed_demo``: create or refresh the demo account and print how to try the API with it."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diary.demo import DEFAULT_DAYS, DEMO_EMAIL, demo_user_seed


class Command(BaseCommand):
    help = (
        f"Create or refresh the demo user ({DEMO_EMAIL}) with about {DEFAULT_DAYS} days of realistic diary "
        "data ending today, and print its login, a fresh API token and URLs to try. Safe to run again: "
        "the demo diary is rewritten to exactly the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"Days of diary (default {DEFAULT_DAYS}).")
        parser.add_argument("--quiet", action="store_true", help="Print only the API token, for scripts.")
        parser.add_argument(
            "--base-url",
            default=settings.PUBLIC_BASE_URL,
            help="Where the server will listen, for the printed links (default PUBLIC_BASE_URL).",
        )

    def handle(self, *args: Any, days: int, quiet: bool, base_url: str, **options: Any) -> None:
        # A demo account has a published password: it must never exist on a real server.
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production.")
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        began = time.monotonic()
        seed = demo_user_seed(days=days)
        elapsed = time.monotonic() - began
        if quiet:
            self.stdout.write(seed.token)
            return
        rows = ", ".join(f"{count} {name}" for name, count in seed.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo diary ready in {elapsed:.1f} s: {rows}."))
        self.stdout.write(f"""
Log in as   {seed.user.email}
Password    {seed.password}
API token   {seed.token}   (device "seed_demo"; replaces the previous one)

Try:
  {base_url}/api/docs/
  {base_url}/api/v1/episodes/
  {base_url}/api/v1/sync/
  {base_url}/healthz

  curl -H "Authorization: Token {seed.token}" {base_url}/api/v1/sync/
""")
