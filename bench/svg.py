"""A tiny hand-written SVG line chart (no plotting dependency): latency against corpus size or
client count, one line per backend/layer. Lines differ by dash pattern and marker as well as
colour, so the chart reads in greyscale too."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

from bench.report import Chart

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 80, 220, 50, 60
COLOURS = ["#1f5fa8", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#2c3e50"]
DASHES = ["", "6 4", "2 3", "10 3 2 3", "1 5", "8 2"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square"]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 times 10^n steps) covering ``low..high``."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1 if low == 0 else low * 1.1 + (1 if low < 0 else 0)
    raw_step = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _log_ticks(low: float, high: float) -> list[float]:
    return [10.0**e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def _label(value: float) -> str:
    if value >= 1000 and value == int(value):
        return f"{int(value):,}"
    if value == int(value):
        return str(int(value))
    return f"{value:g}"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
    if kind == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def render_chart(chart: Chart) -> str:
    """The chart as an SVG document (a string). Missing points (y None) break the line."""
    xs = [x for s in chart.series for x, y in s.points if y is not None]
    ys = [y for s in chart.series for x, y in s.points if y is not None]
    log_y = chart.log_y and bool(ys) and min(ys) > 0
    if xs:
        x_ticks = sorted({x for s in chart.series for x, _ in s.points})
        x_low, x_high = min(x_ticks), max(x_ticks)
    else:
        x_ticks, x_low, x_high = [0.0, 1.0], 0.0, 1.0
    if x_high == x_low:
        x_low, x_high = x_low * 0.5, x_high * 1.5 or 1.0
    y_ticks = _log_ticks(min(ys), max(ys)) if log_y else nice_ticks(0.0, max(ys) if ys else 1.0)
    y_low, y_high = y_ticks[0], y_ticks[-1]
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (x - x_low) / (x_high - x_low) * plot_w

    def py(y: float) -> float:
        if log_y:
            fraction = (math.log10(y) - math.log10(y_low)) / (math.log10(y_high) - math.log10(y_low))
        else:
            fraction = (y - y_low) / (y_high - y_low)
        return TOP + plot_h - fraction * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="t">',
        f'<title id="t">{escape(chart.title)}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{WIDTH / 2:.0f}" y="28" text-anchor="middle" font-family="sans-serif" '
        f'font-size="16" font-weight="bold">{escape(chart.title)}</text>',
    ]
    for tick in y_ticks:
        y = py(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#dddddd"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-family="sans-serif" '
            f'font-size="12">{escape(_label(tick))}</text>'
        )
    for tick in x_ticks:
        x = px(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP + plot_h}" x2="{x:.1f}" y2="{TOP + plot_h + 5}" stroke="#333333"/>'
            f'<text x="{x:.1f}" y="{TOP + plot_h + 20}" text-anchor="middle" font-family="sans-serif" '
            f'font-size="12">{escape(_label(tick))}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333333"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#333333"/>'
        f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 15}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="13">{escape(chart.x_label)}</text>'
        f'<text x="18" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="13" transform="rotate(-90 18 {TOP + plot_h / 2:.0f})">'
        f"{escape(chart.y_label + (' (log scale)' if log_y else ''))}</text>"
    )
    for index, series in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        marker = MARKERS[index % len(MARKERS)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for x, y in series.points:
            if y is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{px(x):.1f},{py(y):.1f}")
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for points in segments:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        for x, y in series.points:
            if y is not None:
                parts.append(_marker(marker, px(x), py(y), colour))
        legend_y = TOP + 10 + index * 22
        legend_x = LEFT + plot_w + 16
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 30}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>{_marker(marker, legend_x + 15, legend_y, colour)}'
            f'<text x="{legend_x + 38}" y="{legend_y + 4}" font-family="sans-serif" font-size="12">'
            f"{escape(series.label)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_chart(chart: Chart, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_chart(chart))
    return path
