"""Grant the newsroom's Editors and Admins their agency import permissions."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from broadsheet.agency.services import agency_setup


class Command(BaseCommand):
    help = "Grant the newsroom groups (setup_newsroom) their agency import permissions."

    def handle(self, *args, **options) -> None:
        agency_setup()
        self.stdout.write("agency permissions granted")
