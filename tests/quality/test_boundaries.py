"""The boundaries the build checks hold today and fail on a planted violation.

* import contracts (``lint-imports``, pyproject's ``[tool.importlinter]``): the policy and the
  registry import no app; apps reach each other's views, API, forms and consumers never;
* the tenant-query check (``scripts/check_tenant_queries.py``): no ``Model.objects`` of a
  tenant-owned model outside selectors and services;
* ruff's C901/PLR0915 in services: complexity at most 15, at most 50 statements per function.

Each planted file gets a unique name and is removed in ``finally``.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_tenant_queries  # noqa: E402


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=110, check=False)


@pytest.fixture
def planted():
    made: list[Path] = []

    def plant(relative_dir: str, source: str, name: str | None = None) -> Path:
        path = ROOT / relative_dir / (name or f"planted_{uuid.uuid4().hex[:8]}.py")
        path.write_text(source, encoding="utf-8")
        made.append(path)
        return path

    yield plant
    for path in made:
        path.unlink(missing_ok=True)


def test_import_contracts_hold_and_fail_on_a_planted_violation(planted):
    kept = _run(str(BIN / "lint-imports"), "--no-cache")
    assert kept.returncode == 0, kept.stdout[-3000:]
    planted("forums", "from knowledge import views  # noqa: F401\n")
    broken = _run(str(BIN / "lint-imports"), "--no-cache")
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout and "knowledge.views" in broken.stdout


def test_the_fabric_contract_fails_when_the_policy_imports_an_app():
    path = ROOT / "network" / "capabilities.py"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\nimport knowledge.models  # noqa: E402, F401\n", encoding="utf-8")
        broken = _run(str(BIN / "lint-imports"), "--no-cache")
        assert broken.returncode != 0 and "network.capabilities -> knowledge.models" in broken.stdout
    finally:
        path.write_text(original, encoding="utf-8")


def test_tenant_query_check_is_clean_and_fails_on_a_planted_view(planted):
    clean = _run(sys.executable, "scripts/check_tenant_queries.py")
    assert clean.returncode == 0, clean.stdout
    path = planted(
        "knowledge", "from knowledge.models import Lesson\n\n\ndef leak():\n    return Lesson.objects.all()\n"
    )
    found = _run(sys.executable, "scripts/check_tenant_queries.py")
    assert found.returncode == 1 and f"{path.relative_to(ROOT)}:5: Lesson.objects" in found.stdout


def test_tenant_query_check_leaves_selectors_and_non_tenant_models_alone():
    models = {"Lesson", "Thread"}
    source = "Lesson.objects.visible_to(p)\nLabel.objects.all()\n"
    assert check_tenant_queries.findings(source, "knowledge/views.py", models) == [
        "knowledge/views.py:1: Lesson.objects"
    ]
    one_module_type = (
        "class Guide(visibility.TenantOwned):\n    pass\n\n\n"
        "def guides_visible(person):\n    return Guide.objects.visible_to(person)\n\n\n"
        "def guide_page(request):\n    return Guide.objects.all()\n\n\n"
        "class GuideSerializer:\n    rows = Guide.objects.all()\n"
    )
    assert check_tenant_queries.findings(one_module_type, "knowledge/guides.py", {"Guide"}) == [
        "knowledge/guides.py:10: Guide.objects",
        "knowledge/guides.py:14: Guide.objects",
    ]
    assert check_tenant_queries.allowed(Path("knowledge/selectors.py"))
    assert check_tenant_queries.allowed(Path("knowledge/services/lessons.py"))
    assert not check_tenant_queries.allowed(Path("knowledge/views.py"))


def test_services_keep_functions_small_and_ruff_fails_on_a_planted_complex_one(planted):
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(20))
    path = planted("knowledge/services", f"def tangled(x):\n{branches}    return 0\n")
    result = _run(str(BIN / "ruff"), "check", "--output-format", "concise", str(path.relative_to(ROOT)))
    assert result.returncode != 0 and "C901" in result.stdout
    services = [str(p.relative_to(ROOT)) for p in ROOT.glob("*/**/services*.py") if ".venv" not in p.parts]
    services += [
        str(p.relative_to(ROOT)) for p in (ROOT / "knowledge" / "services").glob("*.py") if p != path
    ]
    clean = _run(str(BIN / "ruff"), "check", "--select", "C901,PLR0915", *services)
    assert clean.returncode == 0, clean.stdout
