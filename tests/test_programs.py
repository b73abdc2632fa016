"""Programs: outlines keep their levels, rates match the documents, approved quarters stay put."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from departments.access import Role
from departments.locking import PeriodLocked
from departments.models import Department
from programs.models import (
    CouncilRequest,
    Kpi,
    Mission,
    Program,
    ProgressEntry,
    StrategicGoal,
    execution_rate,
)
from programs.outline import Item, parse, tree, validate_outline

from .budget_factories import make_line
from .factories import make_department, make_user, request_kind
from .program_factories import approve, make_program, make_progress

ACHIEVEMENTS_2025 = """\
- 노후 시설 개선을 통한 쾌적한 청사 환경 조성
  - 별관 대강당 영상시설 조달구매: 4월 / 95,700천원
  - 보건소 화장실 내 냉난방기 신규 설치: 2월~3월 / 45,850천원
- 근무 직원과 내방 민원인을 위한 안전한 청사 환경 조성
  - 여자화장실 상시형 불법촬영 탐지시스템 운영: 3월~12월 / 21,900천원
"""


def levels(text):
    return [(item.marker, item.level) for item in parse(text)]


class OutlineParsingTests(SimpleTestCase):
    def test_each_marker_stands_for_its_level(self):
        self.assertEqual(
            levels("□ 사업개요\n\n▶ 요약\n※ 주석"),
            [("□", 1), ("▶", 3), ("※", 4)],
        )
        for marker, level in [("□", 1), ("○", 2), ("ㅇ", 2), ("-", 2), ("·", 3), ("▶", 3)]:
            with self.subTest(marker=marker):
                self.assertEqual(levels(f"{marker} 항목"), [(marker, level)])

    def test_a_dash_under_a_circle_sits_one_level_deeper(self):
        text = "□ 추진실적\n○ 직무분석에 따른 조직개편 (1회)\n- 1단 1과 폐지\n○ 우수인력 발탁승진"
        self.assertEqual(levels(text), [("□", 1), ("○", 2), ("-", 3), ("○", 2)])

    def test_an_indented_dash_nests_under_the_dash_above(self):
        self.assertEqual(
            levels(ACHIEVEMENTS_2025), [("-", 2), ("-", 3), ("-", 3), ("-", 2), ("-", 3)]
        )

    def test_an_item_ending_in_a_period_and_an_amount_keeps_them_apart(self):
        (item,) = parse("- 별관 대강당 영상시설 조달구매: 4월 / 95,700천원")
        self.assertEqual(item, Item(2, "-", "별관 대강당 영상시설 조달구매", "4월", 95_700))

    def test_the_period_may_be_a_range_or_the_whole_year_and_stand_alone(self):
        cases = {
            "- 보건소 화장실 내 냉난방기 신규 설치: 2월~3월 / 45,850천원": ("2월~3월", 45_850),
            "- 탐지시스템 운영: 3월~12월 / 21,900천원": ("3월~12월", 21_900),
            "- 본관 청사 외벽타일 점검 및 보수: 6월": ("6월", None),
            "- 서한문 및 기념품 교환: 연중": ("연중", None),
            "- 구민회관 화장실 등 시설 보수공사 : 20,000천원": ("", 20_000),
        }
        for line, (when, amount) in cases.items():
            with self.subTest(line=line):
                (item,) = parse(line)
                self.assertEqual((item.when, item.amount), (when, amount))
                self.assertNotIn(":", item.text)

    def test_other_text_after_a_colon_stays_in_the_item(self):
        line = "- 인사상담 정례화: 매월 격주 목요일 ⇒ 총 8회 실시"
        (item,) = parse(line)
        self.assertEqual((item.text, item.when, item.amount), (line[2:], "", None))

    def test_a_line_without_a_marker_continues_the_item_above(self):
        items = parse(
            "- 대상: 시군구 공통시스템(서울행정 등) 48종\n"
            "구 자체 운영 시스템(행정포털 등) 39종\n"
            "- 다음 항목"
        )
        self.assertEqual(
            [item.text for item in items],
            [
                "대상: 시군구 공통시스템(서울행정 등) 48종 구 자체 운영 시스템(행정포털 등) 39종",
                "다음 항목",
            ],
        )

    def test_a_note_belongs_to_the_item_it_follows(self):
        roots = tree("□ 조직개편\n  - 5팀 신설\n※ 인력재배치(9명)\n□ 인사")
        self.assertEqual([item.text for item in roots], ["조직개편", "인사"])
        self.assertEqual([child.marker for child in roots[0].children], ["-", "※"])

    def test_markers_pasted_from_hwp_are_read_as_their_look_alikes(self):
        self.assertEqual(levels("◦ 항목\nㆍ 세부\n– 다른 항목"), [("○", 2), ("·", 3), ("-", 3)])

    def test_an_unknown_marker_is_refused_naming_its_line(self):
        with self.assertRaises(ValidationError) as caught:
            validate_outline("□ 사업개요\n- 대상시설: 본관\n★ 추진사항")
        (message,) = caught.exception.messages
        self.assertIn("3번째 줄", message)
        self.assertIn("★", message)

    def test_numbers_arrows_and_brackets_may_start_a_continuation(self):
        validate_outline("- 과부족\n△11\n⇒ 총 8회\n<기존 교류>\n「법과 원칙」")


class OutlineTemplateTests(SimpleTestCase):
    def render(self, text):
        return render_to_string("programs/outline.html", {"nodes": tree(text)})

    def test_the_outline_renders_as_nested_lists_with_period_and_amount(self):
        html = self.render(ACHIEVEMENTS_2025)
        self.assertInHTML('<span class="outline-when">4월</span>', html)
        self.assertInHTML('<span class="outline-amount">95,700천원</span>', html)
        self.assertEqual(html.count('<ul class="outline outline-depth-2">'), 2)
        self.assertIn("outline-level-3", html)

    def test_an_empty_outline_renders_nothing(self):
        self.assertEqual(self.render("").strip(), "")


class ExecutionRateTests(SimpleTestCase):
    def test_rates_match_the_2025_report(self):
        printed = [  # 예산액, 집행액, rate printed in 001 (69 is 69.0)
            (2_698_307, 1_862_509, "69.0"),
            (1_054_341, 388_833, "36.9"),
            (904_400, 235_073, "26.0"),
            (79_369, 34_500, "43.5"),
            (726_235, 364_600, "50.2"),
            (6_444_228, 3_556_748, "55.2"),
        ]
        for budget, executed, rate in printed:
            with self.subTest(budget=budget):
                self.assertEqual(execution_rate(executed, budget), Decimal(rate))

    def test_halves_round_up(self):
        self.assertEqual(execution_rate(5, 400), Decimal("1.3"))
        self.assertEqual(execution_rate(1, 8), Decimal("12.5"))

    def test_no_rate_without_a_budget_or_an_execution(self):
        self.assertIsNone(execution_rate(100, 0))
        self.assertIsNone(execution_rate(100, None))
        self.assertIsNone(execution_rate(None, 100))
        self.assertIsNone(ProgressEntry(budget=None, executed=5).rate)


class PeriodLockTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department, username="ga_staff")
        cls.program = make_program(cls.department)
        cls.entry = make_progress(cls.program, quarter=2)
        approve(cls.department, 2025, 2)

    def test_an_approved_quarter_cannot_be_saved_or_deleted(self):
        self.entry.achievements = "- 고친 실적"
        with self.assertRaises(PeriodLocked):
            self.entry.save()
        with self.assertRaises(PeriodLocked):
            self.entry.delete()
        with self.assertRaisesMessage(ValidationError, "승인되어 잠겨 있습니다"):
            self.entry.full_clean()

    def test_an_approved_quarter_cannot_be_changed_in_bulk(self):
        entries = ProgressEntry.objects.filter(pk=self.entry.pk)
        with self.assertRaises(PeriodLocked):
            entries.update(executed=0)
        with self.assertRaises(PeriodLocked):
            entries.delete()
        with self.assertRaises(PeriodLocked):
            ProgressEntry.objects.bulk_create(
                [ProgressEntry(program=self.program, year=2025, quarter=2)]
            )
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.executed, 1_862_509)

    def test_the_next_quarter_is_accepted(self):
        entry = make_progress(self.program, quarter=3)
        ProgressEntry.objects.filter(pk=entry.pk).update(executed=2_000_000)
        entry.refresh_from_db()
        self.assertEqual(entry.executed, 2_000_000)

    def test_the_program_of_an_approved_year_is_locked_too(self):
        self.program.title = "다른 사업명"
        with self.assertRaises(PeriodLocked):
            self.program.save()

    def post_entry(self, url, quarter, achievements):
        self.client.force_login(self.staff)
        return self.client.post(
            url,
            {
                "program": self.program.pk,
                "year": 2025,
                "quarter": quarter,
                "achievements": achievements,
                "plans": "",
                "budget": 2_698_307,
                "executed": 1_900_000,
                "budget_source": "district",
                "budget_note": "",
            },
        )

    def test_the_admin_refuses_a_post_to_an_approved_quarter(self):
        url = reverse("admin:programs_progressentry_change", args=[self.entry.pk])
        response = self.post_entry(url, 2, "- 고친 실적")
        self.assertEqual(response.status_code, 403)
        self.entry.refresh_from_db()
        self.assertEqual(self.entry.executed, 1_862_509)

    def test_the_admin_shows_an_approved_quarter_read_only(self):
        self.client.force_login(self.staff)
        url = reverse("admin:programs_progressentry_change", args=[self.entry.pk])
        page = self.client.get(url).content.decode()
        self.assertNotIn('name="_save"', page)
        self.assertNotIn('name="achievements"', page)

    def test_the_admin_accepts_the_next_quarter(self):
        response = self.post_entry(reverse("admin:programs_progressentry_add"), 3, "- 3분기 실적")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(ProgressEntry.objects.filter(program=self.program, quarter=3).exists())

    def test_the_admin_add_form_refuses_an_approved_quarter_with_a_message(self):
        response = self.post_entry(reverse("admin:programs_progressentry_add"), 2, "- 중복")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "승인되어 잠겨 있습니다")


class CouncilRequestListTests(TestCase):
    """The status column is edited in the list; an approved quarter's rows stay as they are."""

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department)
        cls.locked, cls.open = (
            CouncilRequest.objects.create(
                department=cls.department,
                year=2025,
                quarter=quarter,
                kind=request_kind("건의사항"),
                order=1,
                text=f"{quarter}분기 건의",
            )
            for quarter in (1, 2)
        )
        approve(cls.department, 2025, 1)

    def test_a_locked_row_is_shown_disabled_and_does_not_block_the_open_rows(self):
        self.client.force_login(self.staff)
        url = reverse("admin:programs_councilrequest_changelist")
        rows = [self.open, self.locked]  # the list's order: newest quarter first
        page = self.client.get(url).content.decode()
        self.assertRegex(page, r'<select name="form-1-status"[^>]* disabled[ >]')
        self.assertNotRegex(page, r'<select name="form-0-status"[^>]* disabled[ >]')
        data = {"form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2, "_save": "저장"}
        for i, row in enumerate(rows):
            data |= {f"form-{i}-id": row.pk, f"form-{i}-status": "done"}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.open.refresh_from_db()
        self.locked.refresh_from_db()
        self.assertEqual((self.open.status, self.locked.status), ("done", "under_review"))


class ProgramScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.own = make_department("총무과")
        cls.other = make_department("청소과")
        cls.own_team = make_department("교육후생팀", Department.Kind.TEAM, parent=cls.own)
        cls.other_team = make_department("청소행정팀", Department.Kind.TEAM, parent=cls.other)
        cls.staff = make_user(Role.STAFF, cls.own)
        cls.other_program = make_program(cls.other, title="청소차량 운영")

    def setUp(self):
        self.client.force_login(self.staff)

    def post_program(self, team):
        data = {
            "department": self.own.pk,
            "year": 2025,
            "kind": "main",
            "order": 9,
            "title": "새 사업",
            "team": team.pk,
            "purpose": "",
            "overview": "□ 사업개요\n- 대상시설: 본관",
        }
        for prefix in ("progress", "schedule", "kpis"):
            data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
        return self.client.post(reverse("admin:programs_program_add"), data)

    def test_staff_of_another_department_get_404_on_its_program(self):
        for view in ("change", "history", "delete"):
            with self.subTest(view=view):
                url = reverse(f"admin:programs_program_{view}", args=[self.other_program.pk])
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_staff_pick_teams_of_their_own_department_only(self):
        page = self.client.get(reverse("admin:programs_program_add")).content.decode()
        self.assertIn(f'value="{self.own_team.pk}"', page)
        self.assertNotIn("청소행정팀", page)
        self.assertEqual(self.post_program(self.other_team).status_code, 200)
        self.assertFalse(Program.objects.filter(title="새 사업").exists())

    def test_staff_may_add_a_program_for_their_own_team(self):
        self.assertEqual(self.post_program(self.own_team).status_code, 302)
        self.assertEqual(Program.objects.get(title="새 사업").team, self.own_team)

    def test_a_program_team_must_sit_below_its_department(self):
        program = Program(
            department=self.own, year=2025, order=1, title="사업", team=self.other_team
        )
        with self.assertRaises(ValidationError) as caught:
            program.full_clean()
        self.assertIn("team", caught.exception.message_dict)

    def test_an_unknown_marker_is_reported_on_the_field(self):
        entry = ProgressEntry(program=self.other_program, year=2025, quarter=2, plans="★ 계획")
        with self.assertRaises(ValidationError) as caught:
            entry.full_clean()
        self.assertIn("1번째 줄", caught.exception.message_dict["plans"][0])


class ProgramHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department, username="ga_staff")
        cls.program = make_program(cls.department)
        cls.entry = make_progress(cls.program, quarter=3, achievements="- 옛 실적")

    def test_an_edited_achievements_text_is_recorded_with_who_old_and_new(self):
        self.client.force_login(self.staff)
        url = reverse("admin:programs_progressentry_change", args=[self.entry.pk])
        data = {
            "program": self.program.pk,
            "year": 2025,
            "quarter": 3,
            "achievements": "- 새 실적: 4월 / 95,700천원",
            "plans": "",
            "budget": "",
            "executed": "",
            "budget_source": "",
            "budget_note": "",
        }
        self.assertEqual(self.client.post(url, data).status_code, 302)
        latest = ProgressEntry.history.latest("history_date")
        self.assertEqual(latest.history_user, self.staff)
        changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
        self.assertEqual(changes["achievements"], ("- 옛 실적", "- 새 실적: 4월 / 95,700천원"))

        history = reverse("admin:programs_program_history", args=[self.program.pk])
        page = self.client.get(history).content.decode()
        self.assertIn("주요 추진실적", page)
        self.assertIn("ga_staff", page)


class BudgetLinkTests(TestCase):
    """A program links the budget lines of its own department tree and year only."""

    @classmethod
    def setUpTestData(cls):
        cls.own = make_department("총무과")
        cls.other = make_department("청소과")
        cls.team = make_department("교육후생팀", Department.Kind.TEAM, parent=cls.own)
        cls.staff = make_user(Role.STAFF, cls.own, username="ga_staff")
        cls.clerk = make_user(Role.CLERK)
        cls.program = make_program(cls.own, title="안전하고 쾌적한 청사환경 조성")
        cls.line = make_line(cls.own, "쾌적한 행정환경 조성")
        cls.team_line = make_line(cls.team, "직원 후생복지")
        cls.other_line = make_line(cls.other, "청소차량 운영")
        cls.last_year_line = make_line(cls.own, "쾌적한 행정환경 조성", year=2024)

    def post_links(self, user, *lines):
        self.client.force_login(user)
        data = {
            "department": self.own.pk,
            "year": 2025,
            "kind": "main",
            "order": self.program.order,
            "title": self.program.title,
            "team": "",
            "performance_goal": "",
            "unit_title": "",
            "purpose": "",
            "legal_basis": "",
            "period": "",
            "overview": "",
            "budget_lines": [line.pk for line in lines],
        }
        for prefix in ("progress", "schedule", "kpis"):
            data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
        url = reverse("admin:programs_program_change", args=[self.program.pk])
        return self.client.post(url, data)

    def linked(self):
        return set(self.program.budget_lines.all())

    def test_staff_link_lines_of_their_department_and_its_teams(self):
        response = self.post_links(self.staff, self.line, self.team_line)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.linked(), {self.line, self.team_line})

    def test_staff_cannot_link_another_departments_line(self):
        response = self.post_links(self.staff, self.line, self.other_line)
        self.assertEqual(response.status_code, 200)  # not among their choices
        self.assertEqual(self.linked(), set())

    def test_the_clerk_cannot_link_another_departments_line_either(self):
        response = self.post_links(self.clerk, self.other_line)
        self.assertContains(response, "이 부서 또는 그 아래 조직의 것이어야 합니다")
        self.assertEqual(self.linked(), set())

    def test_a_line_of_another_year_is_refused(self):
        response = self.post_links(self.clerk, self.last_year_line)
        self.assertContains(response, "같은 연도")
        self.assertEqual(self.linked(), set())

    def test_the_relation_itself_refuses_another_departments_line_from_either_side(self):
        # add() runs in the caller's transaction: each refusal gets its own here.
        with self.assertRaises(ValidationError), transaction.atomic():
            self.program.budget_lines.add(self.other_line)
        with self.assertRaises(ValidationError), transaction.atomic():
            self.other_line.programs.add(self.program)
        self.assertEqual(self.linked(), set())

    def test_a_program_of_an_approved_year_keeps_its_links(self):
        self.program.budget_lines.add(self.line)
        approve(self.own, 2025, 2)
        attempts = {
            "add": lambda: self.program.budget_lines.add(self.team_line),
            "remove": lambda: self.program.budget_lines.remove(self.line),
            "clear": self.program.budget_lines.clear,
            "set": lambda: self.program.budget_lines.set([self.team_line]),
            "reverse add": lambda: self.team_line.programs.add(self.program),
            "reverse clear": self.line.programs.clear,
        }
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaises(PeriodLocked), transaction.atomic():
                attempt()
        self.assertEqual(self.linked(), {self.line})

    def test_the_admin_refuses_relinking_a_program_of_an_approved_year(self):
        self.program.budget_lines.add(self.line)
        approve(self.own, 2025, 2)
        self.assertEqual(self.post_links(self.staff, self.team_line).status_code, 403)
        self.assertEqual(self.linked(), {self.line})

    def test_history_records_who_linked_which_line(self):
        self.post_links(self.staff, self.line)
        latest = self.program.history.latest("history_date")
        self.assertEqual(latest.history_user, self.staff)
        self.assertEqual([row.budgetline for row in latest.budget_lines.all()], [self.line])
        delta = latest.diff_against(self.program.history.earliest("history_date"))
        self.assertEqual([change.field for change in delta.changes], ["budget_lines"])

        url = reverse("admin:programs_program_history", args=[self.program.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("관련 예산사업", page)
        self.assertIn("쾌적한 행정환경 조성", page)


class DemoProgramsTests(TestCase):
    FIXTURES = [
        Path(settings.BASE_DIR) / "fixtures" / "demo" / name
        for name in (
            "10_reference.json",
            "20_organisation.json",
            "60_budgets.json",
            "70_programs.json",
        )
    ]

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", *cls.FIXTURES, verbosity=0)

    def test_the_2025_report_has_its_six_programs(self):
        programs = Program.objects.filter(department__code="YDP-GA", year=2025)
        self.assertEqual(
            list(programs.order_by("kind", "order").values_list("kind", "order", "title")),
            [
                ("main", 1, "안전하고 쾌적한 청사환경 조성"),
                ("main", 2, "화합행정과 공정한 인사"),
                ("main", 3, "미래지향적 전문인재 양성"),
                ("main", 4, "친선도시 등 대내·외 교류 내실화"),
                ("main", 5, "구 홈페이지 및 정보시스템 운영·관리"),
                ("new_priority", 1, "행복한 일터를 위한 직원 후생복지제도 운영"),
            ],
        )

    def test_the_new_priority_program_reports_its_budget(self):
        entry = ProgressEntry.objects.get(program__year=2025, program__kind="new_priority")
        self.assertEqual((entry.year, entry.quarter), (2025, 2))
        self.assertEqual(
            (entry.budget, entry.executed, entry.rate), (6_444_228, 3_556_748, Decimal("55.2"))
        )
        self.assertEqual(entry.get_budget_source_display(), "구비")
        self.assertEqual(entry.program.team.code, "YDP-GA-WELFARE")

    def test_2025_amounts_come_out_of_the_achievements(self):
        entry = ProgressEntry.objects.get(
            program__year=2025, program__kind="main", program__order=1
        )
        amounts = [item.amount for item in parse(entry.achievements) if item.amount]
        self.assertEqual(amounts, [95_700, 45_850, 19_558, 21_900, 26_400])

    def test_the_2025_programs_link_their_unit_budget_lines(self):
        programs = Program.objects.filter(department__code="YDP-GA", year=2025)
        links = {
            (p.kind, p.order): [line.name for line in p.budget_lines.all()]
            for p in programs.prefetch_related("budget_lines")
        }
        welfare = ["창의적인 인재양성 및 직원복지 향상"]
        self.assertEqual(
            links,
            {
                ("main", 1): ["쾌적한 행정환경 조성"],
                ("main", 2): ["구정목표 달성을 위한 조직운영"],
                ("main", 3): welfare,
                ("main", 4): ["대외교류 활성화"],
                ("main", 5): ["스마트시대를 선도하는 미래 정보화 추진"],
                ("new_priority", 1): welfare,
            },
        )

    def test_2007_programs_hang_under_their_performance_goals(self):
        programs = Program.objects.filter(year=2007).select_related(
            "performance_goal__strategic_goal", "team"
        )
        self.assertEqual(programs.count(), 11)
        goals = {p.order: p.performance_goal.number for p in programs}
        self.assertEqual(
            goals,
            {
                **dict.fromkeys(range(1, 7), "1-1"),
                7: "2-1",
                8: "2-1",
                9: "2-1",
                10: "2-2",
                11: "2-3",
            },
        )
        self.assertEqual(programs.get(order=11).team.name, "의회법무팀")

    def test_2007_litigation_indicators_carry_only_the_printed_figures(self):
        kpi = Kpi.objects.get(program__year=2007, name="소송 승소율")
        values = {v.year: (v.target, v.actual) for v in kpi.values.all()}
        self.assertEqual(values, {2006: (None, 83), 2007: (86, 86)})
        self.assertEqual(kpi.direction, Kpi.Direction.UP)

    def test_2008_programs_keep_their_unit_headings(self):
        programs = Program.objects.filter(year=2008)
        self.assertEqual(programs.count(), 16)
        self.assertEqual(
            list(programs.filter(unit_title="고객만족 환경조성").values_list("title", flat=True)),
            ["CS 역량강화 교육 및 고객감동 행정추진", "행정서비스 현장운영"],
        )

    def test_every_demo_row_passes_the_model_checks(self):
        for model in (Program, ProgressEntry):
            for obj in model.objects.all():
                with self.subTest(obj=str(obj)):
                    obj.full_clean()

    def test_loading_the_demo_twice_changes_nothing(self):
        before = (Program.objects.count(), ProgressEntry.objects.count(), Kpi.objects.count())
        call_command("loaddata", *self.FIXTURES, verbosity=0)
        after = (Program.objects.count(), ProgressEntry.objects.count(), Kpi.objects.count())
        self.assertEqual(after, before)
        self.assertEqual(before, (33, 33, 4))


class DemoAdminPagesTests(TestCase):
    """The program admin pages render the demo rows for the clerk and for the department."""

    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", *DemoProgramsTests.FIXTURES, verbosity=0)
        ga = Department.objects.get(code="YDP-GA")
        cls.users = [make_user(None), make_user(Role.STAFF, ga)]
        cls.rows = [
            Program.objects.get(year=2007, order=11),
            ProgressEntry.objects.get(program__year=2025, program__kind="new_priority"),
            Kpi.objects.get(program__year=2007, order=1),
            Mission.objects.get(year=2007),
            StrategicGoal.objects.get(year=2007, order=2),
        ]

    def test_changelist_change_and_history_pages_render(self):
        for user in self.users:
            self.client.force_login(user)
            for row in self.rows:
                prefix = f"admin:programs_{row._meta.model_name}"
                urls = [
                    reverse(f"{prefix}_changelist"),
                    reverse(f"{prefix}_change", args=[row.pk]),
                    reverse(f"{prefix}_history", args=[row.pk]),
                ]
                for url in urls:
                    with self.subTest(user=user.username, url=url):
                        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_progress_page_previews_the_outline_and_the_rate(self):
        self.client.force_login(self.users[1])
        url = reverse("admin:programs_progressentry_change", args=[self.rows[1].pk])
        page = self.client.get(url).content.decode()
        self.assertIn("55.2", page)
        self.assertIn("outline-level-3", page)

    def test_a_program_of_an_approved_year_is_shown_read_only(self):
        approve(Department.objects.get(code="YDP-GA"), 2007, 2)
        self.client.force_login(self.users[1])
        url = reverse("admin:programs_program_change", args=[self.rows[0].pk])
        page = self.client.get(url).content.decode()
        self.assertNotIn('name="_save"', page)
        self.assertNotIn('name="progress-0-achievements"', page)
        self.assertEqual(self.client.post(url, {}).status_code, 403)
