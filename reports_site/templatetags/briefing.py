"""Number conventions of council documents (DESIGN §3): 1,234 / △11 / - for zero."""

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
