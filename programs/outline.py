r"""Outlines (사업개요, 추진실적, 향후계획, free text and boxed notes) as staff type them or
paste them from HWP/Word.

The text is stored as written, one item per line with its leading marker, and parsed when
shown, so the levels survive in the web page and the PDF alike.

Markers, highest first in the documents' hierarchy (□ > ○ > ▶ > - > ·):

- ``□ ■ ▣ ◆ ◇ ◈`` level 1 (headings, and the ◆/◇ lines of boxed notes);
- ``○ ㅇ ●`` level 2 (``◯ ◦ ❍`` paste in for ``○``; ``ㅇ`` only when a space follows it);
- ``▶ ▷ ► ▸ ▹ ➢ ➤`` level 3, ranked between ``○`` and ``-``, so a ``-`` after a ``▶`` is its child;
- ``-`` level 2 on its own, one below a ``○`` or ``▶`` it follows;
- ``· ▪`` level 3 (``ㆍ ・ ‧ ∙ •`` paste in for ``·``);
- numbered items, which keep their number as typed: ``①``–``⑳`` ``㉑``… ``➀`` ``❶`` ``➊`` ``⑴``
  ``⒈`` ``㉠`` ``㉮`` ``㈀`` ``㈎`` (a space after them is optional); ``(1)`` ``1)`` (a space is
  optional); ``(가)`` ``가)`` ``가.`` (가–하, a space must follow, so "(사)한국…" stays text);
  ``1.`` (a space and then no digit must follow, so a date "5. 31." stays text);
- notes on the item above: ``※``, ``*`` ``**`` ``***``, and footnotes ``¹⁾`` ``²⁾`` ``주)``
  ``주1)``.

Nesting: an item nests under the open item it follows when it is indented deeper, or, at the
same indentation, when its marker ranks lower; a marker of the same or higher rank at the same
indentation closes the open item, and so does any item indented less. So ``○ … / - …`` nests
whether or not the paste kept its indentation, and ``- … /   - …`` nests by indentation.
A numbered item ranks just below the item it follows; the next number of the same kind at the
same indentation (``②`` after ``①``, ``(2)`` after ``(1)``) closes what opened since and stands
beside it. A note belongs to the open item at its indentation and never holds items.

Lines: a line without a marker continues the item above, joined with a space (HWP wraps long
items). To keep a line break inside an item, end the line with a backslash ``\``: the backslash
is dropped and the next unmarked line follows after a ``"\n"`` in ``Item.text`` (the template
prints it with ``linebreaksbr``). Before a marked line or on the last line the backslash is
simply dropped. Indentation of an unmarked line never matters: pastes indent wrapped lines
arbitrarily, so only the backslash, which no paste produces, keeps a break.

An item ending in ``: 4월 / 95,700천원``, ``: 2월~3월``, ``: 연중`` or ``: 29,860천원`` keeps
the period (when) and the amount (천원) apart from its text.
"""

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# marker → (rank in the documents' hierarchy, the level the marker itself stands for).
# Ranks leave gaps so a numbered item can rank just below the item it follows (rank + 1).
MARKERS = (
    dict.fromkeys("□■▣◆◇◈", (0, 1))
    | dict.fromkeys("○ㅇ●", (10, 2))
    | dict.fromkeys("▶▷►▸▹➢➤", (15, 3))
    | {"-": (20, 2)}
    | dict.fromkeys("·▪", (30, 3))
)
NOTE = "※"
# Look-alikes that HWP and Word paste in place of the markers above.
VARIANTS = {
    "◯": "○",
    "◦": "○",
    "❍": "○",
    "◻": "□",
    "◼": "■",
    "－": "-",
    "–": "-",
    "—": "-",
    "‐": "-",
} | {dot: "·" for dot in "ㆍ・‧∙•"}
# Geometric shapes that stand for numbers in these documents (△11 is minus eleven).
NUMBER_SIGNS = "△▲▽▼"

# Single characters that are numbers, each run with the kind of numbering it belongs to, so
# ② follows ① as a sibling while ㉮ under ① nests.
NUMBER_CHARS = [
    ("①", "⑳", "①"),
    ("㉑", "㉟", "①"),
    ("➀", "➉", "①"),
    ("❶", "❿", "❶"),
    ("➊", "➓", "❶"),
    ("⑴", "⒇", "(1)"),
    ("⒈", "⒛", "1."),
    ("㉠", "㉭", "㉠"),
    ("㉮", "㉻", "㉮"),
    ("㈀", "㈍", "(ㄱ)"),
    ("㈎", "㈛", "(가)"),
]
HANGUL_NUMBERS = "가나다라마바사아자차카타파하"
_CHARS = "".join(f"{first}-{last}" for first, last, _kind in NUMBER_CHARS)
_H = HANGUL_NUMBERS
NUMBERED = re.compile(
    rf"(?P<char>[{_CHARS}])\s*"
    r"|(?P<digits>[(（]\d{1,2}[)）]|\d{1,2}[)）])\s*"
    rf"|(?P<hangul>[(（][{_H}][)）]|[{_H}][)）.])\s+"
    # \s+ must not give back a space to let a digit through: "5.  31." is a date too.
    r"|(?P<dotted>\d{1,2}\.)\s+(?![\d\s])"
)
FOOTNOTE = re.compile(r"(?P<mark>[⁰¹²³⁴⁵⁶⁷⁸⁹]+[⁾)]?|주\s?\d{0,2}[)）]|\*{1,3})\s*")

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
        return is_note_marker(self.marker)


def is_note_marker(marker):
    return marker == NOTE or bool(marker and FOOTNOTE.fullmatch(marker))


class _Line(NamedTuple):
    number: int
    indent: int
    marker: str | None | bool  # None: a continuation; False: an unknown bullet
    role: str  # "symbol", "number", "note" or "" (continuation, unknown bullet)
    kind: str  # the kind of numbering of a numbered item ("①", "(1)", "가." …)
    text: str
    breaks: bool  # the line ended in a backslash: keep a break before the next line


@dataclass
class _Open:
    """An item that later lines may still nest under."""

    item: Item
    rank: int
    indent: int
    kind: str = ""


def parse(text):
    """The items of an outline, in order, each with its level (flat; see `tree`)."""
    return _build(text)[0]


def tree(text):
    """The items of an outline nested: each item's ``children`` are the items below it."""
    return _build(text)[1]


def unknown_markers(text):
    """(line number, character) for each line that starts with a bullet we do not know."""
    return [(line.number, line.text[0]) for line in _lines(text) if line.marker is False]


def validate_outline(text):
    problems = unknown_markers(text)
    if problems:
        raise ValidationError(
            [
                ValidationError(
                    _(
                        "%(line)d번째 줄이 쓸 수 없는 기호 ‘%(marker)s’(으)로 시작합니다. "
                        "1단계 □ ■ ▣ ◆ ◇ ◈, 2단계 ○ ㅇ ● -, 3단계 ▶ ▷ ► ▸ ▹ ➢ ➤ · ▪, "
                        "번호 ① ❶ ⑴ ㉮ (1) (가) 1) 가) 1. 가., 주석 ※ * ¹⁾ 주1) 중 하나로 "
                        "바꾸거나, 기호를 지워 윗줄에 이어 쓰세요."
                    ),
                    code="unknown_marker",
                    params={"line": number, "marker": char},
                )
                for number, char in problems
            ]
        )


def _build(text):
    """(the items in order, the top-level items with their children)."""
    items, roots, stack = [], [], []
    keep_break = False
    for line in _lines(text):
        if not line.role and items:  # a continuation, or an unknown bullet kept as text
            above = items[-1]
            joint = "\n" if keep_break else " "
            above.text = f"{above.text}{joint}{line.text}" if above.text else line.text
        else:  # a first line without a marker stands alone as a paragraph
            item, parent = _place(stack, line)
            (parent.children if parent else roots).append(item)
            items.append(item)
        keep_break = line.breaks
    for item in items:
        _split_suffix(item)
    return items, roots


def _lines(text):
    """A `_Line` per non-blank line."""
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.expandtabs(4).rstrip()
        breaks = line.endswith("\\")
        if breaks:
            line = line[:-1].rstrip()
        rest = line.lstrip()
        if not rest:
            continue
        indent = len(line) - len(rest)
        yield _Line(number, indent, *_marker(rest), breaks)


def _marker(rest):
    """(marker, role, kind, text) of a line without its indentation."""
    if rest[0] == NOTE:
        return NOTE, "note", "", rest[1:].strip()
    if match := FOOTNOTE.match(rest):
        return match["mark"], "note", "", rest[match.end() :]
    if match := NUMBERED.match(rest):
        mark = next(group for group in match.groups() if group)
        return mark, "number", _numbering(mark), rest[match.end() :]
    marker = VARIANTS.get(rest[0], rest[0])
    if marker == "ㅇ" and not rest[1:2].isspace():
        return None, "", "", rest  # a word that starts with ㅇ, not a marker
    if marker in MARKERS:
        return marker, "symbol", "", rest[1:].strip()
    if _is_bullet(rest[0]):
        return False, "", "", rest
    return None, "", "", rest


def _numbering(mark):
    """The kind of numbering a number belongs to: ③ → ①, (12) → (1), 다. → 가."""
    if len(mark) == 1:
        return next(kind for first, last, kind in NUMBER_CHARS if first <= mark <= last)
    mark = mark.replace("（", "(").replace("）", ")")
    return re.sub(r"\d+", "1", re.sub(f"[{HANGUL_NUMBERS}]", "가", mark))


def _is_bullet(char):
    code = ord(char)
    if char in NUMBER_SIGNS:
        return False
    return char in "+#" or 0x25A0 <= code <= 0x25FF or 0x2600 <= code <= 0x27BF


def _place(stack, line):
    """Make the item, find the open item it belongs to and its level; (item, parent or None)."""
    # Whatever is indented deeper than this line has ended, whatever this line is.
    while stack and stack[-1].indent > line.indent:
        stack.pop()
    if line.role not in ("symbol", "number"):
        # A note (or a paragraph) belongs to the item above it and never holds items itself.
        parent = stack[-1].item if stack else None
        return Item(parent.level + 1 if parent else 1, line.marker or "", line.text), parent
    if line.role == "number":
        # ② after ① (at the same indentation) stands beside it, closing what ① opened.
        for position in range(len(stack) - 1, -1, -1):
            if stack[position].indent == line.indent and stack[position].kind == line.kind:
                del stack[position:]
                break
        above = stack[-1] if stack else None
        # Just below the symbol it follows, so a lower symbol nests and a higher one closes it;
        # under another number it keeps that number's rank, at the top it holds everything.
        rank = (above.rank if above.kind else above.rank + 1) if above else -1
        level = above.item.level + 1 if above else 1
    else:
        rank, level = MARKERS[line.marker]
        while stack and stack[-1].indent == line.indent and stack[-1].rank >= rank:
            stack.pop()
        if stack:
            level = max(level, stack[-1].item.level + 1)
    parent = stack[-1].item if stack else None
    item = Item(level, line.marker, line.text)
    stack.append(_Open(item, rank, line.indent, line.kind))
    return item, parent


def _split_suffix(item):
    match = SUFFIX.search(item.text)
    if not match:
        return
    item.text = item.text[: match.start()].rstrip()
    item.when = re.sub(r"\s+", "", match["when"] or "")
    amount = match["amount"] or match["only"]
    item.amount = int(amount.replace(",", "")) if amount else None
