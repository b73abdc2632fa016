"""What protects the logins and the pages beyond Django's own middleware.

- the client address login throttling (django-axes) counts, and the page it refuses with;
- a session that lasts a working day, with a warning before it ends (KWCAG: users may ask
  for more time) and the endpoint that extends it;
- the Content-Security-Policy and Permissions-Policy headers (Django 5.2 has no CSP).
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

# Logins ------------------------------------------------------------------------------------


def client_ip(request):
    """The address a login attempt came from.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each appended the address it saw to
    X-Forwarded-For, so the client is that many entries from the end; whatever stands
    before them the client wrote itself. Without proxies the header is ignored: anyone
    could send one to dodge the lockout."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """The page axes answers a locked-out login with (both logins)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "council/locked_out.html", {"minutes": minutes}, status=429)


# Sessions ------------------------------------------------------------------------------------


def start_session_clock(session):
    """The session ends SESSION_COOKIE_AGE from now, kept as a date so that every page
    knows how long is left (a plain age would restart at each save)."""
    session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))


@receiver(user_logged_in)
def _session_from_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)


def session_expiry(request):
    """Template context: for a logged-in user, the seconds left and when to warn."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_seconds_left": max(0, request.session.get_expiry_age()),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }


@require_POST
def extend_session(request):
    """The warning's button: another working day from now."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": _("로그인 시간이 끝났습니다. 다시 로그인하세요.")}, status=401
        )
    start_session_clock(request.session)
    return JsonResponse({"seconds_left": request.session.get_expiry_age()})


# Headers -------------------------------------------------------------------------------------

_COMMON = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# The report pages load only their own scripts, styles and images, none of them inline.
SITE_POLICY = f"default-src 'self'; {_COMMON}"
# The admin: Django's widgets set style attributes, and the import-export page's "select
# all" box has one inline handler, allowed by its hash alone.
IMPORT_EXPORT_TOGGLE = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
ADMIN_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-hashes' {IMPORT_EXPORT_TOGGLE}; "
    f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; {_COMMON}"
)
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(reverse("admin:index"))
        response.headers.setdefault(
            "Content-Security-Policy", ADMIN_POLICY if admin else SITE_POLICY
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
