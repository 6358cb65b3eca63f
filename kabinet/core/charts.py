"""Server-side SVG charts: a picture that needs no JavaScript, no CDN and no chart library.

`monthly_bars` draws one bar per month (charges, consumption). The SVG is `role="img"` named by
its <title>; the numbers themselves are in a table beside it (visually hidden by default, or the
page's own table when the caller says so), so a screen reader gets the data, not a drawing.
"""

import functools
import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import formats

# Geometry in CSS pixels: the wide SVG is drawn 1:1 so its text stays readable; a phone gets its
# own drawing of fewer months (NARROW_MONTHS) rather than a sideways-scrolling box.
HEIGHT = 260
TOP, BOTTOM, LEFT, RIGHT = 16, 44, 64, 12
MIN_SLOT, TARGET_WIDTH = 28, 720


def nice_step(span: float, ticks: int = 4) -> float:
    """A round grid step (1, 2 or 5 × 10^n) giving about `ticks` lines over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _scale(values: Sequence[Decimal]) -> tuple[float, float, float]:
    low = min(0.0, *(float(v) for v in values))
    high = max(0.0, *(float(v) for v in values))
    step = nice_step(high - low)
    return math.floor(low / step) * step, (math.ceil(high / step) * step) or step, step


def _grid(low: float, high: float, step: float, y_of, width: int, places: int) -> SafeString:
    lines = []
    tick = low
    while tick <= high + step / 2:
        y = y_of(tick)
        lines.append(
            format_html(
                '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d5dbe3"/>'
                '<text class="chart__tick" x="{}" y="{}" text-anchor="end" font-size="12" fill="#4f5b6a">{}'
                "</text>",
                LEFT,
                width - RIGHT,
                f"{y:.1f}",
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                formats.number(Decimal(str(round(tick, 6))), 0 if step >= 1 else places),
            )
        )
        tick += step
    return mark_safe("".join(lines))  # every piece went through format_html


def _bars(points, y_of, slot: float, unit: str, places: int) -> SafeString:
    label_every = max(1, math.ceil(32 / slot))  # one label per ~32 px so they never overlap
    zero = y_of(0.0)
    parts = []
    for index, (month, value) in enumerate(points):
        x = LEFT + index * slot + slot * 0.15
        y = y_of(float(value))
        top, height = min(y, zero), max(abs(zero - y), 1.0)
        parts.append(
            format_html(
                '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}" fill="#0b5cad">'
                "<title>{}: {} {}</title></rect>",
                f"{x:.1f}",
                f"{top:.1f}",
                f"{slot * 0.7:.1f}",
                f"{height:.1f}",
                formats.month(month),
                formats.number(value, places),
                unit,
            )
        )
        if (len(points) - 1 - index) % label_every == 0:  # the latest month always has its label
            parts.append(
                format_html(
                    '<text class="chart__label" x="{}" y="{}" text-anchor="middle" font-size="12" '
                    'fill="#4f5b6a">{}<tspan x="{}" dy="14">{}</tspan></text>',
                    f"{x + slot * 0.35:.1f}",
                    HEIGHT - BOTTOM + 16,
                    formats.MONTHS_SHORT[month.month - 1],
                    f"{x + slot * 0.35:.1f}",
                    month.year,
                )
            )
    return mark_safe("".join(parts))  # every piece went through format_html


def data_table(
    points: Sequence[tuple[date, Decimal]], *, unit: str, title: str, places: int = 2
) -> SafeString:
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((formats.month(m), formats.number(v, places)) for m, v in points),
    )
    return format_html(
        '<table class="chart__table visually-hidden"><caption>{}</caption>'
        '<thead><tr><th scope="col">Месяц</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        title,
        unit,
        rows,
    )


# A phone gets the last NARROW_MONTHS months drawn for its width (the picture scales to the
# card, its text stays readable at 360 px): no box that scrolls sideways and hides half the chart.
NARROW_MONTHS, NARROW_WIDTH = 6, 320


def monthly_bars(
    points: Sequence[tuple[date, Decimal]],
    *,
    unit: str,
    title: str,
    places: int = 2,
    table: bool = True,
    chart_id: str = "chart",
) -> SafeString:
    """A bar per month, oldest on the left; `points` are (first day of month, value) pairs.

    Two drawings: every month on a wide screen, the last NARROW_MONTHS on a phone (CSS shows one).
    `table=False` when the page already shows the same numbers in a table of its own: the
    picture then says so in its description instead of repeating them.

    The picture depends on its arguments alone: the latest ones drawn are kept in the process
    (a resident going through the cabinet's pages asks for the same chart again and again).
    """
    return _drawn(tuple(sorted(points)), unit, title, places, table, chart_id)


@functools.lru_cache(maxsize=4096)
def _drawn(
    points: tuple[tuple[date, Decimal], ...], unit: str, title: str, places: int, table: bool, chart_id: str
) -> SafeString:
    if not points:
        return format_html('<p class="chart chart--empty">{}: данных пока нет.</p>', title)
    recent = points[-NARROW_MONTHS:]
    wide = _svg(
        points, unit=unit, title=title, places=places, table=table, chart_id=chart_id, target=TARGET_WIDTH
    )
    narrow_title = title if len(recent) == len(points) else f"{title}, последние {len(recent)} мес."
    narrow = _svg(
        recent, unit=unit, title=narrow_title, places=places, table=table, chart_id=f"{chart_id}-narrow",
        target=NARROW_WIDTH, fluid=True,
    )  # fmt: skip
    return format_html(
        '<figure class="chart"><div class="chart__wide">{}</div>'
        '<div class="chart__narrow">{}</div>{}</figure>',
        wide,
        narrow,
        data_table(points, unit=unit, title=title, places=places) if table else "",
    )


def _svg(points, *, unit: str, title: str, places: int, table: bool, chart_id: str, target: int, fluid=False):
    slot = max(MIN_SLOT, (target - LEFT - RIGHT) / len(points))
    width = round(LEFT + RIGHT + slot * len(points))
    low, high, step = _scale([v for _, v in points])
    plot = HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot * (high - value) / (high - low)

    first, last = points[0][0], points[-1][0]
    summary = f"{formats.month(first)} — {formats.month(last)}, {unit}."
    summary += " Числа — в таблице." if table else " Числа — в таблице на этой странице."
    return format_html(
        '<svg class="chart__svg{fluid}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" '
        'width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" font-family="inherit">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '{grid}{bars}<line x1="{left}" x2="{right}" y1="{zero}" y2="{zero}" stroke="#1c2430"/></svg>',
        fluid=" chart__svg--fluid" if fluid else "",
        id=chart_id,
        w=width,
        h=HEIGHT,
        title=title,
        desc=summary,
        grid=_grid(low, high, step, y_of, width, places),
        bars=_bars(points, y_of, slot, unit, places),
        left=LEFT,
        right=width - RIGHT,
        zero=f"{y_of(0.0):.1f}",
    )
