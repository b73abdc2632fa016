"""An unchanged booklet is known from the editions' fingerprints: no report is read again,
and the queries do not grow with the number of departments."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from reports_site import editions
from reports_site.models import Edition
from reports_site.report import content_hash

from .council_factories import make_edition, make_sections
from .factories import make_briefing, make_department, make_session


class UnchangedBookletTests(TestCase):
    def session_of(self, departments):
        session = make_session()
        for _n in range(departments):
            briefing = make_briefing(make_department(), session, status="published")
            make_edition(make_sections(briefing, "general"))
        found = editions.booklet_editions(session)
        data = editions._booklet_data(found)
        booklet = Edition.objects.create(
            session=session, number=1, data=data, content_hash=content_hash(data), pages=1
        )  # the booklet as last published
        return session, booklet

    def publish_again(self, session):
        with CaptureQueriesContext(connection) as queries:
            edition = editions.publish_booklet(session)
        return edition, len(queries)

    def test_nothing_changed_returns_the_stored_booklet_in_the_same_few_queries(self):
        small, small_booklet = self.session_of(2)
        large, large_booklet = self.session_of(6)
        small_edition, small_queries = self.publish_again(small)
        large_edition, large_queries = self.publish_again(large)
        self.assertEqual((small_edition, large_edition), (small_booklet, large_booklet))
        self.assertEqual(small_queries, large_queries)
        self.assertLessEqual(large_queries, 3)

    def test_a_new_edition_of_one_department_changes_the_fingerprint(self):
        session, booklet = self.session_of(2)
        briefing = session.briefings.first()
        make_edition(briefing, change=lambda data: data.update(title="고친 제목"))
        data = editions._booklet_data(editions.booklet_editions(session))
        self.assertNotEqual(content_hash(data), booklet.content_hash)

    def test_the_booklet_reads_the_latest_edition_of_each_briefing_in_department_order(self):
        session, _booklet = self.session_of(3)
        for briefing in session.briefings.all():
            make_edition(briefing)  # a second edition each
        found = editions.booklet_editions(session)
        self.assertEqual([e.number for e in found], [2, 2, 2])
        orders = [e.briefing.department.order for e in found]
        self.assertEqual(orders, sorted(orders))


class EmptyBookletTests(TestCase):
    def test_a_session_without_published_editions_has_no_booklet_and_says_so(self):
        from django.core.exceptions import ValidationError

        from reports_site import tasks
        from reports_site.models import BookletJob

        session = make_session()
        make_sections(make_briefing(make_department(), session, status="published"), "general")
        with self.assertRaisesMessage(ValidationError, "발행본이 있는 공개 업무보고가 없습니다"):
            editions.publish_booklet(session)
        job = BookletJob.objects.create(session=session)
        with self.assertRaises(ValidationError):
            tasks.run(job)
        job.refresh_from_db()
        self.assertEqual(job.status, BookletJob.Status.FAILED)
        self.assertEqual(job.error, "이 회기에 발행본이 있는 공개 업무보고가 없습니다.")
        self.assertFalse(Edition.objects.filter(session=session).exists())
