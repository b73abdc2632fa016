"""The report pages in a real browser (headless Chromium): navigation, a download read back,
keyboard use, and axe-core's WCAG 2.2 AA checks on every page type, in Korean and English.

Skipped where /usr/bin/chromium is absent; the accessibility test also where axe-core,
from npm (`npm ci`, see package.json), is not installed (tests/tools.py).
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from departments.access import Role
from reports_site.models import Briefing

from .council_factories import freeze_published
from .test_demo_data import run_demo
from .tools import AXE, needs_axe, needs_chromium

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]

pytestmark = [
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo(live_server):
    run_demo()
    freeze_published()
    return live_server.url


def new_page(browser, base, language="ko", user=None, **options):
    context = browser.new_context(base_url=base, locale=language, accept_downloads=True,
                                  **options)  # fmt: skip
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    if user:
        client = Client()
        client.force_login(User.objects.get(username=user))
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base})
    context.add_cookies(cookies)
    return context.new_page()


def test_a_visitor_goes_from_home_to_a_section_and_downloads_a_table(browser, demo):
    page = new_page(browser, demo)
    page.goto("/")
    page.get_by_role("link", name="제261회", exact=False).click()
    page.get_by_role("link", name="총무과").first.click()
    page.get_by_role("link", name="I. 일반현황").first.click()
    assert page.get_by_role("heading", name="I. 일반현황").is_visible()
    assert "137,351,335" in page.inner_text("main")
    crumbs = page.get_by_role("navigation", name="현재 위치")
    assert crumbs.get_by_role("link", name="총무과").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel 2025년 예산현황 (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet["A3"].value == "계"
    assert sheet["B3"].value == 137_351_335
    assert sheet.freeze_panes == "B3"


def test_the_keyboard_alone_skips_to_the_content_and_always_shows_focus(browser, demo):
    page = new_page(browser, demo)
    briefing = Briefing.objects.get(session__number=261)
    page.goto(reverse("council:briefing_section", args=[briefing.session_id, "YDP-GA", "general"]))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="본문 바로가기")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # shown on screen once focused
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after the skip link, Tab moves inside the main content"
    for _ in range(8):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth]; })()"
        )
        assert outline[0] != "none" and outline[1] != "0px", outline


def page_types(briefing, older, committee):
    session, code = briefing.session_id, "YDP-GA"
    section = "council:briefing_section"
    return [
        reverse("council:home"),
        reverse("council:session", args=[session]),
        reverse("council:briefing", args=[session, code]),
        reverse(section, args=[session, code, "general"]),
        reverse(section, args=[session, code, "programs"]),
        reverse(section, args=[session, code, "new_programs"]),
        reverse(section, args=[older.session_id, code, "goals"]),
        reverse(section, args=[older.session_id, code, "progress_matrix"]),
        reverse("council:periods"),
        reverse("council:period", args=[2025, 2]),
        reverse("council:period_report", args=[2025, 2, code]),
        reverse("council:period_section", args=[2025, 2, code, "kpis"]),
        reverse("council:period_section", args=[2025, 2, code, "council_requests"]),
        reverse("council:departments"),
        reverse("council:department", args=[code]),
        reverse("council:committees"),
        reverse("council:committee", args=[committee.pk]),
        reverse("council:program", args=[code, 2025, "main", 1]),
        reverse("council:search") + "?q=청사",
        reverse("council:login"),
    ]


def axe_violations(page):
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in result["violations"]
    ]


@needs_axe
def test_axe_finds_no_wcag_violation_on_any_page_type_in_korean_and_english(browser, demo):
    from council.models import Committee

    briefing = Briefing.objects.get(session__number=261)
    older = Briefing.objects.filter(session__starts_on__year=2007).get()
    urls = page_types(briefing, older, Committee.objects.first())
    desktop, phone = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
    visits = [
        ("ko", desktop, "clerk", urls),
        ("ko", phone, "clerk", urls),
        ("en", desktop, "clerk", urls),
        ("ko", desktop, None, urls[:6]),  # what a visitor sees (no login)
    ]
    found = {}
    for language, viewport, user, visited in visits:
        page = new_page(browser, demo, language, user=user, viewport=viewport)
        for url in visited:
            response = page.goto(url)
            assert response.status == 200, url
            assert page.evaluate("document.documentElement.lang") == language
            violations = axe_violations(page)
            if violations:
                found[language, viewport["width"], user, url] = violations
        page.context.close()
    assert found == {}


# Lines of text a cell is laid out in, and the words it holds: a cell squeezed to one
# syllable per line has many more lines than words (a word may break once, at a bracket).
SQUEEZED_CELLS = """() => [...document.querySelectorAll('main td, main th')].flatMap(cell => {
  const words = cell.innerText.split(/\\s+/).filter(Boolean).length;
  const range = document.createRange();
  range.selectNodeContents(cell);
  const rects = [...range.getClientRects()].filter(r => r.width > 1);
  const lines = new Set(rects.map(r => Math.round(r.top))).size;
  return lines > 2 * words ? [`${cell.innerText.slice(0, 20)}: ${lines} lines`] : [];
})"""


def test_on_a_phone_no_report_page_scrolls_sideways_and_wide_tables_scroll_in_their_box(
    browser, demo
):
    from council.models import Committee

    briefing = Briefing.objects.get(session__number=261)
    older = Briefing.objects.filter(session__starts_on__year=2007).get()
    urls = page_types(briefing, older, Committee.objects.first()) + [
        reverse("council:briefing_section", args=[older.session_id, "YDP-GA", "general"]),
        reverse("council:period_section", args=[2025, 2, "YDP-GA", "budget_detail"]),
    ]
    page = new_page(browser, demo, user="clerk", viewport={"width": 390, "height": 844})
    found = {}
    for url in urls:
        assert page.goto(url).status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        squeezed = page.evaluate(SQUEEZED_CELLS)
        if width > 390 or squeezed:
            found[url] = (width, squeezed[:3])
    assert found == {}

    page.goto(reverse("council:briefing_section", args=[briefing.session_id, "YDP-GA", "general"]))
    box = page.get_by_role("region", name="인력 현황")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the staffing table is wider"
    box.focus()
    page.keyboard.press("ArrowRight")  # the keyboard scrolls the box (smoothly: wait)
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle(), timeout=5000)
    first = box.locator("tbody th").first
    left = first.bounding_box()["x"]
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert first.bounding_box()["x"] == left, "the first column stays in view"
    page.context.close()


def test_the_admin_shows_a_user_name_as_it_is_spelled(browser, live_server):
    from departments.models import Department

    from .factories import make_department, make_user

    user = make_user(Role.STAFF, make_department("총무과", Department.Kind.DISTRICT), "ga_staff")
    page = new_page(browser, live_server.url, user=user.username)
    page.goto(reverse("admin:index"))
    assert page.locator("#user-tools strong").inner_text() == "ga_staff"  # not GA_STAFF
    page.context.close()
