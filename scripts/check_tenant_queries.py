"""Fail on ``Model.objects`` of a tenant-owned model outside selectors and services.

Every tenant read starts from ``visible_to`` in a selector, and every write goes through a service;
a view, serializer, consumer or template tag that reaches ``Lesson.objects`` directly is how a read
path skips the policy. This AST check lists such accesses (``Name.objects`` and
``Name._default_manager`` where ``Name`` is a model inheriting ``TenantOwned`` or following one
through ``visibility_parent``) in every project module except selectors, services, models,
migrations, demo loaders, management commands and the search indexer, which are where those
queries belong, and the service modules by another name listed in :data:`SERVICE_MODULES` with
their reason. ``Model.objects.none()`` reads nothing and is not reported. ``make test`` runs it; ``tests/quality/test_boundaries.py`` plants a violation and
sees it fail.

Usage: ``python scripts/check_tenant_queries.py [paths…]`` (default: the four apps). Exit status 1
and one ``path:line: Model.objects`` line per finding when anything is found.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("network", "members", "knowledge", "forums")
MANAGERS = {"objects", "_default_manager"}

#: Path parts where tenant queries belong (the policy's own layers and the data plumbing).
ALLOWED_PARTS = {"selectors", "services", "models", "migrations", "management", "demo", "selectors.py"}
ALLOWED_NAMES = {
    "selectors.py",
    "services.py",
    "models.py",
    "demo.py",
    "demo_scale.py",
    "visibility.py",  # the policy itself
    "capabilities.py",
    "indexing.py",  # the search indexer reads every row to build documents
    "signals.py",  # reindexing and socket re-checks on membership changes
    "admin.py",  # Django admin: staff only
}


#: Accesses that predate this check (file → models), to move into selectors; never add to this list.
#: Emptied by #18: each entry moved into its app's selectors or services.
BASELINE: dict[str, set[str]] = {}

#: Service modules by another name (a sub-domain's writes kept in their own module), with why.
SERVICE_MODULES: dict[str, str] = {
    "network/events/cohosts.py": "the co-hosting services: invite, accept, decline (locks the event)",
}


def tenant_model_names() -> set[str]:
    """Class names of tenant-owned models, from the loaded Django project."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    os.environ.setdefault("DEBUG", "1")  # a check needs no production secret
    import django
    from django.apps import apps

    django.setup()
    from network.visibility import TenantOwned

    names = set()
    for model in apps.get_models():
        if issubclass(model, TenantOwned) or getattr(model, "visibility_parent", None):
            names.add(model.__name__)
    return names


def allowed(path: Path) -> bool:
    return (
        path.name in ALLOWED_NAMES
        or bool(ALLOWED_PARTS & set(path.parts[:-1]))
        or path.as_posix() in SERVICE_MODULES
    )


EDGE_CLASS_SUFFIXES = ("View", "ViewSet", "Serializer", "Consumer")


def _defines_tenant_model(tree: ast.Module) -> bool:
    """A module that declares a tenant-owned model is that type's models module (one-module types)."""
    return any(
        isinstance(node, ast.ClassDef)
        and any(
            isinstance(b, ast.Attribute | ast.Name) and "TenantOwned" in ast.unparse(b) for b in node.bases
        )
        for node in tree.body
    )


def _edge_scopes(tree: ast.Module) -> list[tuple[int, int]]:
    """Line ranges of views (a function taking ``request``) and view, serializer and consumer classes."""
    scopes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = [a.arg for a in node.args.args]
            if "request" in args[:2]:
                scopes.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.ClassDef) and node.name.endswith(EDGE_CLASS_SUFFIXES):
            scopes.append((node.lineno, node.end_lineno or node.lineno))
    return scopes


def _empty_querysets(tree: ast.Module) -> set[int]:
    """``Model.objects.none()`` reads nothing (schema generation's fake views use it): not a query."""
    return {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "none"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr in MANAGERS
    }


def findings(source: str, filename: str, tenant_models: set[str]) -> list[str]:
    """``file:line: Model.objects`` for each direct manager access of a tenant model in ``source``.

    In a module that declares a tenant-owned model (a type kept in one module, like the resource
    centre) its selectors and services may query it; its views, serializers and consumers may not.
    """
    tree = ast.parse(source, filename=filename)
    edges = _edge_scopes(tree) if _defines_tenant_model(tree) else None
    empty = _empty_querysets(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in tenant_models
            and node.value.id not in BASELINE.get(filename, set())
            and id(node) not in empty
        ):
            if edges is not None and not any(a <= node.lineno <= b for a, b in edges):
                continue
            found.append(f"{filename}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def python_files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)


def check(paths: Iterable[Path], tenant_models: set[str]) -> list[str]:
    result = []
    for path in python_files(paths):
        rel = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        if allowed(rel):
            continue
        result += findings(path.read_text(encoding="utf-8"), str(rel), tenant_models)
    return result


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [ROOT / app for app in APPS]
    problems = check(paths, tenant_model_names())
    for line in problems:
        print(f"{line} — query tenant-owned models in a selector or service (visible_to)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
