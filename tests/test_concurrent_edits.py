"""Two people edit the same row: the second save never silently undoes the first."""

import datetime as dt
import threading
import time
from html.parser import HTMLParser

from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, skipUnlessDBFeature
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.access import Role
from departments.admin_base import ConflictChecked, TrackedAdmin
from departments.conflicts import ConflictCheckedForm
from departments.models import Department, ReportingPeriod, StaffingCount, StaffingSnapshot
from programs.models import CouncilRequest

from .budget_factories import make_line
from .factories import (
    ROW_BUILDERS,
    SHARED_ROW_BUILDERS,
    make_department,
    make_grade,
    make_snapshot,
    make_user,
    make_vehicle_size,
)
from .program_factories import make_program, make_progress

OUR_APPS = {"departments", "budgets", "programs", "reports_site", "council"}


class FormFields(HTMLParser):
    """What a browser posts for the form with id ``form_id``: every named control."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self.select = self.options = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button", "file", "image"):
            self.data.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select, self.options = attrs, []
        elif tag == "option" and self.select is not None:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and self.options and "multiple" not in self.select:
                chosen = [self.options[0][0]]
            self.data += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text.removeprefix("\n")))  # as a browser reads it
            self.textarea = None


def posted(response, form_id, **changes):
    """The page's form as a browser would send it, with some fields typed over."""
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    data.pop("_popup", None)
    for name, value in changes.items():
        data[name] = [value]
    return data


def change_form_id(model):
    return f"{model._meta.model_name}_form"


class EveryAdminIsCheckedTests(TestCase):
    def test_every_admin_and_inline_of_the_project_uses_the_check(self):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in OUR_APPS:
                continue
            with self.subTest(model=model.__name__):
                self.assertIsInstance(model_admin, TrackedAdmin)
                self.assertTrue(issubclass(model_admin.form, ConflictCheckedForm))
                for inline in model_admin.inlines:
                    self.assertTrue(issubclass(inline, ConflictChecked), inline)
                    self.assertTrue(issubclass(inline.form, ConflictCheckedForm), inline)


class EveryChangeFormRoundTripTests(TestCase):
    """Each change page carries its tokens and saves again unchanged (no false alarm)."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        make_grade()
        make_vehicle_size()
        for model, build in ROW_BUILDERS.items():
            if model is not Department:
                build(cls.department)
        for model, build in SHARED_ROW_BUILDERS.items():
            if model._meta.app_label in OUR_APPS:
                build()
        cls.superuser = make_user(None)

    def test_every_change_page_saves_unchanged_and_refuses_after_a_concurrent_save(self):
        self.client.force_login(self.superuser)
        checked = []
        for model in admin.site._registry:
            if model._meta.app_label not in OUR_APPS:
                continue
            obj = model._default_manager.order_by("pk").first()
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            with self.subTest(model=model.__name__):
                page = self.client.get(url)
                data = posted(page, change_form_id(model))
                self.assertIn("loaded_state", data, "the change form carries its token")
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 302, _errors(response))
                other = _two_other_values(obj, data)
                if other is None:
                    continue
                # Saved by someone else meanwhile: an edit of the same stale page is refused.
                name, saved, typed = other
                model._base_manager.filter(pk=obj.pk).update(**{name: saved})
                response = self.client.post(url, data | {name: [typed]})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "이 화면을 연 뒤")
                checked.append(model)
        self.assertGreater(len(checked), 15)


def _errors(response):
    context = response.context or {}
    form = context.get("adminform")
    inlines = context.get("inline_admin_formsets", [])
    return (form and form.form.errors, [i.formset.errors for i in inlines])


def _two_other_values(obj, data):
    """A text or number field of the row on its form: (name, value saved meanwhile, value
    typed by the second person), or None when the form has none (links only)."""
    fields = [
        f
        for f in obj._meta.concrete_fields
        if f.name in data and not (f.is_relation or f.choices or f.unique)
    ]
    for field in fields:  # text first: a number may be a year other rows depend on
        value = getattr(obj, field.attname)
        if isinstance(value, str) and len(value) < (field.max_length or 1000) - 1:
            return field.attname, value + "!", value + "?"
    for field in fields:
        value = getattr(obj, field.attname)
        if isinstance(value, int) and not isinstance(value, bool):
            return field.attname, value + 1, value + 2
    return None


class StaffingConcurrentEditTests(TestCase):
    """The 인력 현황 page: the snapshot itself and its staffing rows (the inline)."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.first = make_user(Role.STAFF, cls.department, username="kim")
        cls.second = make_user(Role.STAFF, cls.department, username="lee")
        cls.snapshot = make_snapshot(
            cls.department, counts=((("일반직", "8급"), 5, 4), (("일반직", "9급"), 13, 2))
        )
        cls.url = reverse("admin:departments_staffingsnapshot_change", args=[cls.snapshot.pk])

    def open_page(self, user):
        self.client.force_login(user)
        return posted(self.client.get(self.url), "staffingsnapshot_form")

    def save(self, user, data, **changes):
        self.client.force_login(user)
        return self.client.post(self.url, data | {k: [v] for k, v in changes.items()})

    def row(self, grade):
        return self.snapshot.counts.get(grade__name=grade)

    def test_the_second_save_of_a_staffing_row_is_refused_naming_field_and_values(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.assertEqual(self.save(self.first, first, **{"counts-1-actual": "3"}).status_code, 302)
        response = self.save(self.second, second, **{"counts-1-actual": "7"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "kim 님이")
        self.assertContains(response, "현원: 2 → 3")
        self.assertEqual(self.row("9급").actual, 3, "the first save stands")
        # The second person's input is on the page again, to check and save once more.
        self.assertContains(response, 'name="counts-1-actual" value="7"')
        again = posted(response, "staffingsnapshot_form")
        self.assertEqual(self.save(self.second, again).status_code, 302)
        self.assertEqual(self.row("9급").actual, 7)

    def test_editing_another_row_keeps_the_row_saved_meanwhile(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, **{"counts-1-actual": "3"})
        response = self.save(self.second, second, **{"counts-0-actual": "5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual((self.row("8급").actual, self.row("9급").actual), (5, 3))

    def test_the_second_save_of_the_snapshot_itself_is_refused(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, note="1차 수정")
        response = self.save(self.second, second, note="2차 수정")
        self.assertContains(response, "비고: (비어 있음) → 1차 수정")
        self.assertEqual(StaffingSnapshot.objects.get().note, "1차 수정")

    def test_another_field_of_the_same_row_saved_meanwhile_is_refused_not_merged(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, **{"counts-1-authorised": "14"})
        response = self.save(self.second, second, **{"counts-1-actual": "3"})
        self.assertContains(response, "정원: 13 → 14")
        self.assertEqual((self.row("9급").authorised, self.row("9급").actual), (14, 2))
        # The form shows the other's 정원 beside this user's 현원; saving again keeps both.
        self.assertContains(response, 'name="counts-1-authorised" value="14"')
        self.assertContains(response, 'name="counts-1-actual" value="3"')
        self.save(self.second, posted(response, "staffingsnapshot_form"))
        self.assertEqual((self.row("9급").authorised, self.row("9급").actual), (14, 3))

    def test_the_snapshot_left_as_loaded_keeps_what_was_saved_meanwhile(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, note="1차 수정")
        response = self.save(self.second, second, **{"counts-0-actual": "5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(StaffingSnapshot.objects.get().note, "1차 수정")
        self.assertEqual(self.row("8급").actual, 5)

    def test_a_row_deleted_meanwhile_refuses_an_edit_of_it_and_is_not_brought_back(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, **{"counts-1-DELETE": "on"})
        response = self.save(self.second, second, **{"counts-1-actual": "3"})
        self.assertContains(response, "다른 사람이 아래 행을 삭제했습니다")
        self.assertContains(response, "직급: 일반직 9급, 정원: 13, 현원: 3")
        self.assertFalse(self.snapshot.counts.filter(grade__name="9급").exists())
        # Untouched, the deleted row is simply left out of the save.
        response = self.save(self.second, second, **{"counts-0-actual": "5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(self.snapshot.counts.values_list("actual", flat=True)), [5])

    def test_the_refusal_speaks_english_in_the_english_admin(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        self.save(self.first, first, **{"counts-1-actual": "3"})
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.save(self.second, second, **{"counts-1-actual": "7"})
        self.assertContains(response, "Not saved: kim saved this item at")
        self.assertContains(response, "Your input is still in the form, and the fields")

    def test_a_page_that_cannot_be_saved_carries_no_token(self):
        # An approved quarter's rows are read-only: no hidden field, no empty column.
        ReportingPeriod.objects.create(
            department=self.department, year=2025, quarter=2, status="approved"
        )
        self.client.force_login(self.first)
        self.assertNotContains(self.client.get(self.url), "loaded_state")

    @skipUnlessDBFeature("has_select_for_update")
    def test_the_row_read_again_stays_locked_until_the_save_commits(self):
        # Two saves at the same instant: the second waits for the first, then sees its edit.
        data = self.open_page(self.first)
        with CaptureQueriesContext(connection) as queries:
            self.save(self.first, data, **{"counts-1-actual": "3"})
        locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        self.assertEqual(len(locked), 2, "the snapshot and the edited staffing row")

    def test_reverting_to_an_old_version_still_works_and_is_checked_too(self):
        self.snapshot.note = "옛 비고"
        self.snapshot.save()
        old = self.snapshot.history.latest("history_date")
        self.snapshot.note = "새 비고"
        self.snapshot.save()
        url = reverse(
            "admin:departments_staffingsnapshot_simple_history",
            args=[self.snapshot.pk, old.history_id],
        )
        self.client.force_login(self.first)
        revert = posted(self.client.get(url), "historicalstaffingsnapshot_form")
        stale = dict(revert)
        self.assertEqual(self.client.post(url, revert).status_code, 302)
        self.assertEqual(StaffingSnapshot.objects.get().note, "옛 비고")
        # The same revert page, opened before that revert was saved, is refused now.
        self.assertContains(self.client.post(url, stale), "비고: 새 비고 → 옛 비고")

    def test_a_row_added_meanwhile_is_kept(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        grade = make_grade(name="7급", order=7)
        added = {
            "counts-TOTAL_FORMS": "3",
            "counts-2-grade": str(grade.pk),
            "counts-2-authorised": "2",
            "counts-2-actual": "2",
            "counts-2-snapshot": str(self.snapshot.pk),
        }
        self.assertEqual(self.save(self.first, first, **added).status_code, 302)
        response = self.save(self.second, second, **{"counts-0-actual": "5"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(StaffingCount.objects.filter(snapshot=self.snapshot).count(), 3)


class EditableListConcurrentEditTests(TestCase):
    """The 의회 요구사항 list edits 처리 상태 in place: the same check applies there."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.first = make_user(Role.STAFF, cls.department, username="kim")
        cls.second = make_user(Role.STAFF, cls.department, username="lee")
        cls.request_row = ROW_BUILDERS[CouncilRequest](cls.department)
        cls.url = reverse("admin:programs_councilrequest_changelist")

    def open_list(self, user):
        self.client.force_login(user)
        return posted(self.client.get(self.url), "changelist-form", _save="저장")

    def test_the_second_status_change_is_refused(self):
        first, second = self.open_list(self.first), self.open_list(self.second)
        self.assertIn("form-0-loaded_state", first)
        statuses = CouncilRequest.Status
        self.client.force_login(self.first)
        response = self.client.post(self.url, first | {"form-0-status": [statuses.DONE]})
        self.assertEqual(response.status_code, 302)
        self.client.force_login(self.second)
        response = self.client.post(self.url, second | {"form-0-status": [statuses.NOT_REFLECTED]})
        self.assertContains(response, f"{statuses.DONE.label}")
        self.assertContains(response, "kim 님이")
        self.request_row.refresh_from_db()
        self.assertEqual(self.request_row.status, statuses.DONE)


def test_dates_are_compared_as_stored():
    # The token carries JSON; a date read back from it must equal the stored one.
    from departments.conflicts import plain

    snapshot = StaffingSnapshot(as_of=dt.date(2025, 5, 31))
    field = StaffingSnapshot._meta.get_field("as_of")
    assert field.to_python(plain(field, snapshot)) == snapshot.as_of

    def test_a_row_deleted_meanwhile_is_named_with_what_was_typed(self):
        second = self.open_list(self.second)
        self.request_row.delete()
        statuses = CouncilRequest.Status
        response = self.client.post(self.url, second | {"form-0-status": [statuses.DONE]})
        self.assertContains(response, "다른 사람이 아래 행을 삭제했습니다")
        self.assertContains(response, f"처리 상태: {statuses.DONE.label}")
        self.assertFalse(CouncilRequest.objects.exists(), "not brought back")


class ProgramConcurrentEditTests(TestCase):
    """A program page: typed outlines in a stacked inline, budget lines many-to-many."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.first = make_user(Role.STAFF, cls.department, username="kim")
        cls.second = make_user(Role.STAFF, cls.department, username="lee")
        cls.program = make_program(cls.department)
        cls.entry = make_progress(cls.program, achievements="□ 청사 관리\r\n  - 외벽 보수")
        cls.url = reverse("admin:programs_program_change", args=[cls.program.pk])

    def open_page(self, user):
        self.client.force_login(user)
        return posted(self.client.get(self.url), "program_form")

    def save(self, user, data, **changes):
        self.client.force_login(user)
        return self.client.post(self.url, data | {k: [v] for k, v in changes.items()})

    def test_the_second_edit_of_an_outline_is_refused_and_the_first_kept(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        first_text = first["progress-0-achievements"][0] + "\r\n  - 조명 교체"
        response = self.save(self.first, first, **{"progress-0-achievements": first_text})
        self.assertEqual(response.status_code, 302)
        response = self.save(self.second, second, **{"progress-0-plans": "- 내년 계획"})
        self.assertContains(response, "주요 추진실적: □ 청사 관리")
        self.assertContains(response, "- 조명 교체")
        self.entry.refresh_from_db()
        self.assertIn("조명 교체", self.entry.achievements)
        self.assertNotIn("내년 계획", self.entry.plans)
        # Saving the page shown again stores the first edit and the second together.
        self.assertEqual(self.save(self.second, posted(response, "program_form")).status_code, 302)
        self.entry.refresh_from_db()
        self.assertIn("조명 교체", self.entry.achievements)
        self.assertIn("내년 계획", self.entry.plans)

    def test_a_budget_line_linked_meanwhile_is_kept_when_only_a_progress_row_is_edited(self):
        first, second = self.open_page(self.first), self.open_page(self.second)
        line = make_line(self.department, "청사 관리")
        self.save(self.first, first, budget_lines=str(line.pk))
        response = self.save(self.second, second, **{"progress-0-plans": "- 내년 계획"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(list(self.program.budget_lines.all()), [line])


@skipUnlessDBFeature("has_select_for_update")
class SimultaneousSaveTests(TransactionTestCase):
    """Two saves at the same instant on PostgreSQL: the row read again waits for the other."""

    def test_a_save_waiting_for_another_sees_its_edit(self):
        department = make_department("총무과")
        staff = make_user(Role.STAFF, department, username="lee")
        snapshot = make_snapshot(department)
        url = reverse("admin:departments_staffingsnapshot_change", args=[snapshot.pk])
        self.client.force_login(staff)
        data = posted(self.client.get(url), "staffingsnapshot_form") | {"counts-0-actual": ["3"]}
        result = {}

        def second_save():
            try:
                result["status"] = self.client.post(url, data).status_code
            finally:
                connection.close()

        with transaction.atomic():  # the first save, still running
            first = StaffingSnapshot.objects.select_for_update().get(pk=snapshot.pk)
            first.note = "먼저 저장"
            first.save()
            thread = threading.Thread(target=second_save)
            thread.start()
            self.assertTrue(wait_for_a_lock_wait(), "the second save waits for the first")
        thread.join(timeout=30)
        self.assertEqual(result.get("status"), 302)
        snapshot.refresh_from_db()
        self.assertEqual(snapshot.note, "먼저 저장", "the second save kept the first one's note")
        self.assertEqual(snapshot.counts.get().actual, 3)


def wait_for_a_lock_wait(tries=300):
    """Whether another connection comes to wait for a row lock (polled, about 30 s at most)."""
    with connection.cursor() as cursor:
        for _ in range(tries):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else cached per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.1)
    return False
