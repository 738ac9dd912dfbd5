"""Reads of agency import: sources due a poll, runs and what each did."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from .models import ImportRun, RunItem, Source


def source_list_due(*, now: datetime) -> QuerySet[Source]:
    return (
        Source.objects.filter(is_active=True)
        .exclude(url="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("pk")
    )


def run_list(*, source_id: int | None = None) -> QuerySet[ImportRun]:
    runs = ImportRun.objects.select_related("source", "user")
    if source_id is not None:
        runs = runs.filter(source_id=source_id)
    return runs


def run_items(*, run: ImportRun) -> QuerySet[RunItem]:
    return run.items.select_related("page").order_by("position")
