"""Compose the coming digests, send the issues that are due, revive stalled sends.

Run it every minute (cron or a systemd timer), like Wagtail's publish_scheduled."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from broadsheet.newsletters.tasks import newsletters_tick


class Command(BaseCommand):
    help = "Compose due digests, start scheduled issues and revive stalled sends."

    def handle(self, *args, **options) -> None:
        result = newsletters_tick()
        result["revived"] = {str(k): v for k, v in result["revived"].items()}
        self.stdout.write(json.dumps(result))
