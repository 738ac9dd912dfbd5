"""Import or export a newsletter's subscribers as CSV (broadsheet/newsletters/transfer.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadsheet.newsletters import transfer
from broadsheet.newsletters.models import Newsletter


class Command(BaseCommand):
    help = (
        "import FILE: add a CSV of subscribers (ours, or a Mailchimp export) to a newsletter, "
        "all or nothing; rows with a consent time are confirmed as of then, the others get a "
        "confirmation email. export: write the newsletter's subscribers as CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("newsletter", help="the newsletter's slug")
        parser.add_argument("file", nargs="?", help="import: the CSV; export: where (default -)")
        parser.add_argument("--edition", default="en-us", help="its edition (default en-us)")
        parser.add_argument("--source", default="", help="import: the source of rows without one")
        parser.add_argument(
            "--format",
            choices=sorted(transfer.FORMATS),
            default="broadsheet",
            help="export: our columns, or Mailchimp's (confirmed subscribers only)",
        )

    def handle(self, *args, action, newsletter, file, edition, source, format, **options):
        found = Newsletter.objects.filter(slug=newsletter, locale__language_code=edition).first()
        if found is None:
            raise CommandError(f"No newsletter {newsletter!r} in the {edition} edition.")
        if action == "export":
            if file and file != "-":
                with open(file, "w", encoding="utf-8", newline="") as out:
                    written = transfer.subscribers_export(newsletter=found, out=out, style=format)
            else:
                written = transfer.subscribers_export(
                    newsletter=found, out=sys.stdout, style=format
                )
            self.stderr.write(f"{written} subscribers exported")
            return
        if not file:
            raise CommandError("Name the CSV file to import.")
        try:
            data = Path(file).read_bytes() if file != "-" else sys.stdin.buffer.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        report = transfer.subscribers_import(
            newsletter=found,
            data=data,
            default_source=source or f"import:{Path(file).name}"[: transfer.SOURCE_MAX],
            now=timezone.now(),
        )
        if not report.ok:
            for line, reason in report.errors:
                self.stderr.write(f"line {line}: {reason}")
            raise CommandError(f"{len(report.errors)} bad rows: nothing was imported.")
        self.stdout.write(
            f"confirmed {report.confirmed}, pending confirmation {report.pending}, "
            f"already subscribed {report.unchanged}, kept out (unsubscribed or suppressed) "
            f"{report.kept_out}"
        )
