"""Copy the live view counters to the history, move the rankings' windows, restore counters a
Redis flush lost, and prune old history.

Run it every minute (cron or a systemd timer), like Wagtail's publish_scheduled. With the
database store (no Redis) it only prunes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from broadsheet.audience import services


class Command(BaseCommand):
    help = "Persist the audience counters, move their windows, restore them after a flush."

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(services.audience_tick(now=timezone.now()), default=str))
