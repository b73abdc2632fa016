"""Number conventions of council documents (DESIGN §3): 1,234 / △11 / - for zero."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _

register = template.Library()


def _grouped(value, decimals=None):
    return number_format(
        value, ".", decimal_pos=decimals, grouping=3, thousand_sep=",", force_grouping=True
    )


@register.filter
def amount(value, decimals=None):
    """Thousands separators, △ for negatives, "-" for zero or nothing."""
    if value is None or value == "" or value == 0:
        return "-"
    value = _decimal(value)
    if value == 0:
        return "-"
    if isinstance(value, Decimal) and decimals is None:
        value = value.normalize()
        decimals = max(0, -value.as_tuple().exponent)
    text = _grouped(abs(value), decimals)
    if value < 0:
        # Screen readers would say "삼각형"; the hidden word is dropped in print CSS.
        return format_html('<span class="visually-hidden">{} </span>△{}', _("감소"), text)
    return text


@register.filter
def signed(value):
    """Like `amount`, but a positive change is shown without a plus sign; plain text."""
    if value is None or value == 0:
        return "-"
    return ("△" if value < 0 else "") + _grouped(abs(value))


def _decimal(value):
    return Decimal(value) if isinstance(value, str) else value


@register.filter
def rate(value):
    """A percentage with one decimal (44.2); "-" when there is no base."""
    if value is None or value == "":
        return "-"
    return _grouped(_decimal(value).quantize(Decimal("0.1")), 1)


@register.filter
def change_rate(row):
    """증감률 of a budget row: "순증" for a new line, else the rate with △ for a fall."""
    if row["is_new"]:
        return _("순증")
    value = row["change_rate"]
    if value is None:
        return "-"
    value = _decimal(value)
    return ("△" if value < 0 else "") + rate(abs(value))


@register.filter
def translated(value):
    """A label the code generated (계, 소계, 정원, a status or a source) in the reader's
    language. Report data keeps these in Korean, the source language, so that a published
    edition reads in every language; text people typed has no msgid and stays as typed."""
    return _(value) if value else value


@register.filter
def schedule_when(item):
    """A schedule item's month or quarter (6월, 2분기) in the reader's language; editions
    published before the month was kept show the Korean they stored."""
    if item.get("month"):
        return _("%d월") % item["month"]
    if item.get("quarter") and "month" in item:
        return _("%d분기") % item["quarter"]
    return item["when"]


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@register.filter
def kdate(value):
    """2025. 6. 12. as the documents write dates."""
    value = _date(value)
    return f"{value.year}. {value.month}. {value.day}." if value else ""


@register.filter
def kmonth(value):
    """2025. 6. (the month line of the cover)."""
    value = _date(value)
    return f"{value.year}. {value.month}." if value else ""


@register.filter
def short_date(value):
    """5.31. (as-of captions inside tables)."""
    value = _date(value)
    return f"{value.month}.{value.day}." if value else ""


@register.filter
def spaced(value):
    """총 무 과: a name set letter by letter, as on the cover."""
    return " ".join(str(value).replace(" ", ""))


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def date_range(start, end):
    """2025. 6. 12. ~ 6. 27.: the end drops the year it shares with the start."""
    start, end = _date(start), _date(end)
    if start.year == end.year:
        return f"{kdate(start)} ~ {end.month}. {end.day}."
    return f"{kdate(start)} ~ {kdate(end)}"
