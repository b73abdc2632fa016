"""A new briefing starts with the layout of the department's previous one (structure,
headings, numbering and block options, never its figures), else the standard layout."""

import datetime as dt
import re

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from reports_site import layouts
from reports_site.models import Block, Briefing, BriefingSection

from .block_helpers import html_of, rows, section, spec
from .factories import make_briefing, make_department, make_session, make_snapshot, make_user

AUTUMN = dt.date(2025, 11, 30)


def custom():
    """A layout unlike the standard one: an unnumbered foreword, nested sections, options."""
    return [
        section(spec("text", "", "□ 인사말"), heading="머리말", numbered=False),
        section(
            spec("staffing", total_label="합계", gap="none"),
            heading="인력과 조직",
            children=[
                section(spec("organisation", unit_word="담당", duties_as="table"), heading="조직"),
                section(
                    spec("note", "유의", "◆ 정원 조정 중", frame="bracket"),
                    heading="참고",
                    numbered=False,
                ),
            ],
        ),
        section(spec("budget", kind="all", columns=["budget", "share"]), heading="예산"),
    ]


class CopyPreviousTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.spring = make_briefing(cls.ga, make_session(dt.date(2025, 6, 12)))
        layouts.save(cls.spring, custom())
        BriefingSection.objects.filter(briefing=cls.spring, parent=None, order=1).update(
            slug="foreword"
        )
        make_snapshot(cls.ga, counts=[(("일반직", "9급"), 13, 2)])
        make_snapshot(cls.ga, as_of=AUTUMN, counts=[(("일반직", "9급"), 14, 12)])

    def autumn(self, department=None):
        return make_briefing(
            department or self.ga, make_session(dt.date(2025, 12, 1)), as_of=AUTUMN
        )

    def test_structure_headings_numbering_and_options_are_copied(self):
        new = self.autumn()
        self.assertEqual(layouts.copy_previous(new), self.spring)
        copied = layouts.of(new)
        self.assertEqual(copied, layouts.of(self.spring))
        self.assertEqual(
            [(n["heading"], n["numbered"], n["slug"]) for n in copied],
            [("머리말", False, "foreword"), ("인력과 조직", True, ""), ("예산", True, "")],
        )
        self.assertEqual(
            [(c["heading"], c["numbered"]) for c in copied[1]["children"]],
            [("조직", True), ("참고", False)],
        )
        self.assertEqual(copied[1]["blocks"][0]["options"], {"total_label": "합계", "gap": "none"})
        self.assertEqual(copied[1]["children"][1]["blocks"][0]["text"], "◆ 정원 조정 중")
        # its own rows: editing the copy leaves the previous briefing alone
        self.assertEqual(Block.objects.filter(section__briefing=new).count(), 5)
        Block.objects.filter(section__briefing=new, kind="staffing").update(options={})
        self.assertEqual(layouts.of(self.spring)[1]["blocks"][0]["options"]["total_label"], "합계")

    def test_the_figures_are_the_new_briefings(self):
        new = self.autumn()
        layouts.copy_previous(new)
        from reports_site.report import build_report

        table = rows(html_of(build_report(new)), "count-table")
        self.assertEqual(
            table, [["구분", "합계", "일반직"], ["9급"], ["정원", "14", "14"], ["현원", "12", "12"]]
        )
        spring = rows(html_of(build_report(self.spring)), "count-table")
        self.assertEqual(spring[2:], [["정원", "13", "13"], ["현원", "2", "2"]])

    def test_the_standard_layout_without_a_previous_briefing(self):
        other = self.autumn(make_department("청소과"))
        self.assertIsNone(layouts.copy_previous(other))
        self.assertEqual(layouts.of(other), layouts.standard())
        self.assertEqual(
            [n["heading"] for n in layouts.of(other)],
            [
                "일반현황",
                "주요업무 추진실적",
                "신규·중점사업 추진실적",
                "세입·세출 예산 세부현황",
                "성과지표",
                "행정사무감사 처리결과",
            ],
        )

    def test_a_later_briefing_or_one_without_sections_is_not_copied(self):
        earlier = make_briefing(
            self.ga, make_session(dt.date(2024, 12, 1)), as_of=dt.date(2024, 11, 30)
        )
        self.assertIsNone(layouts.copy_previous(earlier))  # the spring one is later
        self.assertEqual(layouts.of(earlier), layouts.standard())
        empty = make_department("빈과")
        make_briefing(empty, make_session(dt.date(2025, 6, 2)))
        new = self.autumn(empty)
        self.assertIsNone(layouts.copy_previous(new))
        self.assertEqual(layouts.of(new), layouts.standard())

    def test_the_latest_earlier_briefing_is_the_one_copied(self):
        summer = make_briefing(
            self.ga, make_session(dt.date(2025, 9, 1)), as_of=dt.date(2025, 8, 31)
        )
        layouts.save(summer, [section(spec("goals"), heading="여름 목표")])
        new = self.autumn()
        self.assertEqual(layouts.copy_previous(new), summer)
        self.assertEqual([n["heading"] for n in layouts.of(new)], ["여름 목표"])

    def test_a_briefing_with_sections_is_left_alone(self):
        new = self.autumn()
        layouts.save(new, [section(spec("goals"), heading="이미 있음")])
        self.assertIs(layouts.copy_previous(new), False)
        self.assertEqual([n["heading"] for n in layouts.of(new)], ["이미 있음"])


class AdminAddTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga = make_department("총무과")
        cls.spring = make_briefing(cls.ga, make_session(dt.date(2025, 6, 12)))
        layouts.save(cls.spring, custom())
        cls.session = make_session(dt.date(2025, 12, 1))
        cls.clerk = make_user(Role.CLERK)

    def post(self, **extra):
        self.client.force_login(self.clerk)
        url = reverse("admin:reports_site_briefing_add")
        page = self.client.get(url).content.decode()
        data = {
            "session": self.session.pk,
            "department": self.ga.pk,
            "as_of": "2025-11-30",
            "title": "2025년 행정사무감사",
            "slogan": "",
            "issued": "2025-12-01",
            "_save": "저장",
        }
        for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
            data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
        return self.client.post(url, data | extra, follow=True)

    def test_a_briefing_added_in_the_admin_starts_as_the_previous_one(self):
        response = self.post()
        self.assertEqual(response.status_code, 200)
        new = Briefing.objects.get(session=self.session, department=self.ga)
        self.assertEqual(layouts.of(new), layouts.of(self.spring))
        self.assertIn("의 구성을 이어받았습니다.", response.content.decode())
        self.assertEqual(new.status, Briefing.Status.DRAFT)
