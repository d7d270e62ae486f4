"""A readable diff between two template versions: template fields, then criteria added, removed and
changed (matched by their stable key), with word-level changes inside changed texts.

The result is plain data (:func:`diff_versions` → dict) so the HTML page and the API show the same.
A word-level change is a list of ``[op, text]`` segments, ``op`` in ``equal``/``insert``/``delete``.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from knowledge.models import TemplateVersion

TEMPLATE_FIELDS = ("title", "summary", "procedure", "language", "licence", "tags", "cpv_codes")
CRITERION_FIELDS = (
    "stage",
    "title",
    "text",
    "ambition",
    "means_of_proof",
    "labels",
    "verification_text",
    "weight",
)
_TOKEN = re.compile(r"\s+|[^\s]+")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def word_diff(old: str, new: str) -> list[list[str]]:
    """Word-level changes from ``old`` to ``new`` (whitespace kept, so joining gives the text)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[list[str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(["equal", "".join(a[i1:i2])])
        else:
            if i2 > i1:
                segments.append(["delete", "".join(a[i1:i2])])
            if j2 > j1:
                segments.append(["insert", "".join(b[j1:j2])])
    return segments


def _field_changes(old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    changes = []
    for name in fields:
        before, after = _as_text(old.get(name)), _as_text(new.get(name))
        if before != after:
            changes.append({"field": name, "old": before, "new": after, "words": word_diff(before, after)})
    return changes


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_criteria = {c["key"]: c for c in old.get("criteria", [])}
    new_criteria = {c["key"]: c for c in new.get("criteria", [])}
    added = [c for k, c in new_criteria.items() if k not in old_criteria]
    removed = [c for k, c in old_criteria.items() if k not in new_criteria]
    changed = []
    for key, after in new_criteria.items():
        before = old_criteria.get(key)
        if before is None:
            continue
        fields = _field_changes(before, after, CRITERION_FIELDS)
        moved = before.get("position") != after.get("position")
        if fields or moved:
            changed.append(
                {
                    "key": key,
                    "title": after["title"],
                    "stage": after["stage"],
                    "moved": moved,
                    "changes": fields,
                }
            )
    return {
        "template": _field_changes(old, new, TEMPLATE_FIELDS),
        "added": [
            {"key": c["key"], "title": c["title"], "stage": c["stage"], "text": c["text"]} for c in added
        ],
        "removed": [
            {"key": c["key"], "title": c["title"], "stage": c["stage"], "text": c["text"]} for c in removed
        ],
        "changed": changed,
    }


def diff_versions(old: TemplateVersion, new: TemplateVersion) -> dict[str, Any]:
    result = diff_snapshots(old.snapshot, new.snapshot)
    result["from"] = old.number
    result["to"] = new.number
    result["unchanged"] = not (
        result["template"] or result["added"] or result["removed"] or result["changed"]
    )
    return result
