"""Background work of the audience app."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from . import services


@task()
def audience_tick() -> dict:
    """Persist, roll, restore and prune (see services.audience_tick)."""
    return services.audience_tick(now=timezone.now())
