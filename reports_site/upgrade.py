"""Report data of editions published by earlier versions, read as the current version.

Version 1 had a fixed list of section kinds, each section holding its figures directly;
version 2 has sections holding blocks; version 3's budget tables know each column's type
(amount, rate, text), their money unit and the subtotal warnings; version 4 counts council
requests by kind and status and has the layout options of their details. Editions keep the
data they were published with (never rewritten) and are upgraded each time they are read.
"""

from django.utils import translation

from . import blocks, layouts
from . import style as house

SCHEMA = 4


V1_PROGRAM_KINDS = {"programs", "new_programs", "schedule", "kpis", "progress_matrix"}


def upgrade(data):
    """Report data of any version as the current version reads it; data of the current
    version is returned as it is."""
    if data.get("schema") == SCHEMA:
        return data
    with translation.override("ko"):  # labels the upgrade adds are in the source language
        if data.get("schema") not in (2, 3):
            data = _upgrade_v1(data)
        if data["schema"] == 2:
            data = _upgrade_v2(data)
        return data | {"schema": SCHEMA, "sections": _each_block(data["sections"], _v3_block)}


def _each_block(sections, change):
    """The sections with ``change`` applied to each block, those inside programs too."""
    return [
        section
        | {
            "blocks": [_in_programs(block, change) for block in section["blocks"]],
            "children": _each_block(section["children"], change),
        }
        for section in sections
    ]


def _in_programs(block, change):
    if block["kind"] == "programs":  # blocks placed inside programs
        programs = [
            p | {"blocks": [_in_programs(b, change) for b in p.get("blocks", [])]}
            for p in block["programs"]
        ]
        # version 2 printed program amounts in 천원 (no money option)
        return block | {"programs": programs, "money": block.get("money")}
    return change(block)


def _v3_block(block):
    return blocks.requests.upgrade(block) if block["kind"] == "council_requests" else block


def _upgrade_v2(data):
    unit = data["style"].get("money_unit", "천원")
    return data | {
        "schema": 3,
        "sections": _each_block(data["sections"], lambda block: _v2_block(block, unit)),
    }


def _v2_block(block, unit):
    """A version 2 budget table printed every column by its name, in the house's unit."""
    if block["kind"] == "schedule":
        return block | {"money": None}  # amounts in 천원
    if block["kind"] != "budget":
        return block
    columns = [
        c | {"rate": "", "type": blocks.budget.column_type(c["name"])} for c in block["columns"]
    ]
    return block | {"unit": unit, "decimals": None, "warnings": [], "columns": columns}


def _upgrade_v1(data):
    return data | {
        "schema": 2,
        "style": house.complete(data.get("style")),
        "sections": [_v1_section(s) for s in data["sections"]],
    }


def _v1_section(old):
    kind, section_id = old["kind"], old["id"]
    new = {
        "id": section_id,
        "key": kind,
        "slug": kind,
        "level": 1,
        "mark": f"{old['numeral']}.",
        "heading": old["heading"],
        "blocks": [],
        "children": [],
    }
    if kind == "general":
        for n, (heading, block) in enumerate(_v1_general(old), 1):
            child_id = f"{section_id}-{n}"
            new["children"].append(
                {
                    "id": child_id,
                    "slug": "",
                    "level": 2,
                    "mark": str(n),
                    "heading": heading,
                    "blocks": [{"id": f"{child_id}-b1", **b} for b in block],
                    "children": [],
                    "empty": False,
                }
            )
    else:
        new["blocks"] = [{"id": f"{section_id}-b1", **_v1_block(kind, old)}]
    new["empty"] = not new["blocks"] and not new["children"]
    return new


def _v1_general(old):
    """The 일반현황 of version 1 as the sub-sections the standard layout has now."""
    org = old["organisation"] | {"summary": "", "unit_word": "팀", "duties_as": "list"}
    shaped = {"total_last": False}
    parts = [("조직", [{"kind": "organisation", **org}])]
    if old.get("staffing"):
        parts.append(("인력", [{"kind": "staffing", **old["staffing"], **shaped}]))
    facilities = []
    if old.get("facilities"):
        columns = blocks.data.columns(
            blocks.data.FACILITY_COLUMNS, dict(blocks.data.FACILITY_COLUMNS)
        )
        facilities.append(
            {
                "kind": "facilities",
                **old["facilities"],
                "columns": columns,
                "subtotals": True,
                "marker": "□",
            }
        )
    if old.get("vehicles"):
        facilities.append({"kind": "vehicles", **old["vehicles"], **shaped})
    if facilities:
        parts.append(("주요시설 및 장비", facilities))
    if old.get("budget"):
        parts.append(("예산현황", [_v1_budget([old["budget"]], summary=True)]))
    return parts


def _v1_budget(tables, summary):
    columns = ["budget", "executed", "rate"] if summary else layouts.DETAIL["columns"]
    return {
        "kind": "budget",
        "tables": tables,
        "columns": blocks.data.columns(blocks.budget.BUDGET_COLUMNS, columns),
        "name_header": "단위사업명" if summary else "사업명",
        "year_in_header": not summary,
        "as_of_in_header": summary,
        "total": "top",
        "kind_titles": not summary,
    }


def _v1_block(kind, old):
    if kind == "budget_detail":
        return _v1_budget(old["tables"], summary=False)
    if kind in V1_PROGRAM_KINDS:
        programs = old["programs"]
        found = {"programs": programs}
        if kind in ("programs", "new_programs"):
            found |= {
                "index": kind == "programs",  # version 1 listed only the main programs
                "parts": blocks.programs.DEFAULT_PARTS.split(),
                "headings": blocks.programs.default_headings(),
                "marker": "□",
                "purpose_lines": False,
                "show_team": True,
            }
        if kind == "kpis":
            found["unit_in_cells"] = False
        return {"kind": "programs" if kind == "new_programs" else kind, **found}
    data = {k: v for k, v in old.items() if k not in ("kind", "id", "numeral", "heading")}
    return {"kind": kind, **data}
