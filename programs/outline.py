"""Outlines (사업개요, 추진실적, 향후계획) as staff type them or paste them from HWP/Word.

The text is stored as written, one item per line with its leading marker, and parsed when
shown, so the levels survive in the web page and the PDF alike:

- ``□`` level 1, ``○`` ``ㅇ`` ``-`` level 2, ``·`` ``▶`` level 3, ``※`` a note on the item above.
- An item sits one level below the open item it belongs to: under a higher marker
  (``○ … / - …`` as in the documents) or under the same marker indented less
  (``- … /   - …``), so nesting survives whether or not the paste kept its indentation.
- A line without a marker continues the item above (HWP wraps long items).
- An item ending in ``: 4월 / 95,700천원``, ``: 2월~3월``, ``: 연중`` or ``: 29,860천원`` keeps
  the period (when) and the amount (천원) apart from its text.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# marker → (rank in the documents' hierarchy, the level the marker itself stands for)
MARKERS = {"□": (0, 1), "○": (1, 2), "ㅇ": (1, 2), "-": (2, 2), "·": (3, 3), "▶": (3, 3)}
NOTE = "※"
# Look-alikes that HWP and Word paste in place of the markers above.
VARIANTS = {"◯": "○", "◦": "○", "－": "-", "–": "-", "—": "-", "‐": "-"} | {
    dot: "·" for dot in "ㆍ・‧∙•"
}
# Geometric shapes that stand for numbers in these documents (△11 is minus eleven).
NUMBER_SIGNS = "△▲▽▼"

WHEN = r"\d{1,2}월(?:\s*~\s*\d{1,2}월)?|연중"
AMOUNT = r"\d{1,3}(?:,\d{3})+|\d+"
SUFFIX = re.compile(
    rf"\s*:\s*(?:(?P<when>{WHEN})(?:\s*/\s*(?P<amount>{AMOUNT})\s*천원)?"
    rf"|(?P<only>{AMOUNT})\s*천원)\s*$"
)


@dataclass
class Item:
    level: int
    marker: str
    text: str
    when: str = ""
    amount: int | None = None
    children: list["Item"] = field(default_factory=list, repr=False, compare=False)

    @property
    def is_note(self):
        return self.marker == NOTE


@dataclass
class _Open:
    """An item that later lines may still nest under."""

    item: Item
    rank: int
    indent: int


def parse(text):
    """The items of an outline, in order, each with its level (flat; see `tree`)."""
    items, stack = [], []
    for _number, indent, marker, rest in _lines(text):
        if not marker:  # a continuation, or an unknown bullet kept as text
            if items:
                items[-1].text = f"{items[-1].text} {rest}"
                continue
            marker = ""  # a first line without a marker stands alone as a paragraph
        items.append(_place(stack, indent, marker, rest))
    for item in items:
        _split_suffix(item)
    return items


def tree(text):
    """The items of an outline nested: each item's ``children`` are the items below it."""
    roots, path = [], []
    for item in parse(text):
        while path and path[-1].level >= item.level:
            path.pop()
        (path[-1].children if path else roots).append(item)
        path.append(item)
    return roots


def unknown_markers(text):
    """(line number, character) for each line that starts with a bullet we do not know."""
    return [(number, rest[0]) for number, _, marker, rest in _lines(text) if marker is False]


def validate_outline(text):
    problems = unknown_markers(text)
    if problems:
        raise ValidationError(
            [
                ValidationError(
                    _(
                        "%(line)d번째 줄이 쓸 수 없는 기호 ‘%(marker)s’(으)로 시작합니다. "
                        "□(1단계), ○·ㅇ·-(2단계), ·▶(3단계), ※(주석) 중 하나로 바꾸거나, "
                        "기호를 지워 윗줄에 이어 쓰세요."
                    ),
                    code="unknown_marker",
                    params={"line": number, "marker": char},
                )
                for number, char in problems
            ]
        )


def _lines(text):
    """(line number, indent, marker, rest) per non-blank line.

    marker is None for a continuation line and False for an unknown bullet.
    """
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.expandtabs(4).rstrip()
        rest = line.lstrip()
        if not rest:
            continue
        indent = len(line) - len(rest)
        marker = VARIANTS.get(rest[0], rest[0])
        if marker == "ㅇ" and not rest[1:2].isspace():
            yield number, indent, None, rest  # a word that starts with ㅇ, not a marker
        elif marker in MARKERS or marker == NOTE:
            yield number, indent, marker, rest[1:].strip()
        elif _is_bullet(rest[0]):
            yield number, indent, False, rest
        else:
            yield number, indent, None, rest


def _is_bullet(char):
    code = ord(char)
    if char in NUMBER_SIGNS:
        return False
    return char in "*+#" or 0x25A0 <= code <= 0x25FF or 0x2600 <= code <= 0x27BF


def _place(stack, indent, marker, text):
    """Make the item and find its level from the items still open above it."""
    if marker in MARKERS:
        rank, level = MARKERS[marker]
        while stack and not _holds(stack[-1], rank, indent):
            stack.pop()
        if stack:
            level = max(level, stack[-1].item.level + 1)
        item = Item(level, marker, text)
        stack.append(_Open(item, rank, indent))
        return item
    # A note (or a paragraph) belongs to the item above it and never holds items itself.
    while stack and stack[-1].indent > indent:
        stack.pop()
    return Item(stack[-1].item.level + 1 if stack else 1, marker, text)


def _holds(open_item, rank, indent):
    if open_item.rank < rank:
        return open_item.indent <= indent
    return open_item.rank == rank and open_item.indent < indent


def _split_suffix(item):
    match = SUFFIX.search(item.text)
    if not match:
        return
    item.text = item.text[: match.start()].rstrip()
    item.when = re.sub(r"\s+", "", match["when"] or "")
    amount = match["amount"] or match["only"]
    item.amount = int(amount.replace(",", "")) if amount else None
