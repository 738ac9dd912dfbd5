"""Wagtail's database search backend, stemmed in each edition's language on PostgreSQL.

Wagtail's PostgreSQL backend uses one text search configuration for every object. A newsroom
with a Spanish edition needs "corrieron" to find "correr", so each object is indexed with the
configuration of its locale's language and each query is parsed with the configuration of the
active language (the edition being searched). SQLite and other databases keep Wagtail's own
backend unchanged.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from django.db import connection
from django.utils.translation import get_language
from modelsearch.backends import database
from modelsearch.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)

# PostgreSQL text search configurations by language (the part before the region).
POSTGRES_CONFIGS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "pt": "portuguese",
    "de": "german",
    "it": "italian",
    "ca": "simple",
}


def postgres_config_for_language(language_code: str | None) -> str:
    language = (language_code or "").split("-")[0].lower()
    return POSTGRES_CONFIGS.get(language, "simple")


def _config_for_object(obj) -> str:
    locale = getattr(obj, "locale", None)
    return postgres_config_for_language(locale.language_code if locale else None)


class EditionIndex(PostgresIndex):
    def add_items(self, model, objs):
        by_config = defaultdict(list)
        for obj in objs:
            by_config[_config_for_object(obj)].append(obj)
        shared_backend = self.backend
        try:
            for config, group in by_config.items():
                self.backend = copy.copy(shared_backend)
                self.backend.config = config
                super().add_items(model, group)
        finally:
            self.backend = shared_backend


class EditionQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend):
        return postgres_config_for_language(get_language())


class EditionPostgresSearchBackend(PostgresSearchBackend):
    index_class = EditionIndex
    query_compiler_class = EditionQueryCompiler
    autocomplete_query_compiler_class = PostgresAutocompleteQueryCompiler


def SearchBackend(params):  # noqa: N802  (the name Wagtail looks up)
    if connection.vendor == "postgresql":
        return EditionPostgresSearchBackend(params)
    return database.SearchBackend(params)
