"""Search across programs, progress texts and council requests, within what the reader sees."""

from django.test import TestCase
from django.urls import reverse

from council.access import Reader
from council.search import search, snippet

from .council_factories import link_to, main_text, make_district
from .factories import make_request
from .program_factories import approve, make_program, make_progress


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)
        make_request(cls.ga, "처리요구", quarter=1, order=1, text="청사 주차장을 개선할 것")
        hidden = make_program(cls.clean, title="청소차 차고지 이전")  # 청소과: only a draft
        make_progress(hidden, achievements="- 차고지 이전 부지 검토")

    def find(self, query, user=None):
        self.client.logout()
        if user:
            self.client.force_login(user)
        return self.client.get(reverse("council:search"), {"q": query}).content.decode()

    def test_a_word_is_found_inside_korean_words_with_particles(self):
        hits = search("청사", Reader(self.users["clerk"]))
        self.assertEqual([h.title for h in hits["program"]], ["청사 환경 개선"])
        self.assertEqual(len(hits["request"]), 1)
        hits = search("정비", Reader(self.users["clerk"]))  # inside "별관 대강당 정비"
        self.assertEqual([(h.year, h.quarter) for h in hits["progress"]], [(2025, 1)])

    def test_every_word_of_the_query_must_appear(self):
        self.assertEqual(len(search("청사 주차장", Reader(self.users["clerk"]))["request"]), 1)
        self.assertEqual(len(search("청사 도서관", Reader(self.users["clerk"]))["request"]), 0)

    def test_visitors_find_only_what_a_published_briefing_showed(self):
        page = self.find("차고지")
        self.assertIn("검색 결과 0건", main_text(page))
        page = self.find("차고지", self.users["clean_staff"])
        self.assertIn("청소차 차고지 이전", page)

    def test_a_visitor_is_sent_to_the_program_in_the_published_briefing(self):
        self.assertIn("검색 결과 0건", main_text(self.find("청사 환경")))  # not yet approved
        approve(self.ga)
        page = self.find("청사 환경")
        url = link_to(page, "청사 환경 개선")
        anchor = f"{self.ga.code}-main-{self.program.order}"
        self.assertTrue(url.endswith(f"/programs/#{anchor}"), url)
        self.assertIn(f'id="{anchor}"', self.client.get(url.split("#")[0]).content.decode())

    def test_a_hit_only_signed_in_readers_see_leads_to_the_program_history(self):
        program = make_program(self.ga, year=2024, title="구청사 리모델링")
        make_progress(program, quarter=3)
        from departments.models import ReportingPeriod

        ReportingPeriod.objects.create(department=self.ga, year=2024, quarter=3, status="closed")
        self.assertIn("검색 결과 0건", main_text(self.find("리모델링")))
        page = self.find("리모델링", self.users["member"])
        history = reverse("council:program", args=[self.ga.code, 2024, "main", program.order])
        self.assertIn(history, page)

    def test_the_snippet_marks_the_words_and_escapes_the_text(self):
        text = snippet("<b>청사</b> 관리와 청사 보수", ["청사"])
        self.assertEqual(text, "&lt;b&gt;<mark>청사</mark>&lt;/b&gt; 관리와 <mark>청사</mark> 보수")
        page = self.find("<script>")
        self.assertNotIn("<script>", page)

    def test_an_empty_query_shows_only_the_form(self):
        page = self.client.get(reverse("council:search")).content.decode()
        self.assertNotIn("검색 결과", page)
