"""Run the scheduled work on invitations, guests and throttle rows: once (cron), or every N
seconds.

    manage.py lifecycle_run              # once; for cron, e.g. every 15 minutes
    manage.py lifecycle_run --every 60   # until stopped; make run starts this

Safe to run twice at once: every row is claimed with a conditional UPDATE.
"""

from __future__ import annotations

import time
from dataclasses import astuple
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from invitations.lifecycle import lifecycle_tick


class Command(BaseCommand):
    help = (
        "Send the invitation reminders and access-end warnings due now, end the access "
        "of customers whose date has come and delete spent throttle rows; with --every, "
        "keep doing it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Run again every SECONDS until interrupted (default: run once).",
        )

    def handle(self, *args: Any, every: float = 0, **options: Any) -> None:
        try:
            while True:
                if every:
                    # A long-running loop: drop connections past their age, as requests do.
                    close_old_connections()
                report = lifecycle_tick()
                if any(astuple(report)) or not every:
                    self.stdout.write(
                        f"Invitation reminders sent: {report.reminders}; "
                        f"access-end warnings: {report.access_warnings}; "
                        f"customers whose access ended: {report.access_ended}; "
                        f"spent throttle rows deleted: {report.throttle_rows_purged}"
                    )
                if not every:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            return  # Ctrl-C under make run: a clean stop
