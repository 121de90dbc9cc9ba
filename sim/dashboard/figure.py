"""An ECharts figure that keeps its chart between updates: a step redraws, not rebuilds.

solara's ``FigureEcharts`` hands every new option to ``setOption`` with ``notMerge``,
so ECharts throws away every component and drawn element of the chart and builds
them again; its option also travels as a nested dict, which the server walks on
every render (reacton looks for elements in every argument) and the page copies,
compares and makes reactive, key by key. :func:`Figure` takes the same option (plain
dicts and lists) and sends it as one JSON string; the page parses it and merges it
into the chart already drawn whenever the merge gives exactly the new option (the
same keys everywhere, the same series by type and name: new data, widths, colours
or axis bounds), so ECharts updates the drawn elements in place. A change of
structure (a series more or less, a key gone) rebuilds the chart.
"""

from __future__ import annotations

import json

import ipyvuetify
import traitlets


class FigureWidget(ipyvuetify.VuetifyTemplate):
    """The widget: an ECharts option as JSON (``spec``), drawn by ``figure.vue``."""

    template_file = (__file__, "figure.vue")
    spec = traitlets.Unicode("{}").tag(sync=True)
    attributes = traitlets.Dict({}).tag(sync=True)


def Figure(option: dict, attributes: dict | None = None):  # noqa: N802 - an element, as solara's
    """An ECharts figure of ``option``; ``attributes`` of its box (style, class).

    A plain function, not a solara component, so that the option reaches the
    element only as a string.
    """
    spec = json.dumps(option, separators=(",", ":"), allow_nan=False)
    return FigureWidget.element(spec=spec, attributes=attributes or {})
