"""The analysis chain's terms become what every database backend indexes.

SQLite: ``search_fts`` gains an ``extra`` column (other lemmas, plain stems, compound parts) and
stops folding diacritics itself (the chain keeps å, ä, ö apart); it is recreated and refilled by
re-analysing the stored text. PostgreSQL: ``search_vector`` is generated from ``terms``, a
``tsvector`` literal the chain writes (no text search configuration in between), plus the access
tokens; ``terms`` is filled here for the documents already indexed. Both: the vocabulary for "did
you mean" is filled from the stored text.

Documents indexed before this migration keep the language they were stored with; run
``manage.py search_index --rebuild`` once afterwards to detect the languages of undeclared
content, credit posts to their authors and group threads (README, "Search").
"""

from django.db import migrations, models

PG_VECTOR = "terms::tsvector || array_to_tsvector(string_to_array(upper(access), ' '))"
PG_FORWARD = [
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
    f"ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (search_vector)",
]


def forward(apps, schema_editor):
    from network.search.analysis import document_terms
    from network.search.spec import IndexedDocument
    from network.search.vocabulary import vocabulary_words

    vendor = schema_editor.connection.vendor
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchWord = apps.get_model("search", "SearchWord")
    last = 0
    while True:
        docs = list(SearchDocument.objects.filter(pk__gt=last).order_by("pk")[:1000])
        if not docs:
            break
        if vendor == "postgresql":
            from network.search.backends.postgres import tsvector_literal

            for d in docs:
                indexed = IndexedDocument(
                    type=d.type, content_type_id=0, object_id=d.object_id, title=d.title,
                    summary=d.summary, body=d.body, language=d.language,
                )
                d.terms = tsvector_literal(document_terms(indexed))
            SearchDocument.objects.bulk_update(docs, ["terms"], batch_size=500)
        found = vocabulary_words(t for d in docs for t in (d.title, d.summary, d.body))
        SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(found)], ignore_conflicts=True)
        last = docs[-1].pk
    if vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        from network.search.backends.sqlite import recreate_fulltext_table

        recreate_fulltext_table(schema_editor.connection)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from network.search.migrations._vector import PG_LANGUAGE_VECTOR

        for statement in [
            "DROP INDEX IF EXISTS search_document_vector_gin",
            "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
            f"""ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
                {PG_LANGUAGE_VECTOR} || array_to_tsvector(string_to_array(upper(access), ' '))) STORED""",
            "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (search_vector)",
        ]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_document_access_tokens")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=40, unique=True)),
            ],
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="collapse",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="field_languages",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="terms",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(forward, backward),
    ]
