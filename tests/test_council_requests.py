"""Council requests (행정사무감사 처리결과): kinds as each council names and orders them,
requests shared by several departments, the kind × status count table, the detail layouts,
requests of a whole year, and a bureau counting its divisions' requests."""

import re

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from council.access import Reader
from council.exports import SHEETS
from departments.access import Role
from departments.locking import PeriodLocked
from departments.models import Department
from programs.models import CouncilRequest, CouncilRequestKind
from reports_site import style as house
from reports_site.report import SCHEMA, upgrade

from .block_helpers import html, html_of, one, rows
from .factories import (
    make_briefing,
    make_department,
    make_request,
    make_session,
    make_user,
    request_kind,
)
from .program_factories import approve
from .test_concurrent_edits import posted

COUNCIL = "가구의회"
DONE, IN_PROGRESS = CouncilRequest.Status.DONE, CouncilRequest.Status.IN_PROGRESS


def council_kinds(council=COUNCIL):
    """The council's kinds, typed out of order: the order field decides."""
    return {
        name: request_kind(name, council, order)
        for name, order in (("건의", 2), ("시정·처리요구", 1), ("자료제출", 3))
    }


def block_of(briefing, **options):
    found = one(briefing, "council_requests", **options)["sections"]
    return found[0]["blocks"][0] if found else None


class CouncilRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.kinds = council_kinds()
        session = make_session(council=COUNCIL)
        cls.bureau = make_department("행정국", Department.Kind.BUREAU)
        cls.first = make_department("총무과", parent=cls.bureau, order=1)
        cls.second = make_department("회계과", parent=cls.bureau, order=2)
        cls.outside = make_department("청소과")  # of another bureau
        cls.briefings = {d: make_briefing(d, session) for d in (cls.bureau, cls.first, cls.second)}
        joint = cls.kinds["시정·처리요구"]
        cls.shared = make_request(
            cls.first, joint, quarter=1, text="공유재산 사용 기준 통일", status=DONE,
            action_taken="지침 개정", plan="하반기 시행",
        )  # fmt: skip
        cls.shared.shared_with.add(cls.second)
        cls.of_year = make_request(
            cls.second, cls.kinds["건의"], quarter=None, text="계약 현황 공개",
            status=IN_PROGRESS, plan="누리집 게시",
        )  # fmt: skip
        cls.earlier = make_request(cls.first, cls.kinds["자료제출"], year=2024, text="작년 자료")
        make_request(cls.first, cls.kinds["건의"], quarter=3, text="3분기 요구")  # after 5. 31.
        cls.from_outside = make_request(cls.outside, joint, quarter=1, text="청소과 주관 요구")
        cls.from_outside.shared_with.add(cls.first)

    def texts(self, department, **options):
        block = block_of(self.briefings[department], **options)
        return [r["text"] for r in block["requests"]]

    def test_kinds_are_the_councils_own_in_its_order_else_the_default_set(self):
        names = CouncilRequestKind.objects.of_councils([COUNCIL]).values_list("name", flat=True)
        self.assertEqual(list(names), ["시정·처리요구", "건의", "자료제출"])
        names = CouncilRequestKind.objects.of_councils(["나구의회"]).values_list("name", flat=True)
        self.assertEqual(list(names), ["시정요구", "처리요구", "건의사항", "자료제출"])
        staff = make_user(Role.STAFF, self.first)  # 총무과 reported to 가구의회
        self.client.force_login(staff)
        page = self.client.get(reverse("admin:programs_councilrequest_add")).content.decode()
        select = re.search(r'<select name="kind".*?</select>', page, re.S).group()
        offered = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)
        in_order = ("시정·처리요구", "건의", "자료제출")
        self.assertEqual(offered, [f"{COUNCIL} · {name}" for name in in_order])

    def test_staff_keep_the_kind_and_departments_a_clerk_gave_their_request(self):
        other_council = request_kind("건의", "나구의회")
        self.earlier.kind = other_council
        self.earlier.save()
        self.earlier.shared_with.add(self.outside)  # outside the staff's departments
        self.client.force_login(make_user(Role.STAFF, self.first))
        url = reverse("admin:programs_councilrequest_change", args=[self.earlier.pk])
        page = self.client.get(url)
        self.assertContains(page, f'value="{self.outside.pk}" selected')
        form = posted(page, "councilrequest_form", text="작년 자료 (고침)")
        self.assertEqual(self.client.post(url, form).status_code, 302)
        self.earlier.refresh_from_db()
        self.assertEqual(self.earlier.text, "작년 자료 (고침)")
        self.assertEqual(self.earlier.kind, other_council)
        self.assertEqual(list(self.earlier.shared_with.all()), [self.outside])

    def test_a_shared_request_shows_in_both_and_counts_once_in_the_bureau(self):
        self.assertEqual(self.texts(self.first), ["공유재산 사용 기준 통일", "작년 자료"])
        # 회계과 meets 총무과's request once 총무과's quarter is approved: until then a draft.
        self.assertEqual(self.texts(self.second), ["계약 현황 공개"])
        approve(self.first, 2025, 1)
        self.assertEqual(self.texts(self.second), ["공유재산 사용 기준 통일", "계약 현황 공개"])
        markup = html(self.briefings[self.second], "council_requests")
        self.assertIn("(주관: 총무과)", markup)  # led by another department
        bureau = block_of(self.briefings[self.bureau], scope="units")
        self.assertEqual(bureau["counts"]["total"]["total"], 3)
        self.assertTrue(bureau["by_unit"])
        departments = [(r["department"], r["shared"]) for r in bureau["requests"]]
        self.assertIn(("총무과", ["회계과"]), departments)
        # Another bureau's request shows once its lead's quarter is approved, not before.
        self.assertNotIn("청소과 주관 요구", self.texts(self.first))
        approve(self.outside, 2025, 1)
        self.assertIn("청소과 주관 요구", self.texts(self.first))

    def test_kind_by_status_counts_with_their_totals(self):
        markup = html(self.briefings[self.bureau], "council_requests", scope="units")
        self.assertEqual(
            rows(markup, "request-counts"),
            [
                ["구분", "계", "완료", "추진 중", "검토 중", "미반영"],
                ["계", "3", "1", "1", "1", "-"],
                ["시정·처리요구", "1", "1", "-", "-", "-"],
                ["건의", "1", "-", "1", "-", "-"],
                ["자료제출", "1", "-", "-", "1", "-"],
            ],
        )
        counts = block_of(self.briefings[self.bureau], scope="units")["counts"]
        grand = counts["total"]["total"]
        self.assertEqual(sum(row["total"] for row in counts["rows"]), grand)
        self.assertEqual(sum(counts["total"]["cells"]), grand)
        for row in counts["rows"]:
            self.assertEqual(sum(row["cells"]), row["total"])
        last = html(self.briefings[self.bureau], "council_requests", scope="units", total_last=True)
        found = rows(last, "request-counts")
        self.assertEqual(found[0][-1], "계")
        self.assertEqual(found[-1], ["계", "1", "1", "1", "-", "3"])
        block = block_of(self.briefings[self.bureau], scope="units", total_last=True)
        count_sheet, details = SHEETS["council_requests"](block, "행정사무감사 처리결과")
        self.assertEqual([c.label for c in count_sheet.columns], found[0])
        self.assertEqual(count_sheet.rows[-1], ["계", 1, 1, 1, 0, 3])
        self.assertIn("추진내용", [c.label for c in details.columns])

    def test_the_detail_prints_its_parts_apart_and_the_quarter_when_asked(self):
        approve(self.first, 2025, 1)
        columns = html(
            self.briefings[self.second], "council_requests", detail="columns", show_quarter=True
        )
        self.assertEqual(
            rows(columns, "requests"),
            [
                ["요구 내용", "처리 상태", "추진내용", "향후계획"],
                ["[2025 1분기 시정·처리요구] 공유재산 사용 기준 통일 (주관: 총무과)", "완료",
                 "지침 개정", "하반기 시행"],
                ["[2025 건의] 계약 현황 공개", "추진 중", "-", "누리집 게시"],
            ],
        )  # fmt: skip
        parts = html(self.briefings[self.first], "council_requests", detail="parts")
        self.assertIn("□ 추진내용 지침 개정 □ 향후계획 하반기 시행", rows(parts, "requests")[1][1])
        self.assertEqual(self.texts(self.first, years="this"), ["공유재산 사용 기준 통일"])

    def test_a_request_of_the_whole_year_locks_and_shows_with_any_quarter(self):
        member = Reader(make_user(Role.COUNCIL))
        seen = CouncilRequest.objects.filter(member.figures("department", "year", "quarter"))
        self.assertNotIn(self.of_year, seen)
        approve(self.second, 2025, 3)
        self.assertIn(self.of_year, seen.all())
        with self.assertRaises(PeriodLocked):
            self.of_year.save()
        with self.assertRaises(PeriodLocked), transaction.atomic():  # nor whom it concerns
            self.of_year.shared_with.add(self.first)
        self.shared.save()  # 총무과's first quarter stays open


def make_bureau(divisions, per_division):
    """A bureau whose divisions each lead requests, each shared with the next division,
    and one request of another department shared with the first division."""
    kinds = council_kinds(f"규모 {divisions}")
    session = make_session(council=f"규모 {divisions}")
    bureau = make_department(kind=Department.Kind.BUREAU)
    units = [make_department(parent=bureau) for _ in range(divisions)]
    for n, unit in enumerate(units):
        for order in range(per_division):
            found = make_request(unit, kinds["건의"], order=order + 1, quarter=1)
            found.shared_with.add(units[(n + 1) % divisions])
    outside = make_department()
    make_request(outside, kinds["자료제출"]).shared_with.add(units[0])
    approve(outside, 2025, 2)
    return make_briefing(bureau, session)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_requests_or_divisions(django_assert_num_queries):
    small, large = make_bureau(2, 1), make_bureau(5, 4)
    with CaptureQueriesContext(connection) as queries:
        assert block_of(small, scope="units")["counts"]["total"]["total"] == 3
    with django_assert_num_queries(len(queries)):
        assert block_of(large, scope="units")["counts"]["total"]["total"] == 21


def test_an_edition_of_the_status_counts_prints_them_as_it_did():
    old = {
        "kind": "council_requests",
        "id": "b1",
        "counts": [{"status": s, "count": n} for s, n in (("완료", 1), ("추진 중", 0))],
        "total": 1,
        "requests": [{"year": 2024, "kind": "시정요구", "text": "주차장 개선", "status": "완료",
                      "action_taken": "주차면 확충", "plan": ""}],
    }  # fmt: skip
    section = {"id": "s", "key": "s", "slug": "", "level": 1, "mark": "I.", "heading": "처리결과",
               "blocks": [old], "children": [], "empty": False}  # fmt: skip
    data = upgrade({"schema": 3, "style": {}, "sections": [section]})
    assert data["schema"] == SCHEMA
    markup = html_of(data | {"style": house.complete({})})
    counts = [["구분", "계", "완료", "추진 중"], ["계", "1", "1", "-"]]  # no kind rows
    assert rows(markup, "request-counts") == counts
    assert rows(markup, "requests")[1] == ["[2024 시정요구] 주차장 개선", "완료 주차면 확충"]
