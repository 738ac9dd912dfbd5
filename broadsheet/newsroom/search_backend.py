"""Wagtail's database search backend, accent-insensitive and stemmed in each edition's language.

Wagtail's backends use one text configuration for every object. A newsroom with a Spanish
edition needs "corrieron" to find "correr" and "sequia" (typed without its accent) to find
"sequía", so each object is indexed in the language of its locale and each query is parsed in
the active language (the edition being searched):

- PostgreSQL: the text search configurations `broadsheet_<language>` (migration 0004: the
  language's own configuration with `unaccent` before its stemmer).
- SQLite (the demo): FTS5 has no stemmer, so the text is folded (accents and case) and stemmed
  with Snowball here, in Python, before it is stored in the index, and each query term is folded
  and stemmed the same way. Only words reach FTS5's query parser, never the reader's quotes or
  operators, so any input is a valid query.
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
from modelsearch.backends.database.sqlite.query import Lexeme, SearchQueryExpression
from modelsearch.backends.database.sqlite.sqlite import (
    IndexEntry,
    ObjectIndexer,
    SQLiteAutocompleteQueryCompiler,
    SQLiteIndex,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import get_content_type_pk

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


def _language_of(obj) -> str | None:
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


def _query_term_variants(text: str, *, language_code: str | None) -> list[tuple[str, ...]]:
    """Each word of a query with what it may be indexed as: its stem in the language searched,
    and the folded word itself (for objects indexed without a stemmer, such as images)."""
    folded = _WORD.findall(search_fold(text))
    stems = search_words(" ".join(folded), language_code=language_code)
    return [tuple(dict.fromkeys((stem, word))) for stem, word in zip(stems, folded, strict=True)]


class _AnyOf(Lexeme):
    """One query word matching any of its variants: `("dam" OR "dams")`.

    The variants are letters and digits only (see _WORD), so nothing in them needs quoting.
    """

    def __init__(self, variants: tuple[str, ...], *, prefix: bool = False):
        super().__init__(" ".join(variants), prefix=prefix)
        self.variants = variants

    def as_sql(self, compiler, connection):
        star = "*" if self.prefix else ""
        quoted = [f'"{variant}"{star}' for variant in self.variants]
        return "%s", [quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})"]


# Matches nothing: FTS5 reads `""` as an empty phrase (a query of punctuation only).
_NOTHING = Lexeme("")


class EditionSQLiteIndex(SQLiteIndex):
    """SQLiteIndex.add_items, storing each object's text folded and stemmed in its language."""

    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        content_type_pk = get_content_type_pk(model)
        data = {}
        for obj in objs:
            indexer = ObjectIndexer(obj, self.backend)
            language_code = _language_of(obj)
            data[indexer.id] = {
                "title": " ".join(search_words(indexer.title, language_code=language_code)),
                "body": " ".join(search_words(indexer.body, language_code=language_code)),
                # Autocomplete matches prefixes of what is typed: folded, never stemmed.
                "autocomplete": " ".join(search_words(indexer.autocomplete, language_code=None)),
            }
        if not data:
            return
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed = set(entries.filter(object_id__in=data).values_list("object_id", flat=True))
        for object_id in indexed:
            entries.filter(object_id=object_id).update(**data[object_id])
        self.entries.bulk_create(
            IndexEntry(content_type_id=content_type_pk, object_id=object_id, **fields)
            for object_id, fields in data.items()
            if object_id not in indexed
        )
        self._refresh_title_norms()


class _FoldedStemmedQuery:
    """For SQLite's query compilers: the query's words as search_words makes them."""

    def _language_code(self) -> str | None:
        return get_language()

    def build_search_query_content(self, query, config=None):
        if isinstance(query, PlainText):
            words = _query_term_variants(query.query_string, language_code=self._language_code())
            if not words:
                return SearchQueryExpression(_NOTHING)
            *first, last = words
            lexemes = _AnyOf(last, prefix=self.LAST_TERM_IS_PREFIX)
            for variants in first:
                if query.operator.upper() == "AND":
                    lexemes &= _AnyOf(variants)
                else:
                    lexemes |= _AnyOf(variants)
            return SearchQueryExpression(lexemes)
        if isinstance(query, Phrase):
            # A phrase of stems, as they were stored side by side.
            words = search_words(query.query_string, language_code=self._language_code())
            return SearchQueryExpression(" ".join(words))
        return super().build_search_query_content(query, config=config)


class EditionSQLiteQueryCompiler(_FoldedStemmedQuery, SQLiteSearchQueryCompiler):
    pass


class EditionSQLiteAutocompleteQueryCompiler(_FoldedStemmedQuery, SQLiteAutocompleteQueryCompiler):
    def _language_code(self) -> str | None:
        # Indexed unstemmed (see EditionSQLiteIndex).
        return None


class EditionSQLiteSearchBackend(SQLiteSearchBackend):
    index_class = EditionSQLiteIndex
    query_compiler_class = EditionSQLiteQueryCompiler
    autocomplete_query_compiler_class = EditionSQLiteAutocompleteQueryCompiler


# --- PostgreSQL -------------------------------------------------------------------------------


class EditionIndex(PostgresIndex):
    def add_items(self, model, objs):
        by_config = defaultdict(list)
        for obj in objs:
            by_config[postgres_config_for_language(_language_of(obj))].append(obj)
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
    backend = database.SearchBackend(params)
    if isinstance(backend, SQLiteSearchBackend):
        return EditionSQLiteSearchBackend(params)
    return backend
