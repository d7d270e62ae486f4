"""Knowledge library models (filled by the knowledge-library issue)."""
