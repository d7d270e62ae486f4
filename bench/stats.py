"""Small, dependency-free statistics for latency samples (milliseconds)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], pct: float) -> float | None:
    """The ``pct``-th percentile (0 to 100) with linear interpolation between closest ranks.

    Interpolation (numpy's default "linear" method) keeps p99 meaningful on a few hundred samples,
    where nearest-rank would just return the maximum. ``None`` for an empty sample.
    """
    if not samples:
        return None
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be within 0..100, got {pct}")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    fraction = rank - low
    return float(ordered[low] + (ordered[high] - ordered[low]) * fraction)


def summarize(samples: Sequence[float], *, elapsed_s: float | None = None) -> dict[str, float | int | None]:
    """p50/p95/p99/max/mean of ``samples`` plus throughput when the wall time is known."""
    count = len(samples)
    summary: dict[str, float | int | None] = {
        "count": count,
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples) if samples else None,
        "mean": (sum(samples) / count) if count else None,
    }
    if elapsed_s is not None:
        summary["per_s"] = (count / elapsed_s) if elapsed_s > 0 else None
    return summary


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or ``None`` when either side is unknown or the divisor is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def mean_of(values: Sequence[float | None]) -> float | None:
    """The mean of the values that were measured (``None`` and 0 left out); ``None`` when none was."""
    measured = [value for value in values if value]
    return sum(measured) / len(measured) if measured else None
