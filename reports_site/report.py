"""The content of a briefing as plain data, for the web page, the PDF and frozen editions.

`build_report(briefing)` reads everything a briefing shows at its as-of date and returns
nested dicts and lists of strings, integers and None only. The templates read it with dot
lookups, so a live briefing and a published edition (the same data stored as JSON) render
through the same templates, and two editions can be compared key by key.

Money stays integer 천원; rates and areas are Decimals written as strings ("44.2"), so JSON
never turns them into floats.
"""

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.utils import translation
from django.utils.functional import Promise

from . import blocks, layouts
from . import style as house
from .upgrade import SCHEMA, upgrade  # noqa: F401  (editions are read through report)


def plain(value):
    """Dataclasses, Decimals, dates and lazy strings as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def content_hash(data):
    """A stable fingerprint of report data: equal data, equal hash."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def quarter_of(date):
    return (date.month - 1) // 3 + 1


# Sections and blocks ------------------------------------------------------------------


def build_block(ctx, spec, block_id):
    kind = blocks.KINDS.get(spec["kind"])
    if kind is None:  # a kind this version no longer has prints nothing
        return None
    spec = spec | {"options": blocks.options_of(kind.name, spec["options"])}
    found = kind.build(ctx, spec)
    if not found:
        return None
    return {"kind": kind.name, "id": block_id, **found}


def build_node(ctx, node, level, number, section_id):
    """A section with its printed blocks and sections; None when it has nothing to show.

    A block placed in a program (spec["program"]) prints inside that program, so it goes to
    the section's program blocks rather than after them."""
    placed = [spec for spec in node["blocks"] if spec.get("program")]
    found_blocks = [
        b
        for n, spec in enumerate(node["blocks"], 1)
        if not spec.get("program")
        and (b := build_block(ctx, spec | {"placed": placed}, f"{section_id}-b{n}"))
    ]
    children = build_nodes(ctx, node["children"], level + 1, section_id)
    if level > 1 and not found_blocks and not children:
        return None
    return {
        "id": section_id,
        "slug": node["slug"],
        "level": level,
        "mark": mark_of(ctx.style, node, level, number),
        "heading": node["heading"],
        "blocks": found_blocks,
        "children": children,
        "empty": not found_blocks and not children,
    }


def build_nodes(ctx, nodes, level, parent_id):
    """Sections below a section: the empty ones are left out, and the numbers count only
    the printed ones (a 2 never follows a missing 1)."""
    built, number = [], 0
    for n, node in enumerate(nodes, 1):
        section = build_node(ctx, node, level, number + node["numbered"], f"{parent_id}-{n}")
        if section:
            built.append(section)
            number += node["numbered"]
    return built


def mark_of(style, node, level, number):
    """The printed mark of a section's heading ("" for an unnumbered one)."""
    return house.heading_mark(style, level, number) if node["numbered"] else ""


def section_key(node, position):
    """The name a top-level section goes by in addresses: its slug, else its position."""
    return node["slug"] or str(position)


def section_id(code, key):
    return f"s-{code}-{key}"


def top_numbers(nodes):
    """The number of each top-level section: numbered ones count, others do not."""
    numbers, number = [], 0
    for node in nodes:
        number += node["numbered"]
        numbers.append(number)
    return numbers


def build_section(ctx, node, position, number):
    """One top-level section (position: from 1; number: its printed number), as plain data.

    The web pages build one section at a time with this. A top-level section keeps its
    number and place even with nothing to show (the page says so; the PDF leaves it out),
    so links to it and the numbers of the others do not move with the figures.
    """
    key = section_key(node, position)
    with translation.override("ko"):  # lazy labels (계, 정원) become Korean text here
        section = build_node(ctx, node, 1, number, section_id(ctx.department.code, key))
        return plain(section | {"key": key})


def context(briefing):
    """The builders' context; a briefing may be unsaved (a quarter's figures)."""
    style = house.of(briefing) if briefing.pk else dict(house.DEFAULT)
    return blocks.Context(briefing, briefing.department, briefing.as_of, style)


def build_report(briefing, layout=None):
    """Everything one briefing shows, as plain data (see the module docstring).

    The data is the Korean document whatever the reader's language (labels such as 계 are
    in the source language), so an edition frozen from it prints the same Korean PDF; the
    pages translate the labels as they show them (the `translated` filter).
    """
    session, department = briefing.session, briefing.department
    ctx = context(briefing)
    nodes = layouts.of(briefing) if layout is None else layout
    numbers = top_numbers(nodes)
    sections = [build_section(ctx, node, n, numbers[n - 1]) for n, node in enumerate(nodes, 1)]
    return plain(
        {
            "schema": SCHEMA,
            "style": ctx.style,
            "session": {
                "title": session.title,
                "council": session.council,
                "starts_on": session.starts_on,
                "ends_on": session.ends_on,
            },
            "department": {"code": department.code, "name": department.name_on(briefing.as_of)},
            "title": briefing.title,
            "slogan": briefing.slogan,
            "issued": briefing.issued,
            "as_of": briefing.as_of,
            "contacts": [
                {"title": c.title, "name": c.name, "phone": c.phone}
                for c in briefing.contacts.all()
            ],
            "sections": sections,
        }
    )


def walk(sections):
    """Every section of a tree, depth first, in printing order."""
    for section in sections:
        yield section
        yield from walk(section["children"])


def blocks_of(section, kind=None):
    """The blocks of a section and the sections below it, of one kind or all."""
    return [b for s in walk([section]) for b in s["blocks"] if kind is None or b["kind"] == kind]
