"""Full-text search: index declarations, one query interface, database and Elasticsearch backends."""
