"""Every surface that can show a guarded field asks the capability selector.

A content type names its guarded fields in the registry (``ContentType.guarded_fields``: the
event's ``online_url``; ``guarded_related`` for its parts: a statement signature's ``volumes``, the
demand figures). This test enumerates, for each of them:

* every DRF serializer of the type's model that outputs the field: it must be a method field whose
  method reads ``sees_<field>`` from the capabilities;
* every template that prints ``{{ ….<field> }}``: the same line must test ``caps.sees_<field>``;
* every Python read path (exports, feeds, iCalendar, e-mails — anything but the model, its services,
  forms, demo data and migrations) that reads ``.<field>``: the function must consult
  ``sees_<field>``.

The behavioural counterpart is tests/events/test_online_link.py (each surface, each kind of viewer).
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from rest_framework import serializers

from network import content

ROOT = Path(__file__).resolve().parents[2]
APPS = ("network", "members", "knowledge", "forums")
#: Where a guarded field is legitimately read without the capability: the model itself, the writes
#: (services, forms for the hosts' edit page), demo data, and the policy that decides.
WRITERS = {"models.py", "services.py", "forms.py", "demo.py", "capabilities.py", "content.py"}

GUARDED = [(ct, ct.model, f) for ct in content.content_types() for f in ct.guarded_fields] + [
    (ct, label, f) for ct in content.content_types() for label, f in ct.guarded_related
]
IDS = [f"{ct.kind}-{label}.{name}" for ct, label, name in GUARDED]


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_some_field_is_guarded():
    guarded = {(ct.kind, f) for ct, _label, f in GUARDED}
    assert ("event", "online_url") in guarded
    assert ("statement", "volumes") in guarded


@pytest.mark.parametrize(("ct", "label", "name"), GUARDED, ids=IDS)
def test_serializers_take_guarded_fields_from_the_capabilities(ct, label, name):
    from django.apps import apps

    import network.urls  # noqa: F401  (imports every API module, so every serializer class exists)

    model = apps.get_model(label)
    checked = 0
    for cls in set(_all_subclasses(serializers.ModelSerializer)):
        meta = getattr(cls, "Meta", None)
        if getattr(meta, "model", None) is not model or name not in (getattr(meta, "fields", None) or []):
            continue
        read_only = name in (getattr(meta, "read_only_fields", None) or []) or cls.__name__.endswith(
            "Serializer"
        )
        field = cls().fields[name]
        if field.write_only or not read_only:
            continue
        assert isinstance(field, serializers.SerializerMethodField), f"{cls.__name__}.{name} is not decided"
        method = getattr(cls, field.method_name or f"get_{name}")
        assert f"sees_{name}" in inspect.getsource(method), f"{cls.__name__}.{name} ignores the capability"
        checked += 1
    assert checked, f"no serializer outputs {ct.kind}.{name}: the test would prove nothing"


@pytest.mark.parametrize(("ct", "label", "name"), GUARDED, ids=IDS)
def test_templates_print_guarded_fields_only_under_the_capability(ct, label, name):
    printed = re.compile(r"\{\{\s*[\w.]+\." + re.escape(name) + r"\b")
    # A selector's row carries shown_<field>, filled through sees_<field> (the Python check below
    # proves the selector asks): printing it is printing a decided value.
    decided = re.compile(r"\bshown_" + re.escape(name) + r"\b")
    checked = 0
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if printed.search(line):
                    assert f"caps.sees_{name}" in line, f"{path.relative_to(ROOT)}:{number} prints {name}"
                    checked += 1
                elif decided.search(line):
                    checked += 1
    assert checked


@pytest.mark.parametrize(("ct", "label", "name"), GUARDED, ids=IDS)
def test_exports_and_feeds_read_guarded_fields_only_with_the_capability(ct, label, name):
    checked = 0
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.name in WRITERS or "migrations" in path.parts or "serializers" in path.name:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
                reads = [n for n in ast.walk(fn) if isinstance(n, ast.Attribute) and n.attr == name]
                if not reads:
                    continue
                uses = {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
                assert f"sees_{name}" in uses, f"{path.relative_to(ROOT)}:{fn.lineno} {fn.name} reads {name}"
                checked += 1
    assert checked  # iCalendar at least
