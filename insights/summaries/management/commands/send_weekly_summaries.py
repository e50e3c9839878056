"""Send weekly summaries now, in this process: to one user, or to every user who is due.

    manage.py send_weekly_summaries                      # everyone due now (Monday 08:00+ local)
    manage.py send_weekly_summaries --user ann@example.org
    manage.py send_weekly_summaries --dry-run            # who would get one, nothing sent or stored

It goes through the same rows and claims as the beat job, so it never sends a week twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from insights.summaries import selectors, services
from insights.summaries.email_message import render_summary
from insights.summaries.weeks import due_weeks_by_timezone, week_to_send


class Command(BaseCommand):
    help = "Send this week's summary to one user (--user) or to every user who is due now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", metavar="EMAIL", help="send (or preview) this user's summary for this week")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; send and store nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["user"]:
            self._one(options["user"], dry_run=options["dry_run"])
        else:
            self._due(dry_run=options["dry_run"])

    def _one(self, email: str, *, dry_run: bool) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the email {email!r}.")
        if dry_run:
            week = week_to_send(timezone.now(), user.timezone)
            rendered = render_summary(user, week)
            self.stdout.write(f"Would send to {user.email}: {rendered.subject}\n\n{rendered.text}")
            return
        summary = services.summary_for_user(user=user)
        self._send([summary.pk])

    def _due(self, *, dry_run: bool) -> None:
        now = timezone.now()
        groups = due_weeks_by_timezone(now, selectors.summary_timezones())
        if not groups:
            self.stdout.write("Nobody is due: it is not Monday 08:00 or later in any user's timezone.")
            return
        if dry_run:
            for week, zones in groups.items():
                users = selectors.users_without_summary(timezones=zones, week=week)
                self.stdout.write(f"Week {week.label()}: {users.count()} users due in {len(zones)} timezones")
                for email, zone in users.values_list("email", "timezone").iterator():
                    self.stdout.write(f"  would send to {email} ({zone})")
            return
        summary_ids: list[int] = []
        services.summaries_dispatch(enqueue=summary_ids.append, now=now, after_commit=False)
        self._send(summary_ids)

    def _send(self, summary_ids: list[int]) -> None:
        total = len(summary_ids)
        outcomes: dict[str, int] = {}
        for number, summary_id in enumerate(summary_ids, start=1):
            try:
                outcome = services.summary_send(summary_id=summary_id)
            except services.TransientSendError as exc:
                # Left pending: the next hourly dispatch picks it up with the usual retries.
                outcome = f"not sent yet ({exc})"
            outcomes[outcome.split(" ")[0]] = outcomes.get(outcome.split(" ")[0], 0) + 1
            self.stdout.write(f"[{number}/{total}] summary {summary_id}: {outcome}")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to send"
        self.stdout.write(self.style.SUCCESS(f"Done: {summary}."))
