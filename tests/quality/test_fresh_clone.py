"""A fresh clone is self-sufficient: nothing reads reference data from outside the repository.

The OCDS and CPV tests used to skip when ``../shared/data`` was missing, so a fresh clone silently
tested less. The schemas and the CPV list are vendored in ``knowledge/data/``; this keeps it so.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from knowledge import cpv, ocds

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"""["']shared["']\s*/\s*["']data["']|\.\./shared/data|parents\[\d\]\.parent\s*/""")


def test_no_code_or_test_reads_data_from_beside_the_repository():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "node_modules", "var", "build") or path == Path(__file__):
            continue
        if OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(relative))
    assert not offenders, offenders


def test_the_vendored_reference_data_is_complete():
    package, release = ocds.package_schemas()
    assert release["id"].endswith("/1__1__5/release-schema.json")
    assert release["id"] in json.dumps(package)  # the package $refs the release schema by its id
    rows = list(cpv.read_rows(cpv.FULL_LIST_FILE))
    assert len(rows) == 9455
    readme = (ROOT / "knowledge" / "data" / "README.md").read_text(encoding="utf-8")
    for name in (
        cpv.FULL_LIST_FILE.name,
        ocds.RELEASE_SCHEMA_FILE.name,
        ocds.RELEASE_PACKAGE_SCHEMA_FILE.name,
    ):
        assert name in readme, f"{name}: source and licence must be noted"
    assert "Apache" in readme and "213/2008" in readme
