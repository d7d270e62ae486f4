"""Search backends behind one interface: database (SQLite FTS5 / PostgreSQL) and engine (Elasticsearch / OpenSearch)."""
