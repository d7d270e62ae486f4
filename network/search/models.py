"""Search bookkeeping models (filled by the search issue)."""
