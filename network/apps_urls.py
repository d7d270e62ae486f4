"""Mount each app's URL module if it exists, so the project runs while apps grow."""

from __future__ import annotations

from importlib.util import find_spec

from django.urls import include, path


def _exists(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def optional_includes(*entries: tuple[str, str]) -> list:
    """``(module, prefix)`` pairs; a module that declares ``app_name`` gets that namespace."""
    patterns = []
    for module, prefix in entries:
        if _exists(module):
            patterns.append(path(prefix, include(module)))
    return patterns
