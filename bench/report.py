"""Results: one :class:`BenchResult` per benchmark, printed as tables and written as JSON.

A result carries the measured rows, the targets of the benchmark issue as :class:`Check` rows
(target, measured, met or not), free-text notes (skipped columns, caveats) and chart series.
Nothing here judges the run: an unmet target is printed with ✗ and the run still exits 0.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MET, UNMET, UNKNOWN = "✓", "✗", "-"


@dataclass
class Check:
    """One target of the issue against what this run measured (``met`` is None when not measured)."""

    name: str
    target: str
    measured: str
    met: bool | None

    @property
    def mark(self) -> str:
        return UNKNOWN if self.met is None else (MET if self.met else UNMET)


@dataclass
class Series:
    """One line of a chart: ``points`` are (x, y) pairs; y may be None where a point is missing."""

    label: str
    points: list[tuple[float, float | None]]


@dataclass
class Chart:
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    log_y: bool = False


@dataclass
class BenchResult:
    name: str
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""
    finished_at: str = ""
    skipped: bool = False

    def add_row(self, **values: Any) -> None:
        for key in values:
            if key not in self.columns:
                self.columns.append(key)
        self.rows.append(values)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fmt(value: Any) -> str:
    """Human formatting for table cells: floats to 3 significant-ish digits, None as a dash."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0:
            return "0"
        magnitude = abs(value)
        if magnitude >= 100:
            return f"{value:,.0f}"
        if magnitude >= 10:
            return f"{value:.1f}"
        if magnitude >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """A plain monospace table; numbers right-aligned, text left-aligned."""
    if not columns:
        return ""
    cells = [[fmt(row.get(col)) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(line[i]) for line in cells]) for i, col in enumerate(columns)]
    numeric = [
        all(isinstance(row.get(col), int | float) or row.get(col) is None for row in rows) and bool(rows)
        for col in columns
    ]

    def render(values: list[str]) -> str:
        parts = [
            value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i]) for i, value in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    lines = [render(columns), "  ".join("-" * w for w in widths)]
    lines.extend(render(line) for line in cells)
    return "\n".join(lines)


def format_checks(checks: list[Check]) -> str:
    rows = [{"": c.mark, "target": c.name + ": " + c.target, "measured": c.measured} for c in checks]
    return format_table(["", "target", "measured"], rows)


def format_result(result: BenchResult) -> str:
    out = [f"== {result.title} =="]
    if result.rows:
        out.append(format_table(result.columns, result.rows))
    if result.checks:
        out.append("")
        out.append(format_checks(result.checks))
    for note in result.notes:
        out.append(f"note: {note}")
    return "\n".join(out)


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Where the figures come from: cores, CPU, memory, Python, SQLite, Django, git commit."""
    cpu_model = ""
    mem_total_kb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        import django

        django_version = django.get_version()
    except ImportError:  # pragma: no cover - the project always has Django
        django_version = None
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": cpu_model,
        "memory_gib": round(mem_total_kb / 1024 / 1024, 1) if mem_total_kb else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "django": django_version,
        "git_commit": _run(["git", "rev-parse", "--short", "HEAD"]),
    }
    info.update(extra or {})
    return info


def write_json(result: BenchResult, out_dir: Path, machine: dict[str, Any], mode: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{result.name}.json"
    payload = {"benchmark": result.name, "mode": mode, "machine": machine, **asdict(result)}
    payload["checks"] = [dict(asdict(c), mark=c.mark) for c in result.checks]
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
