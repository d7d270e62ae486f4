"""Wagtail's ``modelsearch`` as a benchmark peer: one indexed model holding the search corpus."""
