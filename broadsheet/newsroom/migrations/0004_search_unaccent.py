"""PostgreSQL text search configurations that ignore accents: `broadsheet_<language>`.

Each is a copy of PostgreSQL's own configuration for the language with the `unaccent`
dictionary put before its stemmer for the word types that can carry accents, so "sequia" and
"sequía" are indexed and searched as one word (see newsroom/search_backend.py). ASCII words
keep the language's mapping unchanged. Nothing is done on other databases.

Text indexed before this migration keeps its old vectors until `manage.py update_index`.
"""

from django.db import migrations

# (configuration made, PostgreSQL configuration copied, its stemming dictionary)
CONFIGURATIONS = [
    ("broadsheet_english", "english", "english_stem"),
    ("broadsheet_spanish", "spanish", "spanish_stem"),
    ("broadsheet_french", "french", "french_stem"),
    ("broadsheet_portuguese", "portuguese", "portuguese_stem"),
    ("broadsheet_german", "german", "german_stem"),
    ("broadsheet_italian", "italian", "italian_stem"),
    ("broadsheet_simple", "simple", "simple"),
]
ACCENTED_WORD_TYPES = "word, hword, hword_part"


def configurations_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # unaccent is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, source, stemmer in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {source})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR {ACCENTED_WORD_TYPES} WITH unaccent, {stemmer}"
        )


def configurations_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _source, _stemmer in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_block_labels"),
    ]

    operations = [
        migrations.RunPython(configurations_create, configurations_drop, elidable=False),
    ]
