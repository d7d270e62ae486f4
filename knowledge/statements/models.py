"""Joint statements of demand (filled by the statements issue)."""
