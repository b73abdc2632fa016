"""The report pages: who sees which briefing, how readers get around, what a page says."""

import tempfile

from django.core.files.base import ContentFile
from django.test import TestCase, override_settings
from django.urls import reverse

from departments.models import ReportingPeriod
from reports_site.report import blocks_of

from .council_factories import (
    freeze_published,
    link_to,
    links,
    main_text,
    make_district,
    make_edition,
)
from .program_factories import approve
from .test_demo_data import run_demo


def section_url(briefing, kind):
    return reverse(
        "council:briefing_section", args=[briefing.session_id, briefing.department.code, kind]
    )


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)

    def status(self, url, username=None):
        self.client.logout()
        if username:
            self.client.force_login(self.users[username])
        return self.client.get(url).status_code

    def test_a_published_briefing_is_open_to_everyone(self):
        url = section_url(self.published, "general")
        for username in (None, "member", "clean_staff", "ga_staff", "clerk"):
            with self.subTest(username=username):
                self.assertEqual(self.status(url, username), 200)

    def test_a_draft_is_seen_only_by_its_department_and_the_clerks(self):
        urls = [
            reverse("council:briefing", args=[self.session.pk, self.clean.code]),
            section_url(self.draft, "general"),
        ]
        expected = {None: 404, "member": 404, "ga_staff": 404, "ga_reviewer": 404,
                    "clean_staff": 200, "clerk": 200}  # fmt: skip
        for url in urls:
            for username, status in expected.items():
                with self.subTest(url=url, username=username):
                    self.assertEqual(self.status(url, username), status)

    def test_lists_leave_out_drafts_the_reader_may_not_see(self):
        draft = reverse("council:briefing", args=[self.session.pk, self.clean.code])
        pages = [
            reverse("council:session", args=[self.session.pk]),
            reverse("council:department", args=[self.clean.code]),
            reverse("council:committee", args=[self.committee.pk]),
        ]
        for username in (None, "member", "ga_staff"):
            for url in pages:
                with self.subTest(username=username, url=url):
                    self.status(url, username)
                    self.assertNotIn(draft, self.client.get(url).content.decode())
        self.client.force_login(self.users["clean_staff"])
        for url in pages:
            page = self.client.get(url).content.decode()
            self.assertIn(draft, page)
            self.assertIn("작성 중", page)  # marked as not published

    def test_sessions_without_anything_to_read_are_not_listed_for_visitors(self):
        page = self.client.get(reverse("council:home")).content.decode()
        self.assertIn("제261회", page)
        self.assertNotIn("제250회", page)  # no briefing at all
        self.client.force_login(self.users["clerk"])
        self.assertIn("제250회", self.client.get(reverse("council:home")).content.decode())

    @override_settings(REPORTS_REQUIRE_LOGIN=True)
    def test_reports_require_login_sends_visitors_to_the_login_page(self):
        url = section_url(self.published, "general")
        for page in (reverse("council:home"), url, reverse("council:search") + "?q=청사"):
            response = self.client.get(page)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("council:login")))
        self.client.force_login(self.users["member"])
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_council_member_signs_in_on_the_site_itself(self):
        self.users["member"].set_password("pw")
        self.users["member"].save()
        url = section_url(self.published, "general")
        response = self.client.post(
            reverse("council:login"),
            {"username": self.users["member"].username, "password": "pw", "next": url},  # fmt: skip
        )
        self.assertRedirects(response, url)

    def test_quarter_pages_need_a_login_and_an_approved_quarter(self):
        url = reverse("council:period_report", args=[2025, 3, self.ga.code])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.assertEqual(self.status(url, "member"), 404)  # not reviewed yet
        self.assertEqual(self.status(url, "ga_staff"), 200)  # their own figures
        ReportingPeriod.objects.create(department=self.ga, year=2025, quarter=3, status="approved")
        self.assertEqual(self.status(url, "member"), 200)
        self.assertEqual(self.status(url, "clean_staff"), 200)

    def test_a_published_briefing_does_not_open_its_quarters_live_figures(self):
        url = reverse("council:period_report", args=[2025, 2, self.ga.code])  # as of 5.31.
        for username in ("member", "clean_staff"):  # they read the edition instead
            with self.subTest(username=username):
                self.assertEqual(self.status(url, username), 404)
        self.assertEqual(self.status(url), 302)

    def test_a_briefing_marked_published_without_an_edition_is_read_like_a_draft(self):
        self.published.editions.all().delete()
        urls = [
            reverse("council:briefing", args=[self.session.pk, self.ga.code]),
            section_url(self.published, "general"),
            section_url(self.published, "general") + "staffing.csv",
        ]
        expected = {None: 404, "member": 404, "clean_staff": 404, "ga_staff": 200, "clerk": 200}
        for url in urls:
            for username, status in expected.items():
                with self.subTest(url=url, username=username):
                    self.assertEqual(self.status(url, username), status)
        self.client.logout()
        session = self.client.get(reverse("council:session", args=[self.session.pk]))
        self.assertNotIn(urls[0], session.content.decode())


class NavigationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)

    def test_a_visitor_reaches_a_section_in_three_clicks_from_home(self):
        home = self.client.get(reverse("council:home")).content.decode()
        session = self.client.get(link_to(home, "제261회")).content.decode()
        report = self.client.get(link_to(session, "총무과")).content.decode()
        section = self.client.get(link_to(report, "일반현황"))
        self.assertEqual(section.status_code, 200)
        self.assertIn("I. 일반현황", main_text(section.content.decode()))

    def test_breadcrumbs_lead_back_to_the_session_and_home(self):
        page = self.client.get(section_url(self.published, "programs")).content.decode()
        crumbs = page.split('class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
        hrefs = [href for _text, href in links(crumbs)]
        self.assertEqual(
            hrefs,
            [
                reverse("council:home"),
                reverse("council:session", args=[self.session.pk]),
                reverse("council:briefing", args=[self.session.pk, self.ga.code]),
            ],
        )
        self.assertIn('aria-current="page">II. 주요업무 추진실적', crumbs)

    def test_the_session_page_groups_briefings_by_committee(self):
        page = self.client.get(reverse("council:session", args=[self.session.pk])).content
        text = main_text(page.decode())
        self.assertIn("행정위원회 소관", text)
        self.assertLess(text.index("행정위원회 소관"), text.index("총무과"))

    def test_departments_are_listed_under_their_bureau(self):
        text = main_text(self.client.get(reverse("council:departments")).content.decode())
        self.assertLess(text.index("행정국"), text.index("총무과"))
        page = self.client.get(reverse("council:department", args=[self.ga.code])).content
        crumbs = page.decode().split('class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
        self.assertIn(reverse("council:department", args=[self.bureau.code]), crumbs)

    def test_the_committee_page_lists_its_departments_reports_by_session(self):
        url = reverse("council:committee", args=[self.committee.pk])
        text = main_text(self.client.get(url).content.decode())
        self.assertIn("총무과", text)
        self.assertIn(self.session.title, text)

    def test_quarters_are_listed_by_year_and_link_to_each_department(self):
        approve(self.ga)
        self.client.force_login(self.users["member"])
        page = self.client.get(reverse("council:periods")).content.decode()
        quarter = self.client.get(link_to(page, "2025년 2분기")).content.decode()
        report = self.client.get(link_to(quarter, "총무과")).content.decode()
        section = self.client.get(link_to(report, "일반현황"))
        self.assertEqual(section.status_code, 200)
        self.assertNotIn(
            reverse("council:period_report", args=[2025, 2, self.clean.code]), quarter
        )  # 청소과 has not been approved

    def test_the_home_page_names_the_current_quarter(self):
        ReportingPeriod.objects.create(department=self.ga, year=2025, quarter=3)
        page = self.client.get(reverse("council:home")).content.decode()
        self.assertIn(reverse("council:period", args=[2025, 3]), page)

    def test_program_history_shows_every_quarter_reported(self):
        self.client.force_login(self.users["ga_staff"])
        url = reverse("council:program", args=[self.ga.code, 2025, "main", self.program.order])
        text = main_text(self.client.get(url).content.decode())
        self.assertIn("2025년 2분기", text)
        self.assertIn("2025년 1분기", text)
        self.assertIn("별관 대강당 정비", text)
        self.assertLess(text.index("2025년 2분기"), text.index("2025년 1분기"))


class ReportContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)

    def test_a_report_shows_its_as_of_date_source_and_status(self):
        text = main_text(
            self.client.get(
                reverse("council:briefing", args=[self.session.pk, self.ga.code])
            ).content.decode()
        )
        self.assertIn("기준일 2025. 5. 31.", text)
        self.assertIn("출처 총무과 업무보고", text)
        self.assertIn("최종 갱신", text)

    def test_the_published_edition_is_shown_with_its_booklet_page_numbers(self):
        def rename(data):
            blocks_of(data["sections"][1], "programs")[0]["programs"][0]["title"] = (
                "발행 당시의 사업명"
            )

        program_id = f"{self.ga.code}-main-{self.program.order}"
        section_id = f"s-{self.ga.code}-programs"
        make_edition(self.published, {section_id: 9, program_id: 11}, change=rename)
        make_edition(self.published, {section_id: 37, program_id: 39}, booklet=True)
        page = self.client.get(section_url(self.published, "programs")).content.decode()
        self.assertIn("발행 당시의 사업명", page)
        self.assertNotIn("청사 환경 개선", main_text(page).split("전년 동기 대비")[0])
        self.assertIn('<span class="page-no">p. 37</span>', page)
        self.assertIn("p. 39", page)
        report = self.client.get(reverse("council:briefing", args=[self.session.pk, self.ga.code]))
        self.assertIn("제2판", main_text(report.content.decode()))  # make_district made 제1판

    def test_without_a_booklet_the_department_edition_numbers_its_pages(self):
        make_edition(self.published, {f"s-{self.ga.code}-general": 3})
        page = self.client.get(section_url(self.published, "general")).content.decode()
        self.assertIn('<span class="page-no">p. 3</span>', page)

    @override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="council-test-media-"))
    def test_the_published_pdf_and_the_session_booklet_download(self):
        for booklet in (False, True):
            edition = make_edition(self.published, booklet=booklet)
            edition.pdf.save(f"{booklet}.pdf", ContentFile(b"%PDF-1.7 " + bytes(booklet)))
        url = reverse("council:briefing_pdf", args=[self.session.pk, self.ga.code])
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7 ")
        booklet = self.client.get(reverse("council:booklet_pdf", args=[self.session.pk]))
        self.assertEqual(booklet.status_code, 200)
        self.client.force_login(self.users["clean_staff"])
        draft = reverse("council:briefing_pdf", args=[self.session.pk, self.clean.code])
        self.assertEqual(self.client.get(draft).status_code, 404)  # nothing published

    def test_a_negative_figure_has_hidden_text_for_screen_readers(self):
        page = self.client.get(section_url(self.published, "general")).content.decode()
        self.assertIn('<span class="visually-hidden">감소 </span>△11', page)  # 현원 2 − 정원 13

    def test_an_unknown_section_or_table_is_not_found(self):
        base = section_url(self.published, "general")
        self.assertEqual(self.client.get(section_url(self.published, "goals")).status_code, 404)
        self.assertEqual(self.client.get(base + "nothing.xlsx").status_code, 404)
        self.assertEqual(self.client.get(base + "staffing.pdf").status_code, 404)


class DemoReportTests(TestCase):
    """The demo's 제261회 총무과 briefing is published: a visitor reads every section."""

    @classmethod
    def setUpTestData(cls):
        run_demo()
        freeze_published()

    def test_a_visitor_reads_every_section_of_the_2025_briefing(self):
        home = self.client.get(reverse("council:home")).content.decode()
        session = self.client.get(link_to(home, "제261회")).content.decode()
        report = self.client.get(link_to(session, "총무과")).content.decode()
        toc = report.split('class="toc"', 1)[1].split("</ol>", 1)[0]
        texts = []
        for _label, href in links(toc):
            response = self.client.get(href)
            self.assertEqual(response.status_code, 200, href)
            texts.append(main_text(response.content.decode()))
        self.assertEqual(len(texts), 3)
        for figure in ("137,351,335", "60,741,935", "44.2"):
            self.assertIn(figure, texts[0])
        self.assertIn("안전하고 쾌적한 청사환경 조성", texts[1])

    def test_the_committee_fixture_maps_the_demo_departments(self):
        page = self.client.get(reverse("council:committees")).content.decode()
        self.assertIn("행정위원회", page)
        self.assertIn("사회건설위원회", page)
        self.assertLess(page.index("행정위원회"), page.index("총무과"))

    def test_the_department_page_lists_the_demo_briefings_of_every_year(self):
        page = self.client.get(reverse("council:department", args=["YDP-GA"])).content.decode()
        for session in ("제261회", "제138회", "영등포구의회 제1차"):
            self.assertIn(session, page)
