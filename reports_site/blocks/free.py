"""Blocks staff type for what no figure model foresaw: a table (typed, pasted from Excel or
HWP as tab-separated text, or read from an xlsx range), an image, a boxed note, outline
text and a page break.

A free table keeps its cells as typed. Two marks join cells, as in a printed table with
merged cells: a cell holding only ``<`` belongs to the cell on its left, ``^`` to the cell
above. Numbers (1,234 / △5 / -12.5) are printed by the house rules; anything else as typed.
"""

import hashlib
import re
from decimal import Decimal

from django import forms
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from . import Kind, register
from .programs import outline_data

LEFT, UP = "<", "^"
NUMBER = re.compile(r"^[△▲-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def number(text):
    """The Decimal a typed cell stands for (△5 is minus five), or None for text."""
    text = text.strip()
    if not NUMBER.match(text):
        return None
    negative = text[0] in "△▲-"
    value = Decimal(text.lstrip("△▲-").replace(",", ""))
    return -value if negative else value


def table_grid(text, header_rows=1, header_cols=0):
    """Rows of cells {text, colspan, rowspan, header, number} from tab-separated text,
    with the merge marks resolved; covered cells are left out, as HTML wants."""
    lines = [line.rstrip("\r") for line in text.strip("\n").split("\n")]
    rows = [line.split("\t") for line in lines if line.strip()]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    owner = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            mark = value.strip()
            if mark == LEFT and c > 0:
                owner[r, c] = owner[r, c - 1]
            elif mark == UP and r > 0:
                owner[r, c] = owner[r - 1, c]
            else:
                owner[r, c] = (r, c)
    extent = {}
    for (r, c), (orow, ocol) in owner.items():
        last_r, last_c = extent.get((orow, ocol), (orow, ocol))
        extent[orow, ocol] = (max(last_r, r), max(last_c, c))
    grid = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if owner[r, c] != (r, c):
                continue
            last_r, last_c = extent[r, c]
            header = r < header_rows or c < header_cols
            found = None if header else number(value)  # a header's 2025 is a label
            cells.append(
                {
                    "text": value.strip(),
                    "rowspan": last_r - r + 1,
                    "colspan": last_c - c + 1,
                    "header": header,
                    "number": None if found is None else str(found),
                }
            )
        grid.append(cells)
    return grid


class TableOptions(forms.Form):
    header_rows = forms.IntegerField(label=_("머리 줄 수"), initial=1, min_value=0, max_value=10)
    header_cols = forms.IntegerField(label=_("머리 칸 수"), initial=0, min_value=0, max_value=10)
    format_numbers = forms.BooleanField(
        label=_("숫자를 서식대로 (천 단위 쉼표, △)"), required=False, initial=True
    )
    unit = forms.CharField(
        label=_("단위 줄"), required=False, initial="", max_length=50, help_text=_("예: 단위: 천원")
    )
    widths = forms.CharField(
        label=_("열 너비(%)"),
        required=False,
        initial="",
        max_length=100,
        help_text=_("띄어 쓴 숫자, 예: 20 50 30 (비우면 고르게)"),
    )

    def clean_widths(self):
        text = self.cleaned_data["widths"]
        if text and not all(part.isdigit() for part in text.split()):
            raise forms.ValidationError(_("열 너비는 띄어 쓴 숫자로 적습니다."))
        return text


def table(ctx, spec):
    options = spec["options"]
    grid = table_grid(spec["text"], options["header_rows"], options["header_cols"])
    if not grid:
        return None
    if not options["format_numbers"]:
        for cell in (cell for row in grid for cell in row):
            cell["number"] = None
    return {
        "title": spec["title"],
        "unit": options["unit"],
        "head": grid[: options["header_rows"]],
        "body": grid[options["header_rows"] :],
        "widths": [int(w) for w in options["widths"].split()],
    }


register(Kind("table", _("표 (직접 입력)"), table, TableOptions, fields=("title", "text")))


class ImageOptions(forms.Form):
    width = forms.IntegerField(
        label=_("너비(쪽 너비의 %)"), initial=100, min_value=10, max_value=100
    )


def file_sha(name):
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def image(ctx, spec):
    name = spec["image"]
    if not name or not default_storage.exists(name):
        return None
    return {
        "title": spec["title"],
        "name": name,
        "sha": file_sha(name),  # an edition names the file by its content, too
        "caption": spec["caption"],
        "alt": spec["alt_text"] or spec["caption"],
        "width": spec["options"]["width"],
    }


register(
    Kind(
        "image",
        _("그림"),
        image,
        ImageOptions,
        fields=("title", "image", "caption", "alt_text"),
    )
)


class NoteOptions(forms.Form):
    frame = forms.ChoiceField(
        label=_("모양"),
        choices=[
            ("box", _("상자")),
            ("bracket", _("【 제목 】")),
            ("compare", _("기존 → 개선 (→ 한 줄로 나눔)")),
        ],
        initial="box",
    )
    left = forms.CharField(label=_("왼쪽 제목"), initial="기존", max_length=20, required=False)
    right = forms.CharField(label=_("오른쪽 제목"), initial="개선", max_length=20, required=False)


def note(ctx, spec):
    options, text = spec["options"], spec["text"]
    if not text.strip() and not spec["title"]:
        return None
    found = {"title": spec["title"], "frame": options["frame"]}
    if options["frame"] == "compare":
        parts = re.split(r"^\s*→\s*$", text, maxsplit=1, flags=re.M)
        before, after = (parts + [""])[:2]
        return found | {
            "left": options["left"],
            "right": options["right"],
            "before": outline_data(before),
            "after": outline_data(after),
        }
    return found | {"items": outline_data(text)}


register(Kind("note", _("상자 글"), note, NoteOptions, fields=("title", "text")))


def text(ctx, spec):
    items = outline_data(spec["text"])
    return {"title": spec["title"], "items": items} if items or spec["title"] else None


register(Kind("text", _("글 (개요)"), text, fields=("title", "text")))


def page_break(ctx, spec):
    return {"page_break": True}


register(Kind("page_break", _("쪽 나눔"), page_break))
