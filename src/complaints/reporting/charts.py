"""Charts as inline SVG, drawn on the server, so the HTML report also works as an attachment."""

from __future__ import annotations

from collections.abc import Callable
from html import escape


def bars(rows: list[tuple[str, int]], width: int = 560, limit: int = 12) -> str:
    """Horizontal bars, largest first."""
    rows = rows[:limit]
    if not rows:
        return ""
    top = max(n for _, n in rows) or 1
    height = 22 * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(", ".join(f"{k}: {n}" for k, n in rows))}">'
    ]
    for i, (label, n) in enumerate(rows):
        y = 22 * i + 2
        length = int((width - 220) * n / top)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{escape(label[:28])}</text>'
            f'<rect x="180" y="{y}" width="{max(length, 1)}" height="16" fill="#1d4ed8"/>'
            f'<text x="{186 + length}" y="{y + 13}" font-size="12">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line(
    points: list[tuple[str, int]],
    title: str,
    name: Callable[[str], str] = str,
    width: int = 560,
    height: int = 160,
) -> str:
    """A time series: one point a month (YYYY-MM), each labelled `name(month)`."""
    if not points:
        return ""
    top = max(n for _, n in points) or 1
    step = (width - 60) / max(len(points) - 1, 1)
    xy = [(40 + i * step, height - 30 - (height - 50) * n / top) for i, (_, n) in enumerate(points)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy))
    labels = "".join(
        f'<text x="{x:.1f}" y="{height - 10}" font-size="10" text-anchor="middle">{escape(name(m))}</text>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d4ed8"/>'
        f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="10" text-anchor="middle">{n}</text>'
        for (x, y), (m, n) in zip(xy, points, strict=True)
        if len(points) <= 24 or m.endswith(("-01", "-07"))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><path d="{path}" fill="none" stroke="#1d4ed8" stroke-width="2"/>'
        f"{labels}</svg>"
    )
