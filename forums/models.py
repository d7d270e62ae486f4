"""Forum models (filled by the forums issue)."""
