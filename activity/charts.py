"""Charts as server-rendered SVG: no script, no inline style (presentation attributes only), so any CSP allows them.

Each chart is an <svg role="img"> with a <title> and <desc> naming it and its numbers' range, a <title> on every bar
(hovered, or read by a screen reader) and labelled axes. Every text is escaped.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36  # room for the axis labels
COLOURS = ("#417690", "#e6a23c", "#79aec8", "#c0392b", "#8e44ad", "#2e8b57", "#7f8c8d")


def _frame(title: str, desc: str, body: SafeString, *, height: int = HEIGHT) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="11">'
        "<title>{}</title><desc>{}</desc>{}</svg>",
        WIDTH, height, title, desc, body,
    )  # fmt: skip


def _y_axis(top_value: int, plot_height: int) -> SafeString:
    base = TOP + plot_height
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
        '<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">0</text>',
        LEFT, TOP, LEFT, base, LEFT, base, WIDTH - RIGHT, base,
        LEFT - 4, TOP + 8, top_value, LEFT - 4, base,
    )  # fmt: skip


def _x_labels(labels: list[str], step: float, base: int) -> SafeString:
    every = max(1, len(labels) // 8)  # at most ~8 labels: they must not overlap
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((round(LEFT + step * (i + 0.5), 1), base + 14, label) for i, label in enumerate(labels) if i % every == 0),
    )


def bar_chart(*, title: str, points: list[tuple[str, int]], unit: str = "") -> SafeString:
    """Vertical bars, one per (label, value)."""
    return stacked_bar_chart(
        title=title, labels=[label for label, _ in points], series={unit: [v for _, v in points]}, legend=False
    )


def stacked_bar_chart(
    *, title: str, labels: list[str], series: dict[str, list[int]], legend: bool = True
) -> SafeString:
    """Vertical bars, one per label, each stacked from the series (name: one value per label), with a legend."""
    plot_height = HEIGHT - TOP - BOTTOM - (16 if legend else 0)
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top_value = max(totals, default=0) or 1
    step = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    base = TOP + plot_height
    bars = []
    for i, label in enumerate(labels):
        y = base
        for (name, values), colour in zip(series.items(), COLOURS * 4, strict=False):
            height = values[i] * plot_height / top_value
            if not values[i]:
                continue
            y -= height
            what = f"{label}: {values[i]} {name}".strip()
            bars.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    round(LEFT + step * i + step * 0.1, 1),
                    round(y, 1),
                    round(step * 0.8, 1),
                    round(height, 1),
                    colour,
                    what,
                )  # fmt: skip
            )
    keys, x = [], LEFT
    for name, colour in zip(series, COLOURS * 4, strict=False):
        keys.append(format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}">{}</text>',
            x, HEIGHT - 12, colour, x + 14, HEIGHT - 3, name,
        ))  # fmt: skip
        x += 14 + 6 * len(name) + 14  # ~6 px a character at this size
    desc = f"{len(labels)} bars from {labels[0]} to {labels[-1]}; highest {max(totals)}" if labels else "No data"
    parts = [_y_axis(top_value, plot_height), *bars, _x_labels(labels, step, base), *(keys if legend else [])]
    return _frame(title, desc, mark_safe("".join(parts)))  # noqa: S308 (every part built by format_html)


def ranking_chart(*, title: str, items: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars, most first: (label, value), each labelled with its name and value."""
    row, label_width = 22, 260
    height = TOP * 2 + row * max(1, len(items))
    top_value = max((value for _, value in items), default=0) or 1
    span = WIDTH - label_width - RIGHT - 60
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="14" fill="#417690"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}">{}</text>',
        (
            (label_width - 6, TOP + row * i + 11, label[:48], label_width, TOP + row * i,
             round(max(1.0, value * span / top_value), 1), label, value,
             label_width + round(value * span / top_value) + 6, TOP + row * i + 11, value)
            for i, (label, value) in enumerate(items)
        ),
    )  # fmt: skip
    desc = f"{len(items)} entries, most first" if items else "No data"
    return _frame(title, desc, bars, height=height)
