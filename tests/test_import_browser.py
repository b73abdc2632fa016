"""A large import in a real browser (headless Chromium): upload, the paged preview, the
confirm, the progress page that follows the background worker, and the result.

The threshold is lowered so that a small file goes to the worker, keeping the test fast;
bench/import_bench.py and docs/performance.md cover a 5,000-row file.
"""

import os
import tempfile

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from budgets.models import BudgetLine, BudgetSnapshot
from departments.access import Role
from departments.models import ImportJob

from .budget_factories import AS_OF
from .factories import make_department, make_user
from .import_factories import SNAPSHOT_HEADERS, xlsx_bytes
from .test_bulk_imports import work
from .tools import needs_chromium

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@override_settings(IMPORT_BACKGROUND_ROWS=20, IMPORT_PREVIEW_PAGE_ROWS=20)
def test_a_large_import_shows_its_progress_and_its_result(browser, live_server):
    ga = make_department("총무과")
    staff = make_user(Role.STAFF, ga)
    lines = BudgetLine.objects.bulk_create(
        BudgetLine(department=ga, year=2025, name=f"사업{n:03d}") for n in range(30)
    )
    rows = [[ga.code, 2025, "세출", line.name, AS_OF, 1_000 + n, None, None, None]
            for n, line in enumerate(lines)]  # fmt: skip
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        file.write(xlsx_bytes(SNAPSHOT_HEADERS, rows))
    client = Client()
    client.force_login(User.objects.get(pk=staff.pk))
    context = browser.new_context(base_url=live_server.url, locale="ko")
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
         "value": client.cookies[settings.SESSION_COOKIE_NAME].value},
    ])  # fmt: skip
    page = context.new_page()
    try:
        page.goto("/admin/budgets/budgetsnapshot/import/")
        page.set_input_files("input[type=file]", file.name)
        page.select_option("select[name=format]", label="xlsx")
        page.locator("input[type=submit]").click()
        assert "새 항목 30건, 고친 항목 0건, 그대로 0건." in page.inner_text("#content")
        assert "2쪽 중 1쪽" in page.inner_text("#content")
        page.get_by_role("link", name="다음").first.click()  # the preview's second page
        assert "사업029" in page.inner_text("table.import-preview")
        page.locator("input[name=confirm]").click()

        status = page.get_by_role("status")
        assert "대기" in status.inner_text()
        assert page.locator("progress").is_visible()
        assert not BudgetSnapshot.objects.exists()
        work()  # the worker, as `manage.py db_worker` runs it
        page.wait_for_selector(".import-done", timeout=10_000)  # the page refreshes itself
        assert (
            "가져오기를 마쳤습니다: 새 항목 30건, 고친 항목 0건, 그대로 0건." in status.inner_text()
        )
        assert page.locator("progress").get_attribute("value") == "100"
    finally:
        context.close()
        os.remove(file.name)
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert BudgetSnapshot.objects.count() == 30
