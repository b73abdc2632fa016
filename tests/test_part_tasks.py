"""Booklet parts as tasks of their own: claimed once, rendered once, shared by the workers."""

import datetime as dt
from unittest import mock

from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports_site import pdf, tasks
from reports_site.editions import booklet_reports
from reports_site.models import BookletJob, PartClaim, RenderedPart

from .council_factories import make_edition, make_sections
from .factories import make_briefing, make_department, make_session
from .test_booklet_jobs import work
from .test_pdf import MEDIA
from .tools import needs_korean_font

pytestmark = needs_korean_font  # the parts are rendered (reports_site.fonts)


class ClaimTests(TestCase):
    def test_a_part_has_one_claim_and_a_dead_owners_claim_is_taken_over_once(self):
        self.assertTrue(pdf.claim("k", "first"))
        self.assertFalse(pdf.claim("k", "second"))  # the unique key, not a check-then-act
        old = timezone.now() - pdf.CLAIM_STALE - dt.timedelta(seconds=1)
        PartClaim.objects.update(claimed_at=old)  # its owner stopped: the claim grows old
        self.assertTrue(pdf.claim("k", "second"))
        self.assertFalse(pdf.claim("k", "third"))  # taken over by one process only
        pdf.release("first", "k")  # the first owner's late release leaves the new claim
        self.assertEqual(PartClaim.objects.get().owner, "second")
        pdf.release("second")
        self.assertFalse(PartClaim.objects.exists())


@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class PartTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.session = make_session()
        for name in ("총무과", "기획과"):
            briefing = make_briefing(make_department(name), cls.session, status="published")
            make_sections(briefing, "general")
            make_edition(briefing)

    def setUp(self):
        self.reports = booklet_reports(self.session)
        self.keys = [pdf.part_key(data) for data in self.reports]
        self.names = [data["department"]["name"] for data in self.reports]
        RenderedPart.objects.all().delete()

    def counted(self):
        return mock.patch.object(pdf, "render_part", side_effect=pdf.render_part)

    def test_a_part_another_process_renders_is_waited_for_not_rendered_again(self):
        first, second = self.reports
        PartClaim.objects.create(key=self.keys[0], owner="another", claimed_at=timezone.now())
        made = pdf.render_part(first)  # what the other process is rendering

        def the_other_finishes():
            pdf.store_part(made)
            pdf.release("another")

        with (
            self.counted() as render,
            mock.patch.object(pdf, "_wait", side_effect=the_other_finishes),
        ):
            parts = pdf.parts_for(self.reports)
        rendered = [call.args[0]["department"]["name"] for call in render.call_args_list]
        self.assertEqual(rendered, [second["department"]["name"]])
        self.assertEqual(parts[0].pdf, made.pdf)
        self.assertEqual([p.name for p in parts], self.names)
        self.assertFalse(PartClaim.objects.exists())

    def test_the_part_task_renders_its_part_once(self):
        code = self.reports[1]["department"]["code"]
        with self.counted() as render:
            run = tasks.render_part.call
            self.assertEqual(run(self.session.pk, code, self.keys[1]), "rendered")
            self.assertEqual(run(self.session.pk, code, self.keys[1]), "not needed")
            self.assertEqual(run(self.session.pk, code, "other"), "changed")
        self.assertEqual(render.call_count, 1)
        self.assertTrue(RenderedPart.objects.filter(key=self.keys[1]).exists())

    def test_parts_another_worker_took_are_not_rendered_by_the_booklet_job(self):
        handed = []

        def hand_out(reports):  # another worker takes the last part at once
            handed.extend(d["department"]["name"] for d in reports)
            data = reports[-1]
            tasks.render_part.call(self.session.pk, data["department"]["code"], self.keys[1])

        with self.counted() as render, pdf.shared_with_workers(hand_out):
            parts = pdf.parts_for(self.reports)
        self.assertEqual(handed, self.names)
        self.assertEqual(render.call_count, 2)  # one by the "other worker", one here
        self.assertEqual(len({p.key for p in parts}), 2)

    def test_the_booklet_job_enqueues_part_tasks_and_withdraws_those_left(self):
        seen = []
        original = tasks._withdraw

        def withdraw(handed):  # the part tasks as they stand when the booklet is done
            rows = DBTaskResult.objects.filter(id__in=handed)
            seen.extend((r.args_kwargs["args"][2], r.status) for r in rows)
            original(handed)

        with self.captureOnCommitCallbacks(execute=True):
            job = tasks.start_booklet(self.session)
        with mock.patch.object(tasks, "_withdraw", withdraw):
            work()  # one worker: the booklet's own renders both parts, nobody took a task
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.DONE)
        self.assertEqual(sorted(seen), sorted((key, "READY") for key in self.keys))
        self.assertEqual(DBTaskResult.objects.count(), 1)  # the booklet's own task only
        self.assertEqual(RenderedPart.objects.count(), 2)
