"""Organisation kinds as data: what a body calls its units (국, 담당관, 사업소, 담당, 반 …),
in the order its report counts them, under a root of any kind (시, 교육청 …)."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from departments.models import Department, Duty, UnitKind

from .block_helpers import html, rows, text_of
from .factories import make_briefing, make_department

Tier = Department.Kind


def kind(name, tier, order):
    return UnitKind.objects.update_or_create(name=name, defaults={"tier": tier, "order": order})[0]


def unit(name, parent, unit_kind, **fields):
    return make_department(name, unit_kind.tier, parent=parent, unit_kind=unit_kind, **fields)


def make_office(divisions=2):
    """An education office (교육청) with a 국 of `divisions` 과, one 담당관 and 담당 below them;
    one 반 and one abolished 과 that must not count."""
    words = {
        name: kind(name, tier, order)
        for name, tier, order in [
            ("교육청", Tier.DISTRICT, 0),
            ("국", Tier.BUREAU, 10),
            ("과", Tier.DIVISION, 20),
            ("담당관", Tier.DIVISION, 25),
            ("담당", Tier.TEAM, 35),
            ("반", Tier.TEAM, 40),
        ]
    }
    office = unit("예시교육청", None, words["교육청"])
    bureau = unit("행정국", office, words["국"])
    Duty.objects.create(department=bureau, order=1, text="국 업무 총괄")
    for n in range(1, divisions + 1):
        division = unit(f"{n}과", bureau, words["과"], order=n)
        Duty.objects.create(department=division, order=1, text=f"{n}과 업무 총괄")
        for m in (1, 2):
            team = unit(f"{n}-{m}담당", division, words["담당"], order=m)
            Duty.objects.create(department=team, order=1, text=f"{n}-{m}담당 업무")
    audit = unit("감사담당관", bureau, words["담당관"], order=90)
    unit("감사지원반", audit, words["반"])
    unit("폐지과", bureau, words["과"], order=99, active=False)
    return office, bureau


class KindsTest(TestCase):
    def test_a_kind_of_another_tier_is_refused(self):
        office, bureau = make_office()
        wrong = Department(
            name="X", code="X", kind=Tier.TEAM, parent=bureau, unit_kind=kind("국", Tier.BUREAU, 10)
        )
        with self.assertRaises(ValidationError) as refused:
            wrong.full_clean()
        self.assertIn("unit_kind", refused.exception.message_dict)

    def test_the_root_is_any_body_and_names_its_word(self):
        office, bureau = make_office()
        self.assertEqual(office.kind_word, "교육청")
        self.assertEqual(bureau.kind_word, "국")
        self.assertEqual(make_department("이름 없는 팀", Tier.TEAM, parent=bureau).kind_word, "팀")


class OrganisationBlockTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.office, cls.bureau = make_office()
        cls.briefing = make_briefing(cls.bureau)

    def text(self, **options):
        return text_of(html(self.briefing, "organisation", **options))

    def test_units_counted_by_their_words_in_the_kinds_order(self):
        self.assertIn("행정국 – 1국 2과 1담당관 4담당 1반", self.text(count="kinds"))

    def test_the_body_itself_is_not_counted(self):
        office = text_of(html(make_briefing(self.office), "organisation", count="kinds"))
        self.assertIn("예시교육청 – 1국 2과 1담당관 4담당 1반", office)

    def test_the_count_of_units_below_takes_their_word(self):
        self.assertIn("행정국 – (3)개과", self.text())
        self.assertIn("행정국 – (3)개실", self.text(unit_word="실"))
        self.assertNotIn("개", self.text(count="none"))

    def test_a_bureau_table_shows_each_division_with_its_teams(self):
        markup = html(self.briefing, "organisation", depth="2", duties_as="table")
        self.assertEqual(
            rows(markup, "duties-table"),
            [
                ["구분", "담당", "담당업무"],
                ["행정국", "국 업무 총괄"],
                ["1과", "", "1과 업무 총괄"],
                ["1-1담당", "1-1담당 업무"],
                ["1-2담당", "1-2담당 업무"],
                ["2과", "", "2과 업무 총괄"],
                ["2-1담당", "2-1담당 업무"],
                ["2-2담당", "2-2담당 업무"],
                ["감사담당관", "감사지원반", ""],
            ],
        )
        self.assertIn('rowspan="3"', markup)
        self.assertNotIn("폐지과", markup)

    def test_a_bureau_list_nests_the_teams(self):
        text = self.text(depth="2")
        for part in ["1과", "1과 업무 총괄", "1-1담당", "1-1담당 업무", "감사지원반"]:
            self.assertIn(part, text)
        self.assertLess(text.index("1-2담당 업무"), text.index("2과 업무 총괄"))

    def test_the_queries_do_not_grow_with_the_units(self):
        def queries(divisions):
            bureau = make_office(divisions)[1]
            briefing = make_briefing(bureau)
            with CaptureQueriesContext(connection) as counted:
                html(briefing, "organisation", depth="2", count="kinds")
            return len(counted)

        self.assertEqual(queries(2), queries(5))
