"""A weekly digest for every edition, and the newsroom groups' newsletter permissions."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from broadsheet.newsletters.services import newsletters_setup
from broadsheet.newsroom.models import EditionPage


class Command(BaseCommand):
    help = "Create each edition's weekly digest (if missing) and grant newsletter permissions."

    def handle(self, *args, **options) -> None:
        editions = EditionPage.objects.filter(depth=2).select_related("locale")
        for newsletter in newsletters_setup(editions=list(editions)):
            self.stdout.write(f"created {newsletter}")
