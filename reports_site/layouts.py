"""Layouts as plain trees: what a briefing prints, before any figure is read.

A node is {"slug", "heading", "numbered", "blocks": [spec], "children": [node]}; a block
spec is {"kind", "options", "title", "text", "image", "caption", "alt_text"}. A saved
briefing's layout comes from its sections and blocks (`of`); a quarter's report, and a
briefing with no earlier one to copy, use `standard()`. The sections the first version
of the product knew by kind (`LEGACY`) map onto the same blocks, for old editions.
"""

from django.db import transaction
from django.utils.translation import gettext_noop

# Headings are kept in Korean in the data (the printed document's language); gettext_noop
# puts them in the catalogs, and the pages translate them as they show them (`translated`).


def block(kind, options=None, title=""):
    return {
        "kind": kind,
        "program": None,
        "options": dict(options or {}),
        "title": title,
        "text": "",
        "image": "",
        "caption": "",
        "alt_text": "",
    }


def node(heading, blocks=(), children=(), slug="", numbered=True):
    return {
        "slug": slug,
        "heading": heading,
        "numbered": numbered,
        "blocks": list(blocks),
        "children": list(children),
    }


DETAIL = {
    "kind": "all",
    "detail": True,
    "columns": ["source", "budget", "prior", "change", "change_rate", "executed", "rate"],
    "name_header": "사업명",
    "year_in_header": True,
    "as_of_in_header": False,
    "kind_titles": True,
}


def general():
    return [
        node(gettext_noop("조직"), [block("organisation")]),
        node(gettext_noop("인력"), [block("staffing")]),
        node(gettext_noop("주요시설 및 장비"), [block("facilities"), block("vehicles")]),
        node(gettext_noop("예산현황"), [block("budget")]),
    ]


# kind → (heading, blocks, children) of the sections the first version knew
LEGACY = {
    "general": (gettext_noop("일반현황"), lambda: [], general),
    "goals": (gettext_noop("업무 목표와 방향"), lambda: [block("goals")], list),
    "programs": (
        gettext_noop("주요업무 추진실적"),
        lambda: [block("programs", {"programs": "main"})],
        list,
    ),
    "new_programs": (
        gettext_noop("신규·중점사업 추진실적"),
        lambda: [block("programs", {"programs": "new_priority", "index": False})],
        list,
    ),
    "budget_detail": (
        gettext_noop("세입·세출 예산 세부현황"),
        lambda: [block("budget", DETAIL)],
        list,
    ),
    "schedule": (gettext_noop("예산집행 및 추진일정"), lambda: [block("schedule")], list),
    "kpis": (gettext_noop("성과지표"), lambda: [block("kpis")], list),
    "progress_matrix": (
        gettext_noop("주요사업 추진상황표"),
        lambda: [block("progress_matrix")],
        list,
    ),
    "council_requests": (
        gettext_noop("행정사무감사 처리결과"),
        lambda: [block("council_requests")],
        list,
    ),
}


def legacy(kind, heading=""):
    """The node of a section of the first version (kind, with the heading it was given)."""
    default, blocks, children = LEGACY[kind]
    return node(heading or default, blocks(), children(), slug=kind)


STANDARD = ["general", "programs", "new_programs", "budget_detail", "kpis", "council_requests"]


def standard():
    return [legacy(kind) for kind in STANDARD]


SECTION_FIELDS = ("id", "parent_id", "heading", "slug", "numbered")
BLOCK_FIELDS = ("kind", "program", "options", "title", "text", "image", "caption", "alt_text")


def of(briefing):
    """The briefing's section tree as nodes, in one query (sections joined to blocks)."""
    from .models import BriefingSection

    rows = (
        BriefingSection.objects.filter(briefing=briefing)
        .order_by("order", "blocks__order")
        .values(*SECTION_FIELDS, *(f"blocks__{name}" for name in BLOCK_FIELDS))
    )
    nodes, roots = {}, []
    for row in rows:
        if row["id"] not in nodes:
            found = node(row["heading"], slug=row["slug"], numbered=row["numbered"])
            nodes[row["id"]] = found
            (nodes[row["parent_id"]]["children"] if row["parent_id"] else roots).append(found)
        if row["blocks__kind"] is not None:  # a section without blocks joins to none
            spec = {name: row[f"blocks__{name}"] for name in BLOCK_FIELDS}
            nodes[row["id"]]["blocks"].append(spec | {"options": spec["options"] or {}})
    return roots


@transaction.atomic
def save(briefing, nodes):
    """Writes the nodes as the briefing's sections and blocks, after what it has (so a
    layout copied onto an empty briefing, or the standard one, becomes its own)."""
    from .models import Block, BriefingSection

    order = briefing.sections.count()
    programs = _same_programs(briefing, nodes)

    def write(items, parent):
        nonlocal order
        for item in items:
            order += 1
            section = BriefingSection.objects.create(
                briefing=briefing,
                parent=parent,
                order=order,
                heading=item["heading"],
                slug=item["slug"] if parent is None else "",
                numbered=item["numbered"],
            )
            for number, spec in enumerate(item["blocks"], 1):
                fields = {name: value for name, value in spec.items() if name != "program"}
                program = programs.get(spec["program"])
                Block.objects.create(section=section, order=number, program_id=program, **fields)
            write(item["children"], section)

    write(nodes, None)


def _same_programs(briefing, nodes):
    """{program id in the nodes: the program of the briefing's year with the same kind and
    number} (a block placed in last year's ④ goes into this year's ④), one query each way."""
    from programs.models import Program

    def ids(items):
        for item in items:
            yield from (spec["program"] for spec in item["blocks"] if spec["program"])
            yield from ids(item["children"])

    wanted = set(ids(nodes))
    if not wanted:
        return {}
    old = Program.objects.filter(pk__in=wanted).values_list("pk", "kind", "order")
    new = Program.objects.filter(department=briefing.department, year=briefing.as_of.year)
    by_place = {(p.kind, p.order): p.pk for p in new}
    return {pk: by_place.get((kind, order)) for pk, kind, order in old}


def copy_previous(briefing):
    """A new briefing's layout: the department's latest earlier briefing's structure,
    headings and block options (its figures come from the new as-of date), else the
    standard layout. Does nothing to a briefing that already has sections."""
    from .models import Briefing

    if briefing.sections.exists():
        return False
    previous = (
        Briefing.objects.filter(department=briefing.department, as_of__lt=briefing.as_of)
        .exclude(pk=briefing.pk)
        .order_by("-as_of")
        .first()
    )
    if previous is not None and previous.sections.exists():
        save(briefing, of(previous))
        return previous
    save(briefing, standard())
    return None
