"""Market dialogue events (filled by the events issue)."""
