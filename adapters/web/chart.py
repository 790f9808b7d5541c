"""The chart of listed names over time, as geometry for an SVG drawn on the server.

No script and no third-party library: the template turns these numbers into ``<polyline>`` and
``<text>`` elements, so the chart works with scripts off and under a strict CSP. The numbers
and dates its labels show are written in the reader's language by the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.public import TimelinePoint

__all__ = ["Chart", "chart"]

WIDTH, HEIGHT = 600, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 12, 16, 36


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    #: ``x,y x,y …`` of a step line from the first listed name to ``now``.
    points: str
    #: The plot area: x0, y0 (top) and x1, y1 (bottom).
    x0: int
    y0: int
    x1: int
    y1: int
    top: int
    #: The first and last day drawn (the template writes them in the reader's language).
    start: date
    end: date


def chart(timeline: Sequence[TimelinePoint], now: datetime) -> Chart | None:
    """None until there are names to draw."""
    if not timeline:
        return None
    first, last = timeline[0].at, max(now, timeline[-1].at)
    span = (last - first).total_seconds() or 1.0
    top = max(p.listed for p in timeline)
    x0, x1 = _LEFT, WIDTH - _RIGHT
    y0, y1 = _TOP, HEIGHT - _BOTTOM

    def x(at: datetime) -> float:
        return x0 + (at - first).total_seconds() / span * (x1 - x0)

    def y(n: int) -> float:
        return y1 - n / top * (y1 - y0)

    coords = [(float(x0), float(y1))]
    for p in timeline:
        coords.append((x(p.at), coords[-1][1]))
        coords.append((x(p.at), y(p.listed)))
    coords.append((float(x1), coords[-1][1]))
    points = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    return Chart(WIDTH, HEIGHT, points, x0, y0, x1, y1, top, first.date(), last.date())
