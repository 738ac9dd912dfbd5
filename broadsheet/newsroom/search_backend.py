"""Wagtail's database search backend, accent-insensitive and stemmed in each edition's language.

Wagtail's backends use one text configuration for every object. A newsroom with a Spanish
edition needs "corrieron" to find "correr" and "sequia" (typed without its accent) to find
"sequía", so each object is indexed in the language of its locale and each query is parsed in
the active language (the edition being searched):

- PostgreSQL: the text search configurations `broadsheet_<language>` (migration 0004: the
  language's own configuration with `unaccent` before its stemmer).
- SQLite (the demo): FTS5 has no stemmer, so the text is folded (accents and case) and stemmed
  with Snowball here (search_words), before it is stored in the index, and each query term is
  folded and stemmed the same way (search_sqlite.py). Only words reach FTS5's query parser,
  never the reader's quotes or operators, so any input is a valid query.
"""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from collections import defaultdict

import snowballstemmer
from django.db import connection
from django.utils.translation import get_language
from modelsearch.backends import database
from modelsearch.backends.database.postgres.postgres import (
    PostgresAutocompleteQueryCompiler,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)

# Snowball stemmers by language (the part of the language code before the region); a language
# without one is only folded. PostgreSQL's configurations carry the same names.
STEMMER_LANGUAGES = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "pt": "portuguese",
    "de": "german",
    "it": "italian",
}


def _language(language_code: str | None) -> str:
    return (language_code or "").split("-")[0].lower()


def postgres_config_for_language(language_code: str | None) -> str:
    """The configuration made by migration 0004 for this language (unaccent, then its stemmer)."""
    return f"broadsheet_{STEMMER_LANGUAGES.get(_language(language_code), 'simple')}"


def language_of(obj) -> str | None:
    locale = getattr(obj, "locale", None)
    return locale.language_code if locale else None


# --- folding and stemming, for SQLite ---------------------------------------------------------

# Letters and digits: what FTS5's unicode61 tokenizer keeps, so the words we store are the
# tokens it sees.
_WORD = re.compile(r"[^\W_]+")
# Snowball stemmers keep state between calls: one set per thread (runserver and the task
# worker index and search from several threads).
_stemmers = threading.local()


def search_fold(text: str) -> str:
    """Lower case without accents: "Sequía" -> "sequia", "Ñandú" -> "nandu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stemmer(language_code: str | None):
    name = STEMMER_LANGUAGES.get(_language(language_code))
    if name is None:
        return None
    cache = getattr(_stemmers, "by_name", None)
    if cache is None:
        cache = _stemmers.by_name = {}
    if name not in cache:
        cache[name] = snowballstemmer.stemmer(name)
    return cache[name]


def search_words(text: str, *, language_code: str | None) -> list[str]:
    """The folded, stemmed words of a text, as they are indexed and searched for.

    Folding comes first so that a word typed with or without its accents stems alike
    (Snowball's Spanish stemmer gives "sequ" for "sequía" but "sequi" for "sequia").
    """
    words = _WORD.findall(search_fold(text))
    stemmer = _stemmer(language_code)
    return stemmer.stemWords(words) if stemmer else words


def query_term_variants(text: str, *, language_code: str | None) -> list[tuple[str, ...]]:
    """Each word of a query with what it may be indexed as: its stem in the language searched,
    and the folded word itself (for objects indexed without a stemmer, such as images)."""
    folded = _WORD.findall(search_fold(text))
    stems = search_words(" ".join(folded), language_code=language_code)
    return [tuple(dict.fromkeys((stem, word))) for stem, word in zip(stems, folded, strict=True)]


# --- PostgreSQL -------------------------------------------------------------------------------


class EditionIndex(PostgresIndex):
    def add_items(self, model, objs):
        by_config = defaultdict(list)
        for obj in objs:
            by_config[postgres_config_for_language(language_of(obj))].append(obj)
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
    backend = database.SearchBackend(params)  # which also finds out whether SQLite has FTS5
    if connection.vendor == "sqlite" and database.USE_SQLITE_FTS:
        # Imported only here: its models exist only where SQLite has FTS5.
        from .search_sqlite import EditionSQLiteSearchBackend

        return EditionSQLiteSearchBackend(params)
    return backend
