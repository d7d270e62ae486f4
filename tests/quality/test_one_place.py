"""One place for each rule (#18), checked over the whole source tree.

* services own their transactions: no ``transaction.atomic`` in a view, serializer, form or
  consumer (an edge that opens its own transaction is a write rule living in the edge);
* no "the app may be missing" paths: every app is installed and the content registry is the
  contract, so no ``apps.get_model`` or project import is wrapped in ``except LookupError`` /
  ``except ImportError`` that quietly drops a feature.

Each check is an AST walk and is shown to fail on a planted snippet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("network", "members", "knowledge", "forums")
EDGE_MODULES = {"views.py", "forms.py", "serializers.py", "consumers.py", "feeds.py", "demand_views.py"}
EDGE_CLASS_SUFFIXES = ("View", "ViewSet", "Serializer", "Consumer", "Form")
PROJECT_PACKAGES = set(APPS)


def _sources() -> Iterator[tuple[str, str]]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def _edge_ranges(tree: ast.Module, filename: str) -> list[tuple[int, int]]:
    """The whole module for edge modules; else views (``request`` first) and edge classes."""
    if Path(filename).name in EDGE_MODULES or "/api/" in f"/{filename}":
        return [(1, 10**9)]
    ranges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if "request" in [a.arg for a in node.args.args][:2]:
                ranges.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.ClassDef) and node.name.endswith(EDGE_CLASS_SUFFIXES):
            ranges.append((node.lineno, node.end_lineno or node.lineno))
    return ranges


def _is_atomic(node: ast.AST) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr == "atomic"
    return isinstance(target, ast.Name) and target.id == "atomic"


def transactions_in_edges(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename=filename)
    ranges = _edge_ranges(tree, filename)
    found = []
    for node in ast.walk(tree):
        uses = []
        if isinstance(node, ast.With | ast.AsyncWith):
            uses = [item.context_expr for item in node.items]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            uses = node.decorator_list
        for use in uses:
            if _is_atomic(use) and any(a <= node.lineno <= b for a, b in ranges):
                found.append(f"{filename}:{node.lineno}")
    return found


def _catches(handler: ast.ExceptHandler, names: set[str]) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in names for k in kinds)


def _looks_up_an_app(body: list[ast.stmt]) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get_model", "get_app_config"}
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PROJECT_PACKAGES:
            return True
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in PROJECT_PACKAGES for a in node.names):
            return True
    return False


def missing_app_fallbacks(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename=filename)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Try)
            and _looks_up_an_app(node.body)
            and any(_catches(h, {"LookupError", "ImportError", "ModuleNotFoundError"}) for h in node.handlers)
        ):
            found.append(f"{filename}:{node.lineno}")
    return found


#: The registry's own system check turns an unknown model into an error at start-up: it reports,
#: it does not hide.
REPORTING = {"network/content.py"}


def test_no_view_serializer_form_or_consumer_opens_a_transaction():
    found = [f for name, src in _sources() for f in transactions_in_edges(src, name)]
    assert found == [], "services own their transactions; move these into the service: " + ", ".join(found)


def test_the_transaction_check_fails_on_a_planted_view():
    planted = (
        "from django.db import transaction\n"
        "def tender_detail(request, pk):\n"
        "    with transaction.atomic():\n"
        "        pass\n"
        "class ThingViewSet:\n"
        "    @transaction.atomic\n"
        "    def create(self, request):\n"
        "        pass\n"
    )
    assert transactions_in_edges(planted, "knowledge/planted.py") == [
        "knowledge/planted.py:3",
        "knowledge/planted.py:7",
    ]
    assert (
        transactions_in_edges(
            "from django.db import transaction\n"
            "def service():\n    with transaction.atomic():\n        pass\n",
            "knowledge/services/planted.py",
        )
        == []
    )


def test_no_code_path_pretends_an_app_may_be_missing():
    found = [f for name, src in _sources() if name not in REPORTING for f in missing_app_fallbacks(src, name)]
    assert found == [], "apps are all installed; drop these fallbacks: " + ", ".join(found)


def test_the_missing_app_check_fails_on_planted_fallbacks():
    planted = (
        "from django.apps import apps\n"
        "def model():\n"
        "    try:\n"
        "        return apps.get_model('statements', 'Statement')\n"
        "    except LookupError:\n"
        "        return None\n"
        "def selectors():\n"
        "    try:\n"
        "        from forums import selectors\n"
        "    except ImportError:\n"
        "        return None\n"
        "    return selectors\n"
    )
    assert missing_app_fallbacks(planted, "network/planted.py") == [
        "network/planted.py:3",
        "network/planted.py:8",
    ]


def test_the_notifications_socket_belongs_to_the_fabric():
    """A person's notifications come from every app: the consumer and its route live in network/."""
    import forums.consumers
    import forums.routing
    from network.consumers import NotificationConsumer
    from network.routing import websocket_urlpatterns

    routes = {str(p.pattern): p.callback.consumer_class for p in websocket_urlpatterns}
    assert routes["ws/notifications/"] is NotificationConsumer
    assert NotificationConsumer.__module__ == "network.consumers"
    assert not hasattr(forums.consumers, "NotificationConsumer")
    assert all("notifications" not in str(p.pattern) for p in forums.routing.websocket_urlpatterns)


def test_the_tenant_query_baseline_is_empty_and_feeds_are_not_exempt():
    """Every old access moved into a selector or service; a feed or view reaching a tenant model
    directly is reported again, while ``Model.objects.none()`` (schema fake views) is not."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import check_tenant_queries as check

    assert check.BASELINE == {}
    assert all(reason for reason in check.SERVICE_MODULES.values())
    models = {"Statement", "Signature"}
    planted = (
        "def public_statements():\n"
        "    return Statement.objects.visible_to(None)\n"
        "def fake():\n"
        "    return Signature.objects.none()\n"
    )
    assert check.findings(planted, "knowledge/statements/feeds.py", models) == [
        "knowledge/statements/feeds.py:2: Statement.objects"
    ]


# --- one validation layer per write ------------------------------------------------------------

#: The forms and serializers that carry a write of a content type into its service's typed input.
#: A bound or a choice check in one of them is a second copy of a model field's rule.
WRITE_EDGES = {
    "knowledge/forms.py": {"LessonForm", "TenderForm", "TemplateForm", "CriterionForm"},
    "knowledge/api/serializers.py": {
        "LessonWriteSerializer",
        "TenderWriteSerializer",
        "TemplateWriteSerializer",
        "CriterionWriteSerializer",
    },
    "knowledge/statements/forms.py": {"StatementForm", "DemandForm"},
    "knowledge/statements/api/serializers.py": {
        "StatementCreateSerializer",
        "StatementUpdateSerializer",
        "StatementDemandInputSerializer",
    },
    "forums/forms.py": {"ForumForm", "ThreadForm", "PostForm", "EditForm"},
    "forums/api/serializers.py": {
        "ForumWriteSerializer",
        "ThreadCreateSerializer",
        "PostCreateSerializer",
        "PostEditSerializer",
    },
    "network/events/forms.py": {"EventForm"},
    "network/events/api/serializers.py": {"EventWriteSerializer"},
}
#: Keyword arguments that state a rule (a bound) rather than how to parse or show the input.
RULE_KEYWORDS = {"max_length", "min_length", "min_value", "max_value", "validators"}
#: Field classes that check membership in a list of choices (the model's choices decide).
CHECKING_CHOICE_FIELDS = {"ChoiceField", "MultipleChoiceField", "TypedChoiceField"}


def duplicated_rules(source: str, filename: str, classes: set[str]) -> list[str]:
    tree = ast.parse(source, filename=filename)
    found = []
    for node in tree.body:
        if not (isinstance(node, ast.ClassDef) and node.name in classes):
            continue
        # ``organisation``: whom the person writes for, offered from their roles (no model rule)
        routing = {
            id(item.value)
            for item in node.body
            if isinstance(item, ast.Assign)
            and any(getattr(t, "id", "") == "organisation" for t in item.targets)
        }
        for call in ast.walk(node):
            if not isinstance(call, ast.Call) or id(call) in routing:
                continue
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            owner = (
                call.func.value.id
                if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                else ""
            )
            if name in CHECKING_CHOICE_FIELDS and owner in {"forms", "serializers"}:
                found.append(f"{filename}:{call.lineno} {node.name}: {owner}.{name}")
            for keyword in call.keywords:
                if keyword.arg in RULE_KEYWORDS:
                    found.append(f"{filename}:{call.lineno} {node.name}: {keyword.arg}=")
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and item.name.startswith("validate"):
                found.append(f"{filename}:{item.lineno} {node.name}.{item.name}")
    return found


def test_write_forms_and_serializers_only_parse():
    """The rules of a lesson, planned tender, template, statement, event and forum write are the
    models'; the forms and serializers that carry them state no bound or choice check of their own."""
    found = []
    for filename, classes in WRITE_EDGES.items():
        source = (ROOT / filename).read_text(encoding="utf-8")
        present = {n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
        assert classes <= present, f"{filename} lost {classes - present}: update WRITE_EDGES"
        found += duplicated_rules(source, filename, classes)
    assert found == [], "a model's rule repeated in an edge: " + ", ".join(found)


def test_the_duplicated_rule_check_fails_on_a_planted_form():
    planted = (
        "class TenderForm(forms.Form):\n"
        "    planned_year = forms.IntegerField(min_value=2000, max_value=2100)\n"
        "    procedure = forms.ChoiceField(choices=[])\n"
        "class TenderWriteSerializer(serializers.Serializer):\n"
        "    def validate_title(self, value):\n"
        "        return value\n"
    )
    assert duplicated_rules(planted, "knowledge/planted.py", {"TenderForm", "TenderWriteSerializer"}) == [
        "knowledge/planted.py:2 TenderForm: min_value=",
        "knowledge/planted.py:2 TenderForm: max_value=",
        "knowledge/planted.py:3 TenderForm: forms.ChoiceField",
        "knowledge/planted.py:5 TenderWriteSerializer.validate_title",
    ]
