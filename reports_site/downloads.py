"""File names of downloads, made from titles people typed (a department, a briefing, a table).

Every download names its file through ``safe_filename`` and sends it with Django's
``content_disposition_header`` (directly or through FileResponse), which encodes Korean.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

# Path separators, which browsers cut the name at ("<script>/보고" was saved as
# "script> 보고.pdf"), and what else Windows refuses in a file name.
NOT_IN_NAMES = re.compile(r'[/\\<>:"|?*]')
# Names Windows keeps for devices, whatever their extension.
DEVICE_NAMES = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])", re.IGNORECASE)
# Below the 255 bytes file systems allow, leaving room for the " (1)" browsers add.
MAX_BYTES = 200


def safe_filename(title, extension):
    """``title`` as a file name any system saves as it is, then ``.extension``.

    Control and formatting characters go too: a newline breaks the header, and a
    right-to-left mark (U+202E) can make "보고‮fdp.exe" look like a PDF. Korean stays;
    a long title is shortened, never its extension.
    """
    text = "".join(_printable(char) for char in unicodedata.normalize("NFC", str(title)))
    text = " ".join(NOT_IN_NAMES.sub(" ", text).split())
    text = _shorten(text, MAX_BYTES - len(extension.encode()) - 1).strip(" .")
    if DEVICE_NAMES.fullmatch(text.split(".")[0]):
        text = f"_{text}"
    return f"{text or _('자료')}.{extension}"


def _printable(char):
    """Spaces of every kind become a plain space; control, format and unassigned go."""
    category = unicodedata.category(char)
    if category[0] == "Z" or char in "\t\n\r":
        return " "
    return "" if category[0] == "C" else char


def _shorten(text, limit):
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore")  # never half a Korean syllable
