"""Bar charts drawn on the server as SVG: geometry here, drawing in `council/chart.html`.

Every chart is a list of labelled groups of horizontal bars (optionally with a marker line,
e.g. the plan), scaled to the largest value. The numbers are always in a table next to
the chart too (`table_id`), which is what screen readers read.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from reports_site.templatetags.briefing import translated

WIDTH = 640
LABEL_WIDTH = 200
VALUE_ROOM = 70  # right of the longest bar, for its value
BAR = 14
GAP = 12
TOP = 24
LABEL_CHARS = 14


@dataclass
class Bar:
    css: str
    x: float
    y: float
    width: float
    text: str

    @property
    def text_x(self):
        return round(self.x + self.width + 4, 1)

    @property
    def text_y(self):
        return self.y + 10


@dataclass
class Group:
    label: str
    full_label: str
    y: float
    bars: list[Bar]
    markers: list[dict] = field(default_factory=list)  # {x, y1, y2, css}
    note: str = ""

    @property
    def label_y(self):
        return self.y + 12


@dataclass
class Chart:
    id: str
    title: str
    summary: str
    table_id: str
    groups: list[Group]
    legend: list[tuple[str, str]]  # (css, label)
    ticks: list[dict]  # {x, label}
    height: float
    width: int = WIDTH
    plot_left: int = LABEL_WIDTH
    plot_bottom: float = 0
    label_x: int = LABEL_WIDTH - 8


def _short(label):
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _scale(top):
    """A round axis maximum ≥ top (1, 2, 2.5 or 5 times a power of ten)."""
    top = max(Decimal(top or 0), Decimal(1))
    step = Decimal(10) ** (len(str(int(top))) - 1)
    for multiple in (1, 2, 2.5, 5, 10):
        nice = step * Decimal(str(multiple))
        if nice >= top:
            return nice
    return step * 10


def _x(value, maximum):
    plot = WIDTH - LABEL_WIDTH - VALUE_ROOM
    share = max(Decimal(0), Decimal(value or 0) / maximum)  # no bar below zero
    return round(LABEL_WIDTH + plot * float(share), 1)


def bar_chart(chart_id, title, summary, table_id, series, rows, unit="", markers=None):
    """series: [(css, legend label, key)]; rows: [(label, {key: value})] in display order.

    markers: (css, legend label, key) drawn as a vertical line across the row's bars.
    """
    keys = [key for _css, _label, key in series] + ([markers[2]] if markers else [])
    maximum = _scale(max((Decimal(v[k] or 0) for _l, v in rows for k in keys), default=1))
    groups, y = [], TOP
    for label, values in rows:
        bars = []
        for index, (css, _legend, key) in enumerate(series):
            value = values.get(key)
            text = "-" if value is None else f"{_format(value)}{unit}"
            bars.append(
                Bar(css, LABEL_WIDTH, y + index * BAR, _x(value, maximum) - LABEL_WIDTH, text)
            )
        group = Group(_short(label), str(label), y, bars)
        if markers and values.get(markers[2]) is not None:
            x = _x(values[markers[2]], maximum)
            group.markers.append(
                {"x": x, "y1": y - 3, "y2": y + len(series) * BAR + 3, "css": markers[0]}
            )
        if values.get("note"):
            group.note = values["note"]
            bars[0].text += f" ({group.note})"
        groups.append(group)
        y += len(series) * BAR + GAP
    legend = [(css, label) for css, label, _key in series]
    if markers:
        legend.append((markers[0], markers[1]))
    ticks = [
        {"x": _x(maximum * i / 4, maximum), "label": _format(maximum * i / 4)} for i in range(5)
    ]
    return Chart(
        chart_id, title, summary, table_id, groups, legend, ticks, y + 8, plot_bottom=y - GAP + 4
    )


def _format(value):
    value = Decimal(value)
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.1')):,}"


# The three charts of the report pages ------------------------------------------------------


def execution_chart(comparison, chart_id="chart-execution", table_id="t-budget-compare"):
    """집행률 of each 예산현황 line against its plan to date (and last year's rate)."""
    if not comparison or not comparison["rows"]:
        return None
    rows = [
        (
            translated(row["name"]),  # 계 is kept in Korean by the report data
            {
                "rate": row["rate"],
                "last_rate": row["last_rate"],
                "planned_rate": row["planned_rate"],
                "note": _("계획 미달") if row["behind"] else "",
            },
        )
        for row in [comparison["total"], *comparison["rows"]]
    ]
    series = [("bar-now", _("집행률"), "rate"), ("bar-last", _("전년 동기 집행률"), "last_rate")]
    marker = ("marker-plan", _("계획 대비 목표 집행률"), "planned_rate")
    behind = sum(1 for row in comparison["rows"] if row["behind"])
    summary = _("사업별 집행률(%%), 전년 동기 집행률과 계획 집행률. 계획 미달 %(n)d개.")
    summary %= {"n": behind}
    title = _("예산 집행률과 계획")
    return bar_chart(chart_id, title, summary, table_id, series, rows, "%", marker)


def staffing_chart(comparison, chart_id="chart-staffing", table_id="t-staffing-compare"):
    """정원 and 현원 by position class."""
    if not comparison or not comparison["rows"]:
        return None
    rows = [(row["name"], row) for row in comparison["rows"]]
    series = [("bar-now", _("정원"), "authorised"), ("bar-last", _("현원"), "actual")]
    summary = _("직종별 정원과 현원(명).")
    return bar_chart(chart_id, _("직종별 정원과 현원"), summary, table_id, series, rows)


def kpi_chart(kpi, chart_id, table_id):
    """One KPI's target and actual by year."""
    if not kpi["values"]:
        return None
    rows = [(str(value["year"]), value) for value in kpi["values"]]
    series = [("bar-last", _("목표"), "target"), ("bar-now", _("실적"), "actual")]
    title = _("%(name)s: 연도별 목표와 실적") % {"name": kpi["name"]}
    summary = _("연도별 목표와 실적(%(unit)s).") % {"unit": kpi["unit"]}
    return bar_chart(chart_id, title, summary, table_id, series, rows, kpi["unit"])


def kpi_charts(programs, table_id):
    """A chart for each KPI of the programs (ids unique within the page)."""
    charts = []
    for program in programs or []:
        for number, kpi in enumerate(program["kpis"], 1):
            chart = kpi_chart(kpi, f"chart-{program['id']}-kpi-{number}", table_id)
            if chart:
                charts.append(chart)
    return charts
