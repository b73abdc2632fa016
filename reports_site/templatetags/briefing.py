"""Number conventions of council documents (DESIGN §3): 1,234 / △11 / - for zero, as the
house style in force says (`reports_site.style`: zero as "-" or "0", negatives as △ or -,
dates as 2025. 6. 12. or '25.6.12.). No figure (None) is always "-", never 0."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _

from reports_site import style as house

register = template.Library()


class HouseStyleNode(template.Node):
    def __init__(self, data, nodelist):
        self.data, self.nodelist = data, nodelist

    def render(self, context):
        data = house.complete(self.data.resolve(context, ignore_failures=True))
        with house.active(data), context.push(house=data):
            return self.nodelist.render(context)


@register.tag
def housestyle(parser, token):
    """{% housestyle report.style %}…{% endhousestyle %}: what is inside prints numbers and
    dates in that style, and reads it as `house`."""
    _tag, data = token.split_contents()
    nodelist = parser.parse(("endhousestyle",))
    parser.delete_first_token()
    return HouseStyleNode(parser.compile_filter(data), nodelist)


def _grouped(value, decimals=None):
    return number_format(
        value, ".", decimal_pos=decimals, grouping=3, thousand_sep=",", force_grouping=True
    )


@register.filter
def amount(value, decimals=None):
    """Thousands separators, the house's negative sign, its zero; "-" for no figure."""
    if value is None or value == "":
        return "-"
    value = _decimal(value)
    if value == 0:
        return house.current()["zero"]
    if isinstance(value, Decimal) and decimals is None:
        value = value.normalize()
        decimals = max(0, -value.as_tuple().exponent)
    text = _grouped(abs(value), decimals)
    if value < 0:
        # Screen readers would say "삼각형"; the hidden word is dropped in print CSS.
        sign = house.current()["negative"]
        return format_html('<span class="visually-hidden">{} </span>{}{}', _("감소"), sign, text)
    return text


@register.filter
def money(value, unit=None):
    """An exact 천원 amount printed in a unit: `unit` is {"unit": "억원", "places": 1} (a
    block's money option, `reports_site.blocks.programs.money_of`), None for 천원.
    Rounded half up (`style.in_unit`); an amount that rounds to nothing prints 0 or 0.0,
    never the house's zero, which says there is none."""
    if not unit or value is None or value == "":
        return amount(value)
    places = int(unit.get("places") or 0)
    shown = house.in_unit(int(value), unit.get("unit"), places)
    if shown == 0 and int(value) != 0:
        sign = house.current()["negative"] if int(value) < 0 else ""
        return sign + _grouped(abs(shown), places)
    return amount(shown, places if isinstance(shown, Decimal) else None)


@register.filter
def signed(value):
    """Like `amount`, but a positive change is shown without a plus sign; plain text."""
    if value is None:
        return "-"
    if value == 0:
        return house.current()["zero"]
    return (house.current()["negative"] if value < 0 else "") + _grouped(abs(value))


def _decimal(value):
    return Decimal(value) if isinstance(value, str) else value


@register.filter
def rate(value):
    """A percentage with one decimal (44.2); "-" when there is no base. A negative rate
    keeps its sign even when it rounds to 0.0 (△0.0): a fall is never shown as none."""
    if value is None or value == "":
        return "-"
    value = _decimal(value)
    text = _grouped(abs(value).quantize(Decimal("0.1")), 1)
    return f"{house.current()['negative']}{text}" if value < 0 else text


@register.filter
def change_rate(row):
    """증감률 of a budget row: "순증" for a new line, else the rate with △ for a fall."""
    if row["is_new"]:
        return _("순증")
    value = row["change_rate"]
    if value is None:
        return "-"
    value = _decimal(value)
    return (house.current()["negative"] if value < 0 else "") + rate(abs(value))


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
    """2025. 6. 12. as the documents write dates ('25.6.12. in a house that shortens them)."""
    value = _date(value)
    if not value:
        return ""
    if house.current()["date_style"] == "short":
        return f"'{value.year % 100:02d}.{value.month}.{value.day}."
    return f"{value.year}. {value.month}. {value.day}."


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
    """총 무 과: a name set letter by letter, as on the cover (where the house does so)."""
    if not house.current()["cover_spaced"]:
        return value
    return " ".join(str(value).replace(" ", ""))


@register.filter
def lines(value):
    """The non-blank lines of a text (a purpose or legal basis typed one per line)."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


@register.filter
def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@register.filter
def image_file(block):
    """The stored image's URL for WeasyPrint, which reads it through the media storage
    (reports_site.pdf.fetch_stored): the PDF embeds it as stored."""
    from reports_site.pdf import media_url

    return media_url(block["name"])


@register.filter
def width_class(percent):
    """The class that sets a width in whole percents (reports/report.css): a style
    attribute would need the report pages' Content-Security-Policy to allow inline styles."""
    return f"w-{min(100, max(0, int(percent)))}"


@register.filter
def get(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def date_range(start, end):
    """2025. 6. 12. ~ 6. 27. ('25.6.12. ~ 6.27. in the short style): the end drops the
    year it shares with the start."""
    start, end = _date(start), _date(end)
    if start.year != end.year:
        return f"{kdate(start)} ~ {kdate(end)}"
    if house.current()["date_style"] == "short":
        return f"{kdate(start)} ~ {end.month}.{end.day}."
    return f"{kdate(start)} ~ {end.month}. {end.day}."
