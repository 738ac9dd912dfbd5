"""Write the API's OpenAPI document to broadsheet/api/openapi.json (or check it is current)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from broadsheet.api.schema import SCHEMA_FILE, schema_document


def schema_text() -> str:
    return json.dumps(schema_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI 3.1 schema to broadsheet/api/openapi.json (--check: compare)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if the file is stale")

    def handle(self, *args, check: bool = False, **options):
        text = schema_text()
        if check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text:
                raise CommandError("broadsheet/api/openapi.json is stale: run manage.py api_schema")
            self.stdout.write("openapi.json is current")
            return
        SCHEMA_FILE.write_text(text)
        self.stdout.write(f"wrote {SCHEMA_FILE}")
