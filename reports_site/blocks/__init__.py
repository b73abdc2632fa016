"""The kinds of block a briefing section holds, each one registered definition.

A definition (`Kind`) says what a block of that kind is: its label, its options (a Django
form: the admin shows it, `options_of` validates stored options against it), the function
that builds its plain data for a briefing, and the template that prints it on the web and
in the PDF (`reports/blocks/<name>.html`). The reader's extras of a kind (comparisons,
charts, downloads) are registered beside the council pages (`council.extras`).

A builder returns None when the block has nothing to show: the block prints nothing, and a
section left with nothing prints no heading either.
"""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any
    build: Any  # (Context, spec) -> dict | None
    options: type[forms.Form] | None = None
    fields: tuple = field(default=())  # the Block fields the admin shows for it

    @property
    def template(self):
        return f"reports/blocks/{self.name}.html"


@dataclass(frozen=True)
class Context:
    """What every builder reads: the briefing (may be unsaved: a quarter's figures), its
    department and as-of date, and the house style."""

    briefing: Any
    department: Any
    as_of: Any
    style: dict


SCOPES = [
    ("self", _("이 부서만")),
    ("units", _("이 부서와 하위 조직 모두 (국·실이면 소관 과, 과면 팀)")),
]


class Scoped(forms.Form):
    """The scope option of a data block: a bureau rolls up its divisions with it."""

    scope = forms.ChoiceField(label=_("범위"), choices=SCOPES, initial="self")


def units(ctx, spec):
    """The reporting units a block reads (`Department.objects.units_of`): the briefing's
    department alone unless the block's scope takes in the units below it."""
    from departments.models import Department, Unit

    if spec["options"].get("scope") != "units":
        return [Unit(ctx.department, (ctx.department.pk,))]
    return Department.objects.units_of(ctx.department)


KINDS: dict[str, Kind] = {}


def register(kind):
    KINDS[kind.name] = kind
    return kind


def label(name):
    kind = KINDS.get(name)
    return kind.label if kind else name


def choices():
    return [(kind.name, kind.label) for kind in KINDS.values()]


def defaults(name):
    form = KINDS[name].options
    if form is None:
        return {}
    return {key: _initial(f) for key, f in form.base_fields.items()}


def _initial(form_field):
    value = form_field.initial
    return value() if callable(value) else value


def options_of(name, stored):
    """The block's options: the defaults, overridden by what the clerk stored and the form
    still accepts (an option a later version dropped or tightened falls back quietly, so an
    old briefing keeps rendering)."""
    values = defaults(name)
    form_class = KINDS[name].options
    if form_class is None or not stored:
        return values
    form = form_class(data=values | stored)
    if form.is_valid():
        return values | {k: v for k, v in form.cleaned_data.items() if k in values}
    good = {k: v for k, v in stored.items() if k in values and k not in form.errors}
    return values | good


from . import budget, data, free, programs, requests  # noqa: E402,F401  (each module registers its kinds)
