"""Background work of agency import (django_tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from . import services
from .models import Source


@task()
def poll_source(*, source_id: int) -> dict:
    source = Source.objects.select_related("section").filter(pk=source_id).first()
    if source is None:
        return {"source": source_id, "status": "gone"}
    run = services.source_poll(source=source)
    return {"source": source_id, "run": run.pk, "status": run.status}


def agency_tick(*, now=None, enqueue: bool = True) -> list[int]:
    """Claim every source due a poll and poll it: in the task worker (enqueue) or here."""
    claimed = services.sources_claim_due(now=now or timezone.now())
    for source_id in claimed:
        if enqueue:
            poll_source.enqueue(source_id=source_id)
        else:
            poll_source.call(source_id=source_id)
    return claimed


@task()
def poll_due_sources() -> list[int]:
    return agency_tick(enqueue=False)
