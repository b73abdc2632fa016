"""The Content-Security-Policy in a real browser (headless Chromium): the report pages and
the admin work with nothing refused, and the session warning shows and extends the login.

Skipped where /usr/bin/chromium is absent (tests/tools.py)."""

import datetime as dt
import io
import tempfile
import types

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reports_site import layouts

from .block_helpers import spec
from .council_factories import make_district, make_edition
from .test_council_browser import new_page
from .tools import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

# Records every refusal of the policy: an init script runs before the page's own (and is
# itself exempt from the policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def district(live_server, settings):
    """A published briefing whose section holds an image and a table with set widths (both
    once printed with style attributes)."""
    from PIL import Image

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="council-test-csp-")
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, "PNG")
    default_storage.save("blocks/plan.png", ContentFile(buffer.getvalue()))
    found = types.SimpleNamespace()
    make_district(found)
    picture = spec("image", "배치도", width=40) | {
        "image": "blocks/plan.png",
        "caption": "본관",
        "alt_text": "본관 배치도",
    }
    table = spec("table", "표", "구분\t값\n가\t1", widths="30 70")
    layouts.save(found.published, [layouts.node("그림과 표", [picture, table], slug="csp")])
    found.edition = make_edition(found.published)
    found.url = live_server.url
    return found


def violations(page):
    return page.evaluate("window.__violations")


def test_report_pages_and_the_admin_run_with_nothing_refused(browser, district):
    from .factories import make_user

    make_user(None, username="csp_admin")
    page = new_page(browser, district.url, user="csp_admin")
    page.context.add_init_script(RECORD_VIOLATIONS)
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security" in m.text else None)
    briefing = district.published
    section_url = reverse(
        "council:briefing_section", args=[briefing.session_id, district.ga.code, "csp"]
    )
    found = {}
    for url in (section_url, reverse("council:login"), reverse("admin:index"),
                reverse("admin:reports_site_briefing_change", args=[briefing.pk])):  # fmt: skip
        assert page.goto(url).status == 200, url
        if violations(page):
            found[url] = violations(page)
        if url == section_url:
            figure = page.locator("figure.figure")
            width = figure.evaluate(
                "e => e.getBoundingClientRect().width / e.parentNode.clientWidth"
            )
            assert abs(width - 0.4) < 0.02, "the width class applies"
            assert page.locator("img[alt='본관 배치도']").evaluate("e => e.naturalWidth") == 30
    # The admin's inline handler is allowed by its hash (the import-export page's toggle).
    page.goto(reverse("admin:budgets_budgetline_export"))
    toggle = page.locator("input[onchange]").first
    if toggle.count():
        toggle.click()
    if violations(page):
        found["export"] = violations(page)
    assert found == {} and messages == []
    page.context.close()


def test_the_warning_shows_before_the_end_and_its_button_extends_the_login(browser, district):
    from .factories import make_user

    user = make_user(None, username="session_admin")
    page = new_page(browser, district.url, user=user.username)
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.SESSION_WARNING_SECONDS - 60))
    session.save()
    page.goto("/")
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible", timeout=3000)
    assert "로그인 시간이 곧 끝납니다" in warning.inner_text()
    assert page.locator(".session-left").inner_text().startswith("3:")
    page.get_by_role("button", name="로그인 연장").click()
    warning.wait_for(state="hidden", timeout=3000)
    assert page.locator("#session-extended").inner_text() == "로그인 시간을 연장했습니다."
    left = SessionStore(session_key=key).get_expiry_age()
    assert abs(left - settings.SESSION_COOKIE_AGE) < 10
    page.context.close()
