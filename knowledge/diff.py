"""A readable diff between two template versions: template fields, then criteria added, removed and
changed (matched by their stable key), with word-level changes inside changed texts.

The result is plain data (:func:`diff_versions` → dict) so the HTML page and the API show the same.
A word-level change is a list of ``[op, text]`` segments, ``op`` in ``equal``/``insert``/``delete``;
a change of a number (an award weight) also carries ``display``: ``"60 → 50"``.

Criteria are aligned by identity (``key``), never by position: deleting the first criterion is one
removal. A criterion counts as *moved* only when its order relative to the other kept criteria
changed (it is outside the longest common subsequence of keys), not because others shifted.
A fork keeps its origin's criterion keys, so a fork compares with the version it came from
(:func:`diff_fork`).
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
#: Shown for "no number" in a numeric change: an en dash, as in "(en dash) → 20".
NOTHING = "\u2013"
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field_changes(old: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    changes = []
    for name in fields:
        raw_before, raw_after = old.get(name), new.get(name)
        before, after = _as_text(raw_before), _as_text(raw_after)
        if before != after:
            change = {"field": name, "old": before, "new": after, "words": word_diff(before, after)}
            if (_is_number(raw_before) or raw_before is None) and (
                _is_number(raw_after) or raw_after is None
            ):
                change["display"] = f"{before or NOTHING} → {after or NOTHING}"
            changes.append(change)
    return changes


def _moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys whose relative order changed: those outside the longest run-preserving match."""
    common = set(old_order) & set(new_order)
    a = [k for k in old_order if k in common]
    b = [k for k in new_order if k in common]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return common - kept


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_criteria = {c["key"]: c for c in old.get("criteria", [])}
    new_criteria = {c["key"]: c for c in new.get("criteria", [])}
    added = [c for k, c in new_criteria.items() if k not in old_criteria]
    removed = [c for k, c in old_criteria.items() if k not in new_criteria]
    changed = []
    moved_keys = _moved_keys(
        [c["key"] for c in old.get("criteria", [])], [c["key"] for c in new.get("criteria", [])]
    )
    for key, after in new_criteria.items():
        before = old_criteria.get(key)
        if before is None:
            continue
        fields = _field_changes(before, after, CRITERION_FIELDS)
        moved = key in moved_keys
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


def diff_fork(origin: TemplateVersion, fork_snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a fork changed since the version it came from (its current content, published or not)."""
    result = diff_snapshots(origin.snapshot, fork_snapshot)
    result["from"] = origin.number
    result["to"] = None
    result["unchanged"] = not (
        result["template"] or result["added"] or result["removed"] or result["changed"]
    )
    return result
