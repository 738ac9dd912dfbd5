"""Import an agency file into drafts: manage.py agency_import --source ID FILE."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from broadsheet.agency import services
from broadsheet.agency.limits import limit
from broadsheet.agency.models import RunStatus, Source, Trigger


class Command(BaseCommand):
    help = "Import an RSS, Atom or ninjs file of an agency source into draft articles."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, required=True, help="The source's id.")
        parser.add_argument("file", type=Path)

    def handle(self, *args, source: int, file: Path, **options) -> None:
        found = Source.objects.select_related("section").filter(pk=source).first()
        if found is None:
            raise CommandError(f"No agency source with id {source}.")
        try:
            with file.open("rb") as handle:
                data = handle.read(limit("MAX_DOCUMENT_BYTES") + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        run = services.document_import(
            source=found, data=data, trigger=Trigger.COMMAND, document=file.name
        )
        self.stdout.write(
            f"run {run.pk}: {run.get_status_display()}; created {run.created_count}, "
            f"updated {run.updated_count}, unchanged {run.unchanged_count}, "
            f"failed {run.failed_count}"
        )
        for item in run.items.filter(outcome="failed"):
            self.stdout.write(f"  item {item.position} {item.guid}: {item.message}")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.error)
