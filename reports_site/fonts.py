"""The Korean font the PDF needs: refused without it, and stored PDFs checked for it.

Without a font covering Hangul, WeasyPrint draws every syllable as an empty box (tofu) and
only logs a warning; the text layer still reads as Korean, so nothing else notices.
"""

import io

from django.utils.translation import gettext as _

FONT_PACKAGE = "fonts-nanum"
HANGUL = range(0xAC00, 0xD7A4)  # the syllables 가 … 힣


class MissingFont(RuntimeError):
    pass


def check_rendered(document):
    """Refuse a WeasyPrint document (after write_pdf) that drew a character without a glyph."""
    missing = sorted({chr(c) for font in document.fonts.values() for c in font.missing})
    if missing:
        raise MissingFont(
            _(
                "PDF의 글꼴에 없는 글자가 있어 만들지 않았습니다: %(chars)s. "
                "한글 글꼴 %(package)s 이 설치되어 있는지 확인하세요."
            )
            % {"chars": " ".join(missing[:10]), "package": FONT_PACKAGE}
        )


def usable(document, pages=None):
    """Whether a stored PDF opens whole, has its pages and embeds a font for Hangul."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not document or b"%%EOF" not in document[-1024:]:
        return False
    try:
        reader = PdfReader(io.BytesIO(document), strict=True)
        if pages is not None and len(reader.pages) != pages:
            return False
        # Every briefing is Korean from its cover on; a PDF drawn without a Hangul font
        # has no readable text to tell from, but its embedded fonts say it.
        return _embeds_hangul(reader)
    except (PyPdfError, ValueError, KeyError, OSError):
        return False


def _embeds_hangul(reader):
    from fontTools.ttLib import TTFont

    for data in _font_files(reader):
        try:
            cmap = TTFont(io.BytesIO(data)).getBestCmap() or {}
        except Exception:  # a font fontTools cannot read covers nothing we can tell
            continue
        if any(code in HANGUL for code in cmap):
            return True
    return False


def _font_files(reader):
    """The embedded font programs of the first pages (the cover is Korean)."""
    for page in reader.pages[:3]:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for described in [font, *font.get("/DescendantFonts", [])]:
                descriptor = described.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                for key in ("/FontFile2", "/FontFile3", "/FontFile"):
                    if key in descriptor.get_object():
                        yield descriptor.get_object()[key].get_object().get_data()
