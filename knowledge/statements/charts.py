"""Server-rendered SVG charts: no JavaScript, no external assets, readable by screen readers.

The chart carries a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), and the page
shows the same figures as a table, so nothing is conveyed by the picture alone.
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


def cumulative_step_svg(
    points: list[tuple[datetime.date, int]],
    *,
    title: str,
    chart_id: str = "signatures-chart",
    until: datetime.date | None = None,
) -> SafeString:
    """A step line of a running total over time (``points`` are (day, total at end of day))."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    if not points:
        desc = _("No signatures yet.")
        return mark_safe(  # noqa: S308 - every interpolated value is escaped or numeric
            f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'aria-labelledby="{title_id} {desc_id}"><title id="{title_id}">{escape(title)}</title>'
            f'<desc id="{desc_id}">{escape(desc)}</desc>'
            f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">{escape(desc)}</text></svg>'
        )
    start = points[0][0]
    end = max(points[-1][0], until or points[-1][0])
    span = max((end - start).days, 1)
    top = max(max(n for _, n in points), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - start).days / span, 1)

    def y(n: int) -> float:
        return round(TOP + plot_h * (1 - n / top), 1)

    path = [f"M{x(start)},{y(0)}"]
    for day, n in points:
        path.append(f"H{x(day)}V{y(n)}")
    path.append(f"H{x(end)}")
    desc = _(
        "From %(start)s to %(end)s the number of signatories went from %(first)s to %(last)s, at most %(max)s."
    ) % {
        "start": date_format(start, "SHORT_DATE_FORMAT"),
        "end": date_format(end, "SHORT_DATE_FORMAT"),
        "first": points[0][1],
        "last": points[-1][1],
        "max": top,
    }
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{LEFT - 6}" y="{y(top) + 4}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end">0</text>',
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 14}">{escape(date_format(start, "SHORT_DATE_FORMAT"))}</text>',
        f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - 14}" text-anchor="end">{escape(date_format(end, "SHORT_DATE_FORMAT"))}</text>',
        f'<path class="line" d="{"".join(path)}" fill="none"/>',
    ]
    parts.extend(f'<circle class="dot" cx="{x(day)}" cy="{y(n)}" r="3"/>' for day, n in points)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped or numeric


def bar_chart_svg(
    bars: list[tuple[str, int]], *, title: str, description: str, chart_id: str = "demand-chart"
) -> SafeString:
    """Horizontal bars, one per label, longest first as given; the figures are written beside them.

    The picture is sized by ``viewBox`` so it scales down to a 320 px screen; labels sit above the
    bars so long category names never overlap the bars.
    """
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    row_h, label_h, width = 44, 16, WIDTH
    height = max(len(bars), 1) * row_h + 8
    head = (
        f'<svg class="chart bar-chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
    )
    if not bars:
        return mark_safe(  # noqa: S308 - every interpolated value is escaped or numeric
            f'{head}<text x="{width // 2}" y="{height // 2 + 4}" text-anchor="middle">'
            f"{escape(description)}</text></svg>"
        )
    top = max(max(v for _, v in bars), 1)
    plot_w = width - 8 - 110
    parts = [head]
    for i, (label, value) in enumerate(bars):
        y = i * row_h + 4
        w = round(plot_w * value / top, 1)
        parts.append(f'<text class="tick" x="4" y="{y + label_h - 4}">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="4" y="{y + label_h}" width="{max(w, 1)}" height="18" rx="2"/>')
        parts.append(
            f'<text class="tick value" x="{4 + max(w, 1) + 6}" y="{y + label_h + 14}">'
            f"{escape(number_format(value, force_grouping=True))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated value is escaped or numeric
