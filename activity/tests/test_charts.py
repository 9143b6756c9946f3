"""Server-rendered SVG charts: accessible, escaped, and drawn to scale."""

import re

from activity.charts import bar_chart, ranking_chart, stacked_bar_chart


def test_a_bar_chart_is_an_accessible_svg_with_one_titled_bar_per_nonzero_point():
    svg = bar_chart(title="Requests <per> day", points=[("01-01", 2), ("01-02", 0), ("01-03", 4)])
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert "<title>Requests &lt;per&gt; day</title>" in svg
    assert "<desc>3 bars from 01-01 to 01-03; highest 4</desc>" in svg
    assert re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg) == ["01-01: 2", "01-03: 4"]
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0]  # to scale
    assert "style=" not in svg and "<script" not in svg  # nothing a strict CSP would block


def test_stacked_bars_and_legend():
    svg = stacked_bar_chart(title="Ended", labels=["a", "b"], series={"inactive": [1, 0], "logout": [2, 3]})
    assert re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg) == ["a: 1 inactive", "a: 2 logout", "b: 3 logout"]
    assert "<text" in svg and ">inactive</text>" in svg and ">logout</text>" in svg


def test_a_ranking_escapes_its_labels():
    svg = ranking_chart(title="Paths", items=[('/x"><script>', 5), ("/y", 1)])
    assert "<script>" not in svg
    assert "<title>/x&quot;&gt;&lt;script&gt;: 5</title>" in svg


def test_no_data():
    assert "<desc>No data</desc>" in bar_chart(title="t", points=[])
    assert "<desc>No data</desc>" in ranking_chart(title="t", items=[])
