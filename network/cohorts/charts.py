"""The dashboard's charts as standalone SVG documents (pygal): no scripts, shown through <img>."""

from __future__ import annotations

from xml.etree import ElementTree

import pygal
from flask import Response
from pygal.style import Style

try:  # optional: pygal builds its trees with lxml when it is installed, and only lxml can serialise them
    from lxml import etree as lxml_etree
except ImportError:
    lxml_etree = None

from network.cohorts.dashboard import TYPES, Dashboard

STYLE = Style(background="white", plot_background="white", foreground="#212529", foreground_strong="#212529",
              foreground_subtle="#6c757d", colors=("#1f5f8b", "#c8553d", "#2a9d8f", "#8d6a9f", "#e9c46a"),
              font_family="system-ui, sans-serif", label_font_size=13, major_label_font_size=13,
              legend_font_size=13, title_font_size=16, value_font_size=12)

#: Chart names, titles and builders; the dashboard template lists them in this order.
CHARTS = {
    "coverage": "Mentorship coverage by mentoring type",
    "fellows": "Fellows by number of mentoring types covered",
    "activity": "Mentorship requests and meetings by month",
    "discussions": "Discussion posts by the cohort's fellows, by month",
    "ratings": "Average mentorship rating by type (1 to 5)",
    "scholarly": "Scholarly items of the fellows this academic year, by kind",
}


def _config(**extra):
    return dict(style=STYLE, js=[], disable_xml_declaration=True, width=720, height=360, explicit_size=False,
                legend_at_bottom=True, print_values=False, show_y_guides=True, truncate_label=40, **extra)


def render(name: str, data: Dashboard) -> str:
    """The SVG markup of chart ``name`` (a key of ``CHARTS``)."""
    labels = [t.label for t in TYPES]
    month_labels = [m[2:] for m in data.months]
    if name == "coverage":
        chart = pygal.StackedBar(**_config(title=CHARTS[name]))
        chart.x_labels = labels
        covered = data.coverage_by_type
        chart.add("With a mentor", [covered[t.value] for t in TYPES])
        chart.add("Without", [len(data.fellows) - covered[t.value] for t in TYPES])
    elif name == "fellows":
        chart = pygal.Bar(**_config(title=CHARTS[name], show_legend=False))
        chart.x_labels = [str(n) for n in range(len(TYPES) + 1)]
        chart.add("Fellows", data.fellows_by_mentor_count)
    elif name == "activity":
        chart = pygal.Line(**_config(title=CHARTS[name], x_label_rotation=0))
        chart.x_labels = month_labels
        chart.add("Requests", data.requests)
        chart.add("Meetings", data.meetings)
    elif name == "discussions":
        chart = pygal.Bar(**_config(title=CHARTS[name], show_legend=False))
        chart.x_labels = month_labels
        chart.add("Posts", data.posts)
    elif name == "ratings":
        chart = pygal.HorizontalBar(**_config(title=CHARTS[name], range=(0, 5), show_legend=False))
        chart.x_labels = labels
        chart.add("Average rating", [data.ratings.get(t.value, (None, 0))[0] for t in TYPES])
    elif name == "scholarly":
        chart = pygal.HorizontalBar(**_config(title=CHARTS[name], show_legend=False))
        chart.x_labels = [heading for heading, _ in data.scholarly.rows]
        chart.add("Items", [count for _, count in data.scholarly.rows])
    else:
        raise KeyError(name)
    return _without_scripts(chart)


def render_bars(title: str, labels: list[str], series: dict[str, list], *, stacked: bool = False,
                horizontal: bool = False, value_range: tuple[float, float] | None = None) -> str:
    """Another page's figures as a bar chart in the dashboard's style (SVG): one bar series per key of ``series``."""
    kind = pygal.HorizontalBar if horizontal else pygal.StackedBar if stacked else pygal.Bar
    extra = {"range": value_range} if value_range else {}
    chart = kind(**_config(title=title, show_legend=len(series) > 1, **extra))
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return _without_scripts(chart)


def svg_response(svg: str) -> Response:
    """A chart as the SVG image a page shows through <img>: no script, never cached by a shared cache."""
    response = Response(svg, mimetype="image/svg+xml")
    # Shown as an image (so no script could run anyway); pygal styles the chart with an inline <style>.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _without_scripts(chart) -> str:
    """Serialise the chart without pygal's configuration <script> (emitted even with ``js=[]``)."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    if lxml_etree is not None and hasattr(tree, "getroottree"):  # pygal builds with lxml when it is installed
        return lxml_etree.tostring(tree, encoding="unicode")
    return ElementTree.tostring(tree, encoding="unicode")
