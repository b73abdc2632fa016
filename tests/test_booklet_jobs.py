"""The booklet made in the background: progress, failures on the page, recovery, access."""

import datetime as dt
import io
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from departments.access import Role
from departments.models import Department
from reports_site import tasks
from reports_site.models import BookletJob, Briefing, CouncilSession, WorkerHeartbeat

from .council_factories import freeze_published
from .factories import make_user
from .test_demo_data import run_demo
from .test_pdf import MEDIA
from .tools import needs_korean_font

pytestmark = needs_korean_font  # every test here renders a PDF (reports_site.fonts)


def work():
    """Run the queued tasks the way `manage.py db_worker` does in production."""
    # The worker closes connections outside autocommit, which inside a test's transaction
    # would drop the test database connection on PostgreSQL.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())


@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class BookletJobTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        freeze_published()
        cls.session = CouncilSession.objects.get(number=261)
        cls.clerk = make_user(Role.CLERK)
        cls.url = reverse("admin:reports_site_booklet", args=[cls.session.pk])

    def start(self):
        self.client.force_login(self.clerk)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        self.assertRedirects(response, self.url)
        return BookletJob.objects.get(session=self.session)

    def test_the_clerk_starts_it_the_page_follows_it_and_offers_the_download(self):
        job = self.start()
        page = self.client.get(self.url)
        self.assertContains(page, 'http-equiv="refresh"')
        self.assertContains(page, "대기")

        seen = []
        original = tasks._update

        def record(job, **fields):
            if "percent" in fields:
                seen.append((fields["percent"], fields.get("current")))
            original(job, **fields)

        with mock.patch.object(tasks, "_update", record):
            work()
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.DONE)
        self.assertEqual(job.percent, 100)
        self.assertEqual(seen[0], (0, "총무과"))  # the department being rendered is named
        self.assertEqual([p for p, _ in seen], sorted(p for p, _ in seen))
        page = self.client.get(self.url)
        self.assertNotContains(page, 'http-equiv="refresh"')
        download = reverse("admin:reports_site_booklet_pdf", args=[self.session.pk, 1])
        self.assertContains(page, download)
        response = self.client.get(download)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF-"))

    def test_a_failure_is_shown_on_the_page(self):
        job = self.start()
        with mock.patch("reports_site.editions.pdf.booklet_pdf", side_effect=OSError("글꼴 없음")):
            work()
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.FAILED)
        self.assertEqual(DBTaskResult.objects.get().status, TaskResultStatus.FAILED)
        page = self.client.get(self.url)
        self.assertContains(page, "책자를 만들지 못했습니다.")
        self.assertContains(page, "OSError: 글꼴 없음")

    def test_a_job_whose_worker_died_is_picked_up_again_by_the_recovery_command(self):
        job = self.start()
        # What a worker killed mid-job leaves behind: both rows RUNNING, no heartbeat since.
        old = timezone.now() - dt.timedelta(minutes=30)
        DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=old)
        BookletJob.objects.filter(pk=job.pk).update(
            status=BookletJob.Status.RUNNING, percent=40, heartbeat_at=old, attempts=1
        )
        work()  # a new worker does not touch a RUNNING task
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.RUNNING)

        with self.captureOnCommitCallbacks(execute=True):
            call_command("recover_booklet_jobs", stdout=io.StringIO())
        work()
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.DONE)
        self.assertEqual(job.attempts, 2)
        self.assertEqual(
            sorted(DBTaskResult.objects.values_list("status", flat=True)),
            [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL],
        )

    def test_a_fresh_job_is_left_alone_by_the_recovery_command(self):
        job = self.start()
        BookletJob.objects.filter(pk=job.pk).update(
            status=BookletJob.Status.RUNNING, heartbeat_at=timezone.now()
        )
        call_command("recover_booklet_jobs", stdout=io.StringIO())
        self.assertEqual(BookletJob.objects.get().status, BookletJob.Status.RUNNING)

    def test_a_second_request_while_one_runs_joins_it(self):
        first = self.start()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url)
        self.assertEqual(BookletJob.objects.get(), first)
        self.assertEqual(DBTaskResult.objects.count(), 1)


@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class BriefingPdfAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.briefing = Briefing.objects.get(session__number=261, department__code="YDP-GA")
        ga = Department.objects.get(code="YDP-GA")
        clean = Department.objects.get(code="YDP-CLEAN")
        cls.ga_staff = make_user(Role.STAFF, ga)
        cls.clean_staff = make_user(Role.STAFF, clean)
        cls.clerk = make_user(Role.CLERK)

    def url(self, name, *args):
        return reverse(f"admin:reports_site_{name}", args=[self.briefing.pk, *args])

    def test_the_department_downloads_its_pdf_and_another_department_gets_404(self):
        self.client.force_login(self.ga_staff)
        response = self.client.get(self.url("briefing_pdf"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.client.force_login(self.clean_staff)
        self.assertEqual(self.client.get(self.url("briefing_pdf")).status_code, 404)
        self.assertEqual(self.client.get(self.url("editions")).status_code, 404)

    def test_only_the_clerk_publishes_and_editions_download_as_stored(self):
        self.client.force_login(self.ga_staff)
        self.assertEqual(self.client.post(self.url("publish")).status_code, 403)
        self.client.force_login(self.clerk)  # the demo's 2025 quarters are not approved
        response = self.client.post(self.url("publish"), {"confirm_unapproved": "yes"})
        self.assertRedirects(response, self.url("editions"))
        edition = self.briefing.editions.get()
        page = self.client.get(self.url("editions"))
        self.assertContains(page, self.url("edition_pdf", 1))
        stored = b"".join(self.client.get(self.url("edition_pdf", 1)).streaming_content)
        with edition.pdf.open("rb") as file:
            self.assertEqual(stored, file.read())
        self.client.force_login(self.ga_staff)  # the department reads its editions
        self.assertEqual(self.client.get(self.url("edition_pdf", 1)).status_code, 200)


class WorkerSeenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from .factories import make_session

        cls.clerk = make_user(Role.CLERK)
        cls.url = reverse("admin:reports_site_booklet", args=[make_session().pk])

    def test_the_booklet_page_says_when_no_worker_was_seen_recently(self):
        self.client.force_login(self.clerk)
        self.assertContains(self.client.get(self.url), "작업 처리기(db_worker)가 보이지 않습니다")
        WorkerHeartbeat.objects.create(
            worker_id="gone", seen_at=timezone.now() - dt.timedelta(minutes=5)
        )
        self.assertContains(self.client.get(self.url), "작업 처리기(db_worker)가 보이지 않습니다")
        work()  # a worker runs: it is seen
        self.assertNotContains(self.client.get(self.url), "보이지 않습니다")
        self.assertEqual(WorkerHeartbeat.objects.alive().count(), 1)
