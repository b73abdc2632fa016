"""A council's house style as plain data, and the numbering it prints.

The style travels inside the report data (`report["style"]`), so a published edition keeps
printing the way it was published; the templates make it current while they render
(`{% housestyle %}`), and the number filters (`templatetags.briefing`) read it from there.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

# DESIGN §3: the conventions every council starts with.
DEFAULT = {
    "heading_numbering": "I. 1 □ ○",
    "program_numbering": "circled",
    "zero": "-",
    "negative": "△",
    "date_style": "dotted",
    "money_unit": gettext_noop("천원"),
    "show_contents": True,
    "cover_spaced": True,
}
FIELDS = tuple(DEFAULT)

# Money is stored in 천원; a report may print it in a larger unit.
MONEY_UNITS = {"천원": 1, "백만원": 1_000, "억원": 100_000}


def in_unit(thousands, unit, places=0):
    """An exact 천원 amount in the given unit, rounded half up to ``places`` decimals
    (a Decimal; the amount itself in 천원 or in a unit the table does not know)."""
    divisor = MONEY_UNITS.get(unit, 1)
    if thousands is None or divisor == 1:
        return thousands
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(thousands) / divisor).quantize(quantum, rounding=ROUND_HALF_UP)


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
HANGUL = "가나다라마바사아자차카타파하"
COUNTERS = {
    "I": lambda n: ROMAN[n - 1] if n <= len(ROMAN) else str(n),
    "i": lambda n: ROMAN[n - 1].lower() if n <= len(ROMAN) else str(n),
    "1": str,
    "가": lambda n: HANGUL[n - 1] if n <= len(HANGUL) else str(n),
    "①": lambda n: CIRCLED[n - 1] if n <= len(CIRCLED) else str(n),
    "A": lambda n: chr(64 + n) if n <= 26 else str(n),
}
TOKEN = re.compile(r"^(\W*)(I|i|1|가|①|A)(\W*)$")

_current = ContextVar("house_style", default=DEFAULT)


def of(briefing):
    """The style a briefing prints in: its own, else its council's, else the default."""
    if briefing.style_id:
        return as_data(briefing.style)
    return of_council(briefing.session.council) if briefing.session_id else dict(DEFAULT)


def of_council(council):
    from .models import HouseStyle

    return as_data(HouseStyle.objects.filter(council=council).first())


def as_data(style):
    if style is None:
        return dict(DEFAULT)
    return {name: getattr(style, name) for name in FIELDS}


def complete(data):
    """Report data of any age with every style field (editions older than house styles
    print with the default)."""
    return DEFAULT | (data or {})


@contextmanager
def active(data):
    token = _current.set(complete(data))
    try:
        yield
    finally:
        _current.reset(token)


def current():
    return _current.get()


def heading_mark(style, level, number):
    """The mark of the `number`-th heading at `level` (1: the top): "I.", "1", "가.", "□"."""
    tokens = complete(style)["heading_numbering"].split()
    if not tokens:
        return ""
    return numbered(tokens[min(level, len(tokens)) - 1], number)


def numbered(token, number):
    """One numbering token ("1.", "가)", "①", "I.") with the `number`-th counter in it; a
    marker ("□", "◆") or any other text is printed as it is."""
    found = TOKEN.match(token)
    if not found:
        return token
    before, counter, after = found.groups()
    return f"{before}{COUNTERS[counter](number)}{after}"


def program_mark(style, number, group=None):
    """A program's number as the house numbers programs: ①, 1, 1., or 1-1 within a group."""
    scheme = complete(style)["program_numbering"]
    if scheme == "arabic":
        return str(number)
    if scheme == "arabic_dot":
        return f"{number}."
    if scheme == "grouped":
        return f"{group}-{number}" if group else str(number)
    return COUNTERS["①"](number)
