"""Poll the agency sources that are due. Run it every minute (cron), like publish_scheduled."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from broadsheet.agency.tasks import agency_tick


class Command(BaseCommand):
    help = "Poll the active agency sources whose interval has passed (in the task worker)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--here", action="store_true", help="Poll in this process, not in the task worker."
        )

    def handle(self, *args, here: bool, **options) -> None:
        claimed = agency_tick(enqueue=not here)
        self.stdout.write(json.dumps({"polled": claimed}))
