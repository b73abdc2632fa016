"""The council-briefing PDF: department parts rendered once, merged, page numbers stamped.

A department's part (its sections, from `reports/pdf/part.html`) carries no page numbers, so
the same part fits a one-department PDF and any place in a session booklet, and is rendered
once per content (`RenderedPart`, keyed by the hash of its data and of the design). Parts
render in parallel processes. Then, knowing every part's length and where its sections and
programs start (WeasyPrint's anchors), we render the front matter (cover, 보고 순서) with
real numbers and one light overlay document holding the footers and the program index's
page numbers, and lay it over the merged pages.
"""

import contextlib
import contextvars
import ctypes
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import mimetypes
import multiprocessing
import os
import re
import signal
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connections
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import files, fonts, style
from .report import content_hash, upgrade

STYLESHEETS = ("reports/report.css", "reports/print.css")
A4_WIDTH_PX = 210 / 25.4 * 96  # the page width in the CSS pixels WeasyPrint reports
TEMPLATES = Path(settings.BASE_DIR, "templates", "reports")
ASCII_SPACE = re.compile(r"[ \t\r\n\f]+")
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


@dataclasses.dataclass
class Part:
    key: str
    pdf: bytes
    pages: int
    anchors: dict  # id → [page index in the part, right, top] (CSS px from the top left)
    name: str = ""


@functools.cache
def design_version():
    """Changes whenever a template or stylesheet of the PDF does, so cached parts expire."""
    digest = hashlib.sha256()
    files = sorted(TEMPLATES.rglob("*.html")) + [Path(finders.find(s)) for s in STYLESHEETS]
    files.append(Path(settings.BASE_DIR, "templates", "programs", "outline.html"))
    files.append(Path(settings.BASE_DIR, "templates", "tables", "count_table.html"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def part_key(data):
    return content_hash({"design": design_version(), "data": data})


def allowed_file(url):
    """Whether WeasyPrint may read this URL: only a file among the project's static files
    or the stored media (a block's image). A title or a pasted cell never becomes markup,
    but if one did, it could not pull /etc/passwd or an intranet address into a PDF."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(url2pathname(unquote(parts.path))).resolve()  # symlinks and .. followed
    roots = [Path(settings.MEDIA_ROOT).resolve(), *_static_roots()]
    return any(path.is_relative_to(root) for root in roots)


@functools.cache
def _static_roots():
    roots = {Path(settings.STATIC_ROOT)}
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.add(Path(storage.location))
    return [root.resolve() for root in roots]


# A block image in the PDF: `media:` and its name in the media storage (the name quoted), read
# through the storage, so the same markup works on a local folder and in an S3 bucket.
MEDIA_SCHEME = "media:"
MEDIA_IMAGES = "blocks/"  # Block.image's upload_to: no other stored file goes into a PDF


def media_url(name):
    return MEDIA_SCHEME + quote(name)


def stored_image_name(url):
    """The stored name a `media:` URL names, or None when it names nothing we embed."""
    if not url.startswith(MEDIA_SCHEME):
        return None
    name = unquote(url.removeprefix(MEDIA_SCHEME))
    if not name.startswith(MEDIA_IMAGES) or ".." in name.split("/") or "\\" in name:
        return None
    return name


def fetch_stored(url):
    """The stored image's bytes, as WeasyPrint takes them."""
    from django.core.files.storage import default_storage
    from weasyprint.urls import URLFetcherResponse

    name = stored_image_name(url)
    if name is None:
        raise ValueError(f"not fetched: {url[:200]}")
    with default_storage.open(name, "rb") as stored:
        body = stored.read()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(MEDIA_SCHEME):
                return fetch_stored(url)
            if not allowed_file(url):
                raise ValueError(f"not fetched: {url[:200]}")  # WeasyPrint warns, draws none
            return super().fetch(url, headers)

    return LocalFilesOnly


def _fetcher():
    """A fetcher per document: one keeps the request it opens between calls."""
    return _fetcher_class()()


@functools.cache
def _stylesheets():
    from weasyprint import CSS

    return [CSS(filename=finders.find(name), url_fetcher=_fetcher()) for name in STYLESHEETS]


def _render(html):
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_fetcher())
    return document.render(stylesheets=_stylesheets())


def _squeezed(html):
    """The HTML with each run of ASCII white space (the templates' indentation) as one space:
    how it prints already (no element of a part keeps white space), with far fewer
    characters and text nodes for the parser and the layout."""
    return ASCII_SPACE.sub(" ", html)


def _write(document):
    """The document's PDF, refused when a character was drawn without a glyph (tofu)."""
    pdf = document.write_pdf()
    fonts.check_rendered(document)
    return pdf


def render_part(data) -> Part:
    """One department's sections as a PDF, with where each anchor landed."""
    with translation.override("ko"):
        html = render_to_string("reports/pdf/part.html", {"report": data})
    document = _render(_squeezed(html))
    anchors = {}
    for index, page in enumerate(document.pages):
        for name, (_left, top, right, _bottom) in page.anchors.items():
            # An element that runs over pages has an anchor on each: keep where it starts.
            anchors.setdefault(name, [index, round(right, 2), round(top, 2)])
    return Part(part_key(data), _write(document), len(document.pages), anchors)


# Parts, cached ----------------------------------------------------------------------------


def cached_part(key):
    from .models import RenderedPart

    row = RenderedPart.objects.filter(key=key).first()
    if row is None:
        return None
    try:
        with row.pdf.open("rb") as stored:
            document = stored.read()
    except FileNotFoundError:  # the media folder was cleared: render it again
        document = b""
    if not fonts.usable(document, row.pages):  # lost, cut short, or drawn without the font
        files.delete_quietly(row.pdf)
        row.delete()
        return None
    return Part(key, document, row.pages, row.anchors)


def store_part(part):
    """Keep a rendered part; its file is complete before a row points at it."""
    from django.db import IntegrityError, transaction

    from .models import RenderedPart

    if RenderedPart.objects.filter(key=part.key).exists():
        return
    row = RenderedPart(key=part.key, pages=part.pages, anchors=part.anchors)
    files.save_whole(row.pdf, f"{part.key}.pdf", part.pdf)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # another process stored the same part meanwhile
        files.delete_quietly(row.pdf)
    except BaseException:
        files.delete_quietly(row.pdf)
        raise


def workers():
    return max(1, int(getattr(settings, "BRIEFING_PDF_WORKERS", 0) or os.cpu_count() or 1))


# Claims: a part is rendered by one process at a time ----------------------------------------
#
# A process renders a part only after inserting its claim row (PartClaim, unique by key), so
# two booklets asking for the same part at once render it once: the second waits for the
# first's RenderedPart. A claim whose owner died (kill -9, a lost machine) grows old and is
# taken over by an UPDATE conditioned on its age, which only one process can win.

CLAIM_STALE = dt.timedelta(minutes=2)  # far longer than any part takes (about a second)
POLL = 0.2  # seconds between looks at parts other processes render


def claim(key, token):
    """Whether we (token) now hold the part's claim; False while another process has it."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from .models import PartClaim

    now = timezone.now()
    try:
        with transaction.atomic():
            PartClaim.objects.create(key=key, owner=token, claimed_at=now)
        return True
    except IntegrityError:
        pass
    stale = PartClaim.objects.filter(key=key, claimed_at__lt=now - CLAIM_STALE)
    return bool(stale.update(owner=token, claimed_at=now))


def release(token, key=None):
    """Give up our claim on one part, or on all of them."""
    from .models import PartClaim

    claims = PartClaim.objects.filter(owner=token)
    (claims.filter(key=key) if key else claims).delete()


def still_ours(token):
    """Our claims are fresh again: a long render is not taken for a dead one."""
    from django.utils import timezone

    from .models import PartClaim

    PartClaim.objects.filter(owner=token).update(claimed_at=timezone.now())


def _wait():
    time.sleep(POLL)


def stored_keys(keys):
    from .models import RenderedPart

    return set(RenderedPart.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def render_claimed(key, data):
    """Render and store the part unless it is stored or another process renders it.

    What a part task runs: True when this process rendered it."""
    token = uuid.uuid4().hex
    if not claim(key, token):
        return False
    try:
        if cached_part(key) is not None:  # finished by another process before our claim
            return False
        store_part(render_part(data))
        return True
    finally:
        release(token, key)


# Sharing parts with the other workers of the installation (manage.py db_worker) -----------

_hand_out = contextvars.ContextVar("hand_out", default=None)


@contextlib.contextmanager
def shared_with_workers(hand_out):
    """Inside, parts_for renders one part at a time in this process and first calls
    hand_out(reports) with the reports whose parts are missing, so that every worker process
    takes some of them (reports_site.tasks.render_part): each worker is one renderer."""
    token = _hand_out.set(hand_out)
    try:
        yield
    finally:
        _hand_out.reset(token)


def parts_for(reports, progress=None):
    """A Part for each report, from the cache or rendered (in parallel when it pays).

    Only parts this process claimed are rendered here; a part another process (a booklet
    made at the same time, another worker) is rendering is waited for. progress(done, total,
    department) counts the parts done, whoever rendered them."""
    keys = [part_key(data) for data in reports]
    data_of = dict(zip(keys, reports, strict=True))
    parts = {key: cached_part(key) for key in data_of}
    pending = [key for key in data_of if parts[key] is None]
    hand_out = _hand_out.get()
    if pending and hand_out:
        hand_out([data_of[key] for key in pending])
    total = len(data_of)
    batch = 1 if hand_out else len(pending)  # shared: one at a time, the others help
    token, reported, last_report = uuid.uuid4().hex, None, 0.0
    while pending:
        mine = []
        for key in pending:
            if len(mine) == batch:
                break
            if not claim(key, token):
                continue
            parts[key] = cached_part(key)  # stored before our claim: nothing to render
            if parts[key] is None:
                mine.append(key)
            else:
                release(token, key)
        try:
            rendered = _render_all([data_of[key] for key in mine])
            for key in mine:
                done = total - len(pending)
                if progress:
                    progress(done, total, data_of[key]["department"]["name"])
                    reported, last_report = done, time.monotonic()
                parts[key] = next(rendered)
                store_part(parts[key])
                release(token, key)
                pending.remove(key)
                if len(mine) > 1:
                    still_ours(token)
        finally:
            release(token)
        if not mine and pending:  # every missing part is being rendered elsewhere
            _wait()
            for key in stored_keys(pending):
                parts[key] = cached_part(key)
        pending = [key for key in pending if parts[key] is None]
        done = total - len(pending)
        if progress and pending and (done != reported or time.monotonic() - last_report > 10):
            progress(done, total, "")  # also the job's heartbeat while it waits
            reported, last_report = done, time.monotonic()
    if progress:
        progress(total, total, "")
    return [
        dataclasses.replace(parts[key], name=data["department"]["name"])
        for key, data in zip(keys, reports, strict=True)
    ]


def _render_all(reports):
    """Rendered parts in order; the work runs in worker processes when there is enough."""
    if len(reports) <= 1 or workers() == 1:
        yield from map(render_part, reports)
        return
    with render_pool() as pool:
        yield from pool.map(render_part, reports)


def render_pool():
    """Processes rendering parts, which end with the process that started them.

    fork: the children share the parent's loaded Django and templates; they render plain
    data only and never touch the database."""
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(
        max_workers=workers(),
        mp_context=context,
        initializer=_start_render_process,
        initargs=(os.getpid(),),
    )


_inherited = []  # the parent's database connections, kept from being finalised here


def _start_render_process(parent):
    # The worker's graceful SIGTERM handler came with the fork: a render process that
    # kept it would ignore SIGTERM. Ctrl-C is for the parent to handle.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _let_go(connection)
    _fresh_storages()


def _fresh_storages():
    """Media storages opened again here: an S3 storage's pooled connections came with the
    fork and are the parent's sockets, which two processes must not talk over at once."""
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty

    storages._storages.clear()
    default_storage._wrapped = empty


def _die_with(parent):
    """Killed when the parent dies, even by kill -9 (Linux), else stopped by a watchdog."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent):
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _let_go(connection):
    """Give up the parent's database connection without ending it.

    Closing it the normal way would end the parent's PostgreSQL session; only this
    process's copies of its file descriptors are closed, and the Python object is kept
    so that no finaliser runs here."""
    _inherited.append(connection.connection)
    if connection.vendor == "postgresql":
        os.close(connection.connection.fileno())
    elif connection.vendor == "sqlite" and os.path.isdir("/proc/self/fd"):
        database = os.path.realpath(str(connection.settings_dict["NAME"]))
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}").startswith(database):
                    os.close(int(fd))
            except OSError:
                pass
    connection.connection = None


# Assembly ---------------------------------------------------------------------------------


def section_pages(parts):
    """{anchor id: printed page number} for every section and program of the parts."""
    pages, start = {}, 1
    for part in parts:
        for name, (index, _x, _y) in part.anchors.items():
            if not name.startswith("ref-"):
                pages[name] = start + index
        start += part.pages
    return pages


def _overlay_pages(parts, pages):
    """One page per content page: its folio and the program index's page numbers."""
    overlay, number = [], 1
    for part in parts:
        marks = [[] for _ in range(part.pages)]
        for name, (index, x, y) in part.anchors.items():
            if name.startswith("ref-") and name[4:] in pages:
                marks[index].append(
                    {"right": round(A4_WIDTH_PX - x, 2), "top": y, "text": pages[name[4:]]}
                )
        for page_marks in marks:
            overlay.append({"number": number, "marks": page_marks})
            number += 1
    return overlay


def _overlay(overlay_pages):
    html = render_to_string("reports/pdf/overlay.html", {"pages": overlay_pages})
    return _write(_render(html))


def _piece(job):
    """One of the documents assembly renders (run in a render process when it pays)."""
    kind, argument = job
    return _front(argument) if kind == "front" else _overlay(argument)


def _front_and_overlays(front_context, overlay_pages):
    """The front matter and the overlay (in slices): at once, in render processes, as each
    takes seconds for a booklet of hundreds of pages."""
    count = workers() if len(overlay_pages) > 100 else 1
    size = -(-len(overlay_pages) // count) or 1
    jobs = [("front", front_context)] + [
        ("overlay", overlay_pages[start : start + size])
        for start in range(0, max(len(overlay_pages), 1), size)
    ]
    if count == 1:
        results = [_piece(job) for job in jobs]
    else:
        with render_pool() as pool:
            results = list(pool.map(_piece, jobs))
    return results[0], results[1:]


def _front(context):
    """Cover and contents: the PDF, and where each contents line sits (for its link)."""
    with translation.override("ko"):
        html = render_to_string("reports/pdf/front.html", context)
    document = _render(html)
    lines = {
        name[4:]: (index, box)
        for index, page in enumerate(document.pages)
        for name, box in page.anchors.items()
        if name.startswith("toc-")
    }
    return _write(document), lines


def _link_contents(writer, lines, pages, front_pages):
    """Make each contents line a link to its page: the merge drops WeasyPrint's links."""
    from pypdf.annotations import Link

    points = 72 / 96  # CSS px → PDF points
    for anchor, (index, (left, top, right, bottom)) in lines.items():
        if anchor not in pages:
            continue
        height = float(writer.pages[index].mediabox.height)
        rect = (left * points, height - bottom * points, right * points, height - top * points)
        target = front_pages + pages[anchor] - 1
        writer.add_annotation(index, Link(rect=rect, target_page_index=target))


def assemble(front_context, parts, metadata):
    """The final PDF: front matter, the parts, stamped page numbers, bookmarks, metadata."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    pages = section_pages(parts)
    front_context["entries"] = [
        {**entry, "page": pages.get(entry["anchor"], "")} for entry in front_context["entries"]
    ]
    writer = PdfWriter()
    (front, lines), overlays = _front_and_overlays(front_context, _overlay_pages(parts, pages))
    writer.append(PdfReader(io.BytesIO(front)))
    front_pages = len(writer.pages)
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part.pdf)), outline_item=part.name or None)
    stamps = (stamp for overlay in overlays for stamp in PdfReader(io.BytesIO(overlay)).pages)
    for index, stamp in enumerate(stamps):
        writer.pages[front_pages + index].merge_page(stamp)
    _link_contents(writer, lines, pages, front_pages)
    writer.add_metadata({f"/{key}": value for key, value in metadata.items()})
    writer._root_object[NameObject("/Lang")] = TextStringObject("ko")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), pages


# The two documents ------------------------------------------------------------------------


def contents_entries(data, level):
    """The 보고 순서 lines (and bookmarks) of a report: its printed top-level sections."""
    return [
        {"level": level, "label": f"{s['mark']} {s['heading']}".strip(), "anchor": s["id"]}
        for s in data["sections"]
        if not s["empty"]
    ]


@translation.override("ko")  # the council prints in Korean, whoever asks for the PDF
def briefing_pdf(data, progress=None):
    """One department's briefing: (pdf bytes, {anchor id: page}). data: build_report()."""
    data = upgrade(data)
    parts = parts_for([data], progress)
    entries = contents_entries(data, 1)
    context = {
        "style": data["style"],
        "title": f"{data['department']['name']} {data['title']}",
        "author": data["department"]["name"],
        "session": data["session"],
        "slogan": data["slogan"],
        "heading": data["title"],
        "cover_name": data["department"]["name"],
        "issued": data["issued"],
        "entries": entries,
    }
    metadata = {
        "Title": context["title"],
        "Author": context["author"],
        "Subject": data["session"]["title"],
    }
    return assemble(context, parts, metadata)


@translation.override("ko")
def booklet_pdf(session, reports, progress=None):
    """The session booklet: one cover, one 보고 순서, every department's part in order."""
    reports = [upgrade(data) for data in reports]
    parts = parts_for(reports, progress)
    entries = []
    for data in reports:
        code = data["department"]["code"]
        entries.append({"level": 1, "label": data["department"]["name"], "anchor": f"start-{code}"})
        entries += contents_entries(data, 2)
    year = session.starts_on.year
    heading = _("%(year)d년 주요업무 보고") % {"year": year}
    context = {
        "style": style.of_council(session.council),
        "title": f"{session.title} {heading}",
        "author": session.council,
        "session": {
            "title": session.title,
            "starts_on": session.starts_on,
            "ends_on": session.ends_on,
        },
        "slogan": "",
        "heading": heading,
        "cover_name": session.council,
        "issued": session.starts_on,
        "entries": entries,
    }
    metadata = {"Title": context["title"], "Author": session.council, "Subject": session.title}
    return assemble(context, parts, metadata)
