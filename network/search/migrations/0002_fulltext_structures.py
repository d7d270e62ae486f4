"""Engine-specific full-text structures next to ``search_searchdocument``.

SQLite: an FTS5 table ``search_fts`` whose rowid is the document id. It stores the *stemmed* text
(stemmed in Python per document language), plus the document language as its own column so a query
can match each language with that language's stems.

PostgreSQL: ``search_regconfig(language)`` maps a document language to its text search
configuration; ``search_vector`` is a stored generated ``tsvector`` (title A, summary B, body C)
with a GIN index. Other engines: nothing (the Elasticsearch backend does not use these tables).
"""

from django.db import migrations

PG_LANGUAGES = {
    "en": "english",
    "fi": "finnish",
    "sv": "swedish",
    "de": "german",
    "fr": "french",
    "nl": "dutch",
    "es": "spanish",
    "it": "italian",
}

_cases = " ".join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in PG_LANGUAGES.items())

PG_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION search_regconfig(lang text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE lang {_cases} ELSE 'simple'::regconfig END $$""",
    """ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector(search_regconfig(language), coalesce(title, '')), 'A')
            || setweight(to_tsvector(search_regconfig(language), coalesce(summary, '')), 'B')
            || setweight(to_tsvector(search_regconfig(language), coalesce(body, '')), 'C')
        ) STORED""",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS search_regconfig(text)",
]
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        lang, title, summary, body,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
