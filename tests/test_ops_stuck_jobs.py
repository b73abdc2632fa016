"""`manage.py stuck_jobs`: the work a dead worker left RUNNING is listed and, with
--requeue, finished by another worker, without a second edition."""

import datetime as dt
import io
import tempfile
from unittest import mock

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reports_site import editions, tasks
from reports_site.models import BookletJob, Edition, WorkerHeartbeat

from .council_factories import make_district
from .test_booklet_jobs import work

MEDIA = tempfile.mkdtemp(prefix="briefing-test-stuck-")


def tiny_pdf():
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


def stuck_jobs(*args):
    out = io.StringIO()
    call_command("stuck_jobs", *args, stdout=out)
    return out.getvalue()


# The booklet's PDF, drawn without WeasyPrint: these tests are about the queue, not the PDF.
fake_booklet = mock.patch(
    "reports_site.editions.pdf.booklet_pdf", new=lambda *args, **kwargs: (tiny_pdf(), {})
)


@override_settings(MEDIA_ROOT=MEDIA)
@fake_booklet
class StuckBookletTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)  # a session with one published edition

    def start(self):
        with self.captureOnCommitCallbacks(execute=True):
            return tasks.start_booklet(self.session)

    def taken_by(self, worker, started_ago, progress_ago):
        """What a worker leaves when it dies with the job: the task RUNNING, claimed by it,
        and the job row RUNNING with its last progress."""
        now = timezone.now()
        DBTaskResult.objects.update(
            status=TaskResultStatus.RUNNING,
            started_at=now - started_ago,
            worker_ids=[worker],
        )
        BookletJob.objects.update(
            status=BookletJob.Status.RUNNING, heartbeat_at=now - progress_ago, attempts=1
        )

    def test_killed_after_saving_the_booklet_it_is_requeued_and_finishes_without_a_copy(self):
        job = self.start()
        # kill -9 between the booklet's edition being stored and the job marked done.
        first = editions.publish_booklet(self.session)
        self.taken_by("dead-worker", dt.timedelta(minutes=2), dt.timedelta(seconds=30))

        listed = stuck_jobs()
        self.assertIn("[책자]", listed)
        self.assertIn(str(self.session), listed)
        self.assertIn("작업 처리기가 사라졌습니다", listed)
        self.assertIn("dead-worker", listed)
        self.assertIn("--requeue", listed)
        self.assertEqual(BookletJob.objects.get().status, BookletJob.Status.RUNNING)  # listed only

        work()  # a live worker never takes a RUNNING task by itself
        self.assertEqual(BookletJob.objects.get().status, BookletJob.Status.RUNNING)

        with self.captureOnCommitCallbacks(execute=True):
            self.assertIn("다시 대기열에 넣었습니다.", stuck_jobs("--requeue"))
        work()
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.DONE)
        self.assertEqual((job.edition, job.attempts), (first, 2))
        self.assertEqual(Edition.objects.booklets().filter(session=self.session).count(), 1)
        self.assertEqual(
            sorted(DBTaskResult.objects.values_list("status", flat=True)),
            [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL],
        )
        self.assertEqual(stuck_jobs(), "멈춘 작업이 없습니다.\n")

    def test_killed_before_the_booklet_was_made_the_requeued_job_makes_it_once(self):
        job = self.start()
        self.taken_by("dead-worker", dt.timedelta(minutes=2), dt.timedelta(minutes=2))
        with self.captureOnCommitCallbacks(execute=True):
            stuck_jobs("--requeue")
        work()
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.DONE)
        self.assertEqual(Edition.objects.booklets().filter(session=self.session).count(), 1)

    def test_a_live_worker_without_progress_past_the_threshold_is_stuck(self):
        self.start()
        WorkerHeartbeat.beat("slow-worker")
        self.taken_by("slow-worker", dt.timedelta(minutes=20), dt.timedelta(minutes=10))
        self.assertIn("진행이 멈췄습니다", stuck_jobs())
        self.assertEqual(stuck_jobs("--stale-after", "900"), "멈춘 작업이 없습니다.\n")

    def test_a_long_job_that_advances_on_a_live_worker_is_left_alone(self):
        self.start()
        WorkerHeartbeat.beat("busy-worker")
        self.taken_by("busy-worker", dt.timedelta(hours=1), dt.timedelta(seconds=5))
        self.assertEqual(stuck_jobs("--requeue"), "멈춘 작업이 없습니다.\n")
        self.assertEqual(DBTaskResult.objects.get().status, TaskResultStatus.RUNNING)

    def test_a_part_task_of_a_dead_worker_is_made_ready_again(self):
        key = "some-part"
        result = tasks.render_part.enqueue(self.session.pk, self.ga.code, key)
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["gone"]
        )
        self.assertIn("[작업] render_part", stuck_jobs())
        stuck_jobs("--requeue")
        self.assertEqual(DBTaskResult.objects.get().status, TaskResultStatus.READY)
        work()  # the part's content changed meanwhile (a made-up key): nothing to render
        task = DBTaskResult.objects.get()
        self.assertEqual((task.status, task.return_value), (TaskResultStatus.SUCCESSFUL, "changed"))
