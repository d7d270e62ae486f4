"""SQL shared by the search migrations (a module the migration loader skips: it starts with ``_``)."""

#: The text part of PostgreSQL's ``search_vector``: title A, summary B, body C, per-language config.
PG_LANGUAGE_VECTOR = """setweight(to_tsvector(search_regconfig(language), coalesce(title, '')), 'A')
            || setweight(to_tsvector(search_regconfig(language), coalesce(summary, '')), 'B')
            || setweight(to_tsvector(search_regconfig(language), coalesce(body, '')), 'C')"""
