"""Whole pages of published briefings for visitors who are not signed in, in the cache.

A published briefing's overview and section pages look the same to every visitor who is
not signed in: the edition never changes, and the comparisons under a section are shared
by those visitors for `EXTRAS_KEPT` seconds already (views.common). So the page itself is
kept, keyed by what it shows: the edition and the session's booklet (page numbers), the
address, the language, and the live names on it (session, department, briefing title),
so a renamed department shows at once. A page is kept no longer than the comparisons in
it would be, so it never shows figures older than they may be.

The page's CSRF token (the language form) belongs to each visitor: the page is stored with
a placeholder and every answer gets the visitor's own token, as a rendered page would.
Signed-in readers, drafts and anything with a query string are rendered as before.
"""

import hashlib
import time

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# Never in a page's text: the token is hexadecimal and letters, the placeholder is not.
CSRF_PLACEHOLDER = "@@csrf-token@@"


def applies(request, report):
    return bool(
        report.edition
        and request.method in ("GET", "HEAD")
        and not request.GET
        and not request.user.is_authenticated
    )


def key(request, report):
    briefing = report.briefing
    live = "\x1f".join(
        str(value)
        for value in (
            briefing.session.title,
            report.department.name,
            briefing.title,
            briefing.slogan,
            briefing.as_of,
        )
    )
    digest = hashlib.blake2b(live.encode(), digest_size=8).hexdigest()
    booklet = report.booklet["id"] if report.booklet else 0
    path = hashlib.blake2b(request.path.encode(), digest_size=8).hexdigest()
    return f"council:page:{report.edition['id']}:{booklet}:{get_language()}:{path}:{digest}"


def cached(request, report):
    """The stored page as this visitor's response, or None."""
    if not applies(request, report):
        return None
    html = cache.get(key(request, report))
    if html is None:
        return None
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def context(request, report):
    """What the page's context adds when it is to be stored: the placeholder token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if applies(request, report) else {}


def store(request, report, response, expires_at=None):
    """Keep the rendered page (with the placeholder) and answer with the visitor's token.
    expires_at: when the shared parts in it go stale (time.time()); None: never."""
    if not applies(request, report) or response.status_code != 200:
        return response
    html = response.content.decode()
    if CSRF_PLACEHOLDER in html:
        timeout = None if expires_at is None else expires_at - time.time()
        if timeout is None or timeout >= 1:
            cache.set(key(request, report), html, timeout)
        response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return response
