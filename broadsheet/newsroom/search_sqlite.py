"""Wagtail's SQLite FTS5 backend, folded and stemmed in each object's language (see
search_backend, which chooses it). Imported only on SQLite with FTS5."""

from __future__ import annotations

from django.utils.translation import get_language
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

from .search_backend import language_of, query_term_variants, search_words


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
            language_code = language_of(obj)
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
            words = query_term_variants(query.query_string, language_code=self._language_code())
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
