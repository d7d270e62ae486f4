"""SQL shared by the search migrations (a module the migration loader skips: it starts with ``_``)."""

#: The text part of PostgreSQL's ``search_vector``: title A, summary B, body C, per-language config.
PG_LANGUAGE_VECTOR = """setweight(to_tsvector(search_regconfig(language), coalesce(title, '')), 'A')
            || setweight(to_tsvector(search_regconfig(language), coalesce(summary, '')), 'B')
            || setweight(to_tsvector(search_regconfig(language), coalesce(body, '')), 'C')"""


def head_vector_statements(weights: str) -> list[str]:
    """(Re)create PostgreSQL's first-pass ``head_vector``: the lexemes of ``terms`` with these
    weights (``{a,b}``: title and summary), kept inline in the row."""
    return [
        "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS head_vector",
        "ALTER TABLE search_searchdocument ADD COLUMN head_vector tsvector GENERATED ALWAYS AS "
        f"(ts_filter(terms::tsvector, '{weights}')) STORED",
        "ALTER TABLE search_searchdocument ALTER COLUMN head_vector SET STORAGE MAIN",
    ]
