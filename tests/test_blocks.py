"""Each block kind with each of its options, as the web page prints it (part.html) and as
the PDF does (one PDF a class, read back with pdftotext)."""

import io
import re
import shutil
import subprocess
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings

from .block_helpers import (
    MEDIA,
    html,
    html_of,
    make_figures,
    make_programs,
    one,
    pdf_pages,
    pdf_text,
    report,
    rows,
    section,
    spec,
    squeeze,
    text_of,
    tight,
)
from .tools import needs_korean_font, needs_poppler


class BlockTests(TestCase):
    """Figures of one division (tests.block_helpers.make_figures); `layout` is the class
    PDF's layout, rendered once in setUpTestData when the class needs a PDF."""

    programs = False
    layout = None

    @classmethod
    def setUpTestData(cls):
        cls.ga, cls.briefing = make_figures()
        if cls.programs:
            cls.first, cls.second, cls.new = make_programs(cls.ga)
        if cls.layout:
            cls.data = report(cls.briefing, *cls.layout())
            cls.document, cls.pages, cls.pdf = pdf_text(cls.data)
            # drawing order: each table cell's text together, however it wraps
            cls.raw = squeeze("".join(pdf_pages(cls.document, "-raw")))

    def html(self, kind, title="", text="", /, **options):
        return html(self.briefing, kind, title, text, **options)

    def text(self, kind, title="", text="", /, **options):
        return text_of(self.html(kind, title, text, **options))


def in_order(test, text, *parts):
    """Each part appears in the text, in this order."""
    positions = [text.find(part) for part in parts]
    test.assertNotIn(-1, positions, (parts, text))
    test.assertEqual(positions, sorted(positions), parts)


# Organisation --------------------------------------------------------------------------


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class OrganisationTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(spec("organisation", unit_word="담당")),
            section(spec("organisation", summary="1과 2팀", duties_as="table")),
        ]

    def test_the_head_line_counts_the_active_units_in_the_unit_word(self):
        self.assertIn("총무과 – (2)개팀", self.text("organisation"))
        self.assertIn("총무과 – (2)개담당", self.text("organisation", unit_word="담당"))
        self.assertNotIn("폐지팀", self.text("organisation"))

    def test_a_summary_line_replaces_the_count(self):
        text = self.text("organisation", summary="1과 2팀")
        self.assertIn("총무과 – 1과 2팀", text)
        self.assertNotIn("개팀", text)

    def test_duties_as_a_list(self):
        markup = self.html("organisation")
        self.assertIn('<ul class="duties"><li>청사 관리</li></ul>', markup)
        self.assertIn(
            '<li class="team"><span class="team-name">교육후생팀</span>',
            re.sub(r"\s+<", "<", markup),
        )
        self.assertEqual(rows(markup), [])

    def test_duties_as_a_table(self):
        markup = self.html("organisation", duties_as="table")
        self.assertEqual(
            rows(markup, "duties-table"),
            [
                ["구분", "담당업무"],
                ["총무과", "청사 관리"],
                ["교육후생팀", "교육후생팀 업무 가 교육후생팀 업무 나"],
                ["전산운영팀", "전산운영팀 업무 가 전산운영팀 업무 나"],
            ],
        )
        self.assertIn("교육후생팀 업무 가<br>교육후생팀 업무 나", markup)
        self.assertNotIn('class="teams"', markup)

    def test_the_pdf(self):
        self.assertIn("총무과–(2)개담당", self.pdf)
        self.assertIn("총무과–1과2팀", self.pdf)
        self.assertIn("구분담당업무", self.pdf)
        self.assertIn("전산운영팀업무가", self.pdf)


# Count tables: staffing and vehicles ----------------------------------------------------

STAFF_HEAD = [
    ["구분", "계", "일반직", "관리운영직", "별정직"],
    ["소계", "6급", "7급", "8급", "9급"],
]


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class CountTableTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(
                spec("staffing", total_label="합계", total_last=True, gap="authorised"),
                spec("vehicles", only="승합"),
            )
        ]

    def test_staffing_by_default(self):
        markup = self.html("staffing")
        self.assertEqual(
            rows(markup, "count-table"),
            [
                *STAFF_HEAD,
                ["정원", "10", "8", "3", "5", "2", "-"],
                ["현원", "9", "7", "4", "3", "2", "-"],
                ["과부족", "△1", "△1", "1", "△2", "-", "-"],
            ],
        )
        self.assertIn("(단위: 명, 2025. 5. 31. 기준)", text_of(markup))

    def test_total_and_subtotal_labels(self):
        table = rows(
            self.html("staffing", total_label="합계", subtotal_label="소 계"), "count-table"
        )
        self.assertEqual(table[0][1], "합계")
        self.assertEqual(table[1][0], "소 계")

    def test_totals_last(self):
        table = rows(self.html("staffing", total_last=True), "count-table")
        self.assertEqual(table[0], ["구분", "일반직", "관리운영직", "별정직", "계"])
        self.assertEqual(table[1], ["6급", "7급", "소계", "8급", "9급"])
        self.assertEqual(table[2], ["정원", "3", "5", "8", "2", "-", "10"])
        self.assertEqual(table[3], ["현원", "4", "3", "7", "2", "-", "9"])

    def test_columns_all_zero_hidden(self):
        table = rows(self.html("staffing", hide_zero=True), "count-table")
        self.assertEqual(table[0], ["구분", "계", "일반직", "관리운영직"])
        self.assertEqual(table[2], ["정원", "10", "8", "3", "5", "2"])

    def test_only_the_classes_named(self):
        table = rows(self.html("staffing", only="일반직, 별정직"), "count-table")
        self.assertEqual(table[0], ["구분", "계", "일반직", "별정직"])
        self.assertEqual(table[2], ["정원", "8", "8", "3", "5", "-"])
        self.assertEqual(one(self.briefing, "staffing", only="없는직")["sections"][0]["blocks"], [])

    def test_the_gap_row(self):
        table = rows(self.html("staffing", gap="authorised"), "count-table")
        self.assertEqual(table[-1], ["과부족", "1", "1", "△1", "2", "-", "-"])
        table = rows(self.html("staffing", gap="none"), "count-table")
        self.assertEqual([row[0] for row in table[2:]], ["정원", "현원"])

    def test_vehicles(self):
        markup = self.html("vehicles")
        self.assertIn("□ 공용차량 – 총8대 (정수 236)", text_of(markup))
        self.assertEqual(
            rows(markup, "count-table"),
            [
                ["구분", "총계", "승용", "승합"],
                ["소계", "중형", "소형", "대형"],
                ["대수", "8", "7", "5", "2", "1"],
            ],
        )
        only = self.html("vehicles", only="승합", total_last=True)
        self.assertIn("총1대", text_of(only))
        self.assertEqual(rows(only, "count-table")[-1], ["대수", "1", "1"])

    def test_the_pdf(self):
        page = squeeze(self.pages[2])
        self.assertIn("정원3582-10", page)
        self.assertIn("과부족△121--1", page.replace("감소", ""))  # 정원 − 현원
        self.assertIn("합계", page)
        self.assertIn("공용차량–총1대(정수236)", page)


# Facilities ------------------------------------------------------------------------------

FACILITY_HEAD = ["구분", "대지(㎡)", "건물(㎡)", "규모", "준공일자", "비고"]


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class FacilityTests(BlockTests):
    @staticmethod
    def layout():
        return [section(spec("facilities", columns=["floor_area", "notes"], marker="◆"))]

    def test_by_default(self):
        markup = self.html("facilities")
        self.assertEqual(
            rows(markup, "facilities"),
            [
                FACILITY_HEAD,
                ["본관", "계", "7,622.5", "15,282", "", "", ""],
                [
                    "본관",
                    "7,622.5",
                    "9,682",
                    "지하3층 ~ 지상6층",
                    "1976. 1. 5. (2018. 6. 2. 증축)",
                    "민원실",
                ],
                ["별관", "-", "5,600", "지상2층", "", ""],
                FACILITY_HEAD,
                ["구민회관", "구민회관", "2,940", "616", "", "", ""],
            ],
        )
        self.assertEqual(
            rows(markup, "facility-list"),
            [["구분", "명칭", "현황", "비고"], ["정보화교육장", "평생스마트교육장", "대림3동", ""]],
        )
        self.assertEqual(
            re.findall(r'<h4 class="box-title">(.*?)</h4>', markup),
            ["□ 구 청사", "□ 구민회관", "□ 정보화교육장"],
        )

    def test_columns_chosen(self):
        table = rows(self.html("facilities", columns=["notes", "floor_area"]), "facilities")
        self.assertEqual(table[0], ["구분", "건물(㎡)", "비고"])  # in the table's order
        self.assertEqual(table[2], ["본관", "9,682", "민원실"])

    def test_without_subtotals_the_site_spans_its_buildings(self):
        markup = self.html("facilities", subtotals=False)
        table = rows(markup, "facilities")
        self.assertEqual(table[1][:3], ["본관", "본관", "7,622.5"])
        self.assertEqual(table[2][:2], ["별관", "-"])
        self.assertNotIn("계", [cell for row in table for cell in row])
        self.assertIn('<th scope="rowgroup" rowspan="2">본관</th>', markup)

    def test_marker_and_only(self):
        markup = self.html("facilities", marker="◆", only="구민회관")
        self.assertEqual(re.findall(r'<h4 class="box-title">(.*?)</h4>', markup), ["◆ 구민회관"])
        markup = self.html("facilities", marker="", only="정보화교육장")
        self.assertEqual(re.findall(r'<h4 class="box-title">(.*?)</h4>', markup), ["정보화교육장"])

    def test_the_pdf(self):
        self.assertIn("◆구청사", self.pdf)
        self.assertIn("구분건물(㎡)비고", self.pdf)
        self.assertIn("본관9,682민원실", self.pdf)
        self.assertNotIn("준공일자", self.pdf)


# Budgets ---------------------------------------------------------------------------------

ALL_COLUMNS = [
    "source",
    "budget",
    "prior",
    "change",
    "change_rate",
    "executed",
    "rate",
    "remainder",
    "share",
]


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class BudgetTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(
                spec(
                    "budget",
                    kind="all",
                    detail=True,
                    columns=ALL_COLUMNS,
                    kind_titles=True,
                    year_in_header=True,
                    as_of_in_header=False,
                    total="bottom",
                )
            )
        ]

    def test_by_default_the_expenditure_units_with_the_total_on_top(self):
        markup = self.html("budget")
        self.assertEqual(
            rows(markup),
            [
                ["단위사업명", "예산액", "집행액", "집행률(%) (5.31.기준)"],
                ["계", "100,000", "54,000", "54.0"],
                ["행정 지원", "80,000", "35,000", "43.8"],
                ["직원 복지", "20,000", "19,000", "95.0"],
            ],
        )
        self.assertIn("(단위: 천원)", text_of(markup))
        self.assertNotIn("budget-kind", markup)

    def test_revenue(self):
        self.assertEqual(
            rows(self.html("budget", kind="revenue"))[1:],
            [["계", "7,000", "3,500", "50.0"], ["사용료 수입", "7,000", "3,500", "50.0"]],
        )

    def test_every_column_of_the_detail(self):
        markup = self.html(
            "budget",
            detail=True,
            columns=ALL_COLUMNS,
            name_header="사업명",
            year_in_header=True,
            as_of_in_header=False,
        )
        self.assertEqual(
            rows(markup),
            [
                [
                    "사업명",
                    "재원",
                    "2025년 예산",
                    "전년도 예산",
                    "증감액",
                    "증감률(%)",
                    "집행액",
                    "집행률(%)",
                    "잔액",
                    "구성비(%)",
                ],
                [
                    "계",
                    "",
                    "100,000",
                    "75,000",
                    "25,000",
                    "33.3",
                    "54,000",
                    "54.0",
                    "46,000",
                    "100.0",
                ],
                [
                    "행정 지원 (정책사업)",
                    "",
                    "80,000",
                    "75,000",
                    "5,000",
                    "6.7",
                    "35,000",
                    "43.8",
                    "45,000",
                    "80.0",
                ],
                [
                    "청사 관리 (단위사업)",
                    "구비",
                    "60,000",
                    "50,000",
                    "10,000",
                    "20.0",
                    "30,000",
                    "50.0",
                    "30,000",
                    "75.0",
                ],
                [
                    "전산 운영 (단위사업)",
                    "시비",
                    "20,000",
                    "25,000",
                    "△5,000",
                    "△20.0",
                    "5,000",
                    "25.0",
                    "15,000",
                    "25.0",
                ],
                [
                    "직원 복지 (단위사업)",
                    "구비",
                    "20,000",
                    "-",
                    "20,000",
                    "순증",
                    "19,000",
                    "95.0",
                    "1,000",
                    "20.0",
                ],
            ],
        )
        self.assertIn("(단위: 천원, 2025. 5. 31. 기준)", text_of(markup))

    def test_the_total_row_on_top_at_the_bottom_or_none(self):
        names = {
            total: [row[0] for row in rows(self.html("budget", total=total))[1:]]
            for total in ("top", "bottom", "none")
        }
        self.assertEqual(names["top"], ["계", "행정 지원", "직원 복지"])
        self.assertEqual(names["bottom"], ["행정 지원", "직원 복지", "계"])
        self.assertEqual(names["none"], ["행정 지원", "직원 복지"])

    def test_both_kinds_with_their_titles(self):
        markup = self.html("budget", kind="all", kind_titles=True, columns=["budget"])
        self.assertEqual(
            re.findall(r'<h4 class="box-title budget-kind">(.*?)</h4>', markup), ["세출", "세입"]
        )
        self.assertEqual(
            rows(markup),
            [
                ["단위사업명", "예산액"],
                ["계", "100,000"],
                ["행정 지원", "80,000"],
                ["직원 복지", "20,000"],
                ["단위사업명", "예산액"],
                ["계", "7,000"],
                ["사용료 수입", "7,000"],
            ],
        )
        self.assertEqual(
            rows(self.html("budget", kind="all", kind_titles=False))[0][0], "단위사업명"
        )

    def test_the_pdf(self):
        page = self.raw.replace("감소", "")
        in_order(self, page, "세출", "단위사업명재원2025년예산전년도예산증감액증감률(%)", "세입")
        self.assertIn("전산운영(단위사업)시비20,00025,000△5,000△20.05,00025.015,00025.0", page)
        self.assertIn("계100,00075,00025,00033.354,00054.046,000100.0", page)
        self.assertIn("사용료수입(목)7,000---3,50050.03,500100.0", page)
        # the total at the bottom: after the last line of each table
        in_order(self, page, "직원복지(단위사업)", "계100,000", "사용료수입", "계7,000")


# Programs and the tables across them ---------------------------------------------------


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class ProgramTests(BlockTests):
    programs = True

    @staticmethod
    def layout():
        return [
            section(
                spec(
                    "programs",
                    programs="all",
                    parts="period legal_basis kpis schedule budget",
                    marker="◆",
                    headings="budget=사업비",
                ),
                heading="사업",
            ),
            section(spec("kpis", unit_in_cells=True), spec("schedule"), heading="표"),
            section(spec("progress_matrix", programs="new_priority"), heading="상황"),
        ]

    def test_main_programs_with_the_index_and_the_default_parts(self):
        markup = self.html("programs")
        self.assertEqual(
            rows(markup, "program-index"),
            [["연번", "사업명", "쪽"], ["①", "청사 환경 개선", ""], ["②", "직원 후생 복지", ""]],
        )
        text = text_of(markup)
        in_order(
            self,
            text,
            "① 청사 환경 개선 교육후생팀 쾌적한 청사 민원 편의 향상",
            "□ 사업개요 □ 사업 내용 ○ 외벽 보수",
            "□ 주요 추진실적 - 별관 대강당 영상시설 조달구매: 4월 / 95,700천원",
            "□ 향후계획 - 본관 청사 외벽타일 점검 및 보수: 6월",
            "□ 예산현황 (단위: 천원) 예산액 집행액 집행률(%) 79,369(구비) 39,400(구비) 49.6",
            "② 직원 후생 복지 직원 사기 진작",
        )
        self.assertNotIn("스마트 민원실", text)
        self.assertNotIn("근거", text)
        self.assertNotIn("목적", text)  # the purpose prints without a heading

    def test_which_programs(self):
        new = text_of(self.html("programs", programs="new_priority", index=False))
        self.assertIn("① 스마트 민원실", new)
        self.assertNotIn("청사 환경 개선", new)
        self.assertNotIn("program-index", self.html("programs", index=False))
        every = rows(self.html("programs", programs="all"), "program-index")
        self.assertEqual(
            [r[:2] for r in every[1:]],
            [["①", "청사 환경 개선"], ["②", "직원 후생 복지"], ["①", "스마트 민원실"]],
        )

    def test_the_parts_in_the_order_given(self):
        text = text_of(self.html("programs", parts="schedule kpis period legal_basis plans"))
        in_order(
            self,
            text,
            "□ 추진일정 4월 외벽 점검 (95,700천원) 3분기 보수 공사",
            "□ 성과지표 성과지표 단위 연도 목표 실적 달성률(%) "
            "청사 만족도 (↑ 높을수록 좋음) 점 2025 90 82 91.1",
            "□ 사업기간 2025. 1. ~ 12.",
            "□ 근거 공유재산법 제10조 청사 관리 조례",
            "□ 향후계획",
        )
        for left_out in ("사업개요", "주요 추진실적", "예산현황", "쾌적한 청사"):
            self.assertNotIn(left_out, text)

    def test_unknown_parts_fall_back_to_the_default(self):
        text = text_of(self.html("programs", parts="plans nonsense"))
        self.assertIn("□ 사업개요", text)

    def test_marker_purpose_lines_team_and_headings(self):
        markup = self.html(
            "programs",
            marker="■",
            purpose_lines=True,
            show_team=False,
            headings="achievements=추진실적\nplans = 향후 추진계획\npurpose=추진 목적\nbogus=무시",
        )
        text = text_of(markup)
        self.assertIn(
            '<ul class="purpose-lines"><li>쾌적한 청사</li><li>민원 편의 향상</li></ul>', markup
        )
        in_order(
            self,
            text,
            "① 청사 환경 개선 ■ 추진 목적 쾌적한 청사",
            "■ 사업개요",
            "■ 추진실적",
            "■ 향후 추진계획",
            "■ 예산현황",
        )
        self.assertNotIn("교육후생팀", text)
        self.assertNotIn("□", text.replace("□ 사업 내용", ""))

    def test_kpis(self):
        markup = self.html("kpis")
        self.assertEqual(
            rows(markup, "kpis"),
            [
                ["사업명", "성과지표", "단위", "연도", "목표", "실적", "달성률(%)"],
                [
                    "① 청사 환경 개선",
                    "청사 만족도 (↑ 높을수록 좋음)",
                    "점",
                    "2025",
                    "90",
                    "82",
                    "91.1",
                ],
            ],
        )
        self.assertEqual(
            rows(self.html("kpis", unit_in_cells=True), "kpis")[1],
            ["① 청사 환경 개선", "청사 만족도 (↑ 높을수록 좋음)", "2025", "90점", "82점", "91.1"],
        )

    def test_schedule(self):
        self.assertEqual(
            rows(self.html("schedule"), "schedule"),
            [
                ["사업명", "시기", "추진내용", "금액(천원)"],
                ["① 청사 환경 개선", "4월", "외벽 점검", "95,700"],
                ["3분기", "보수 공사", "-"],
            ],
        )
        self.assertIn(
            '<th scope="rowgroup" rowspan="2">① 청사 환경 개선</th>', self.html("schedule")
        )
        self.assertEqual(
            one(self.briefing, "schedule", programs="new_priority")["sections"][0]["blocks"], []
        )

    def test_progress_matrix(self):
        self.assertEqual(
            rows(self.html("progress_matrix"), "progress-matrix")[1:],
            [
                [
                    "① 청사 환경 개선",
                    "79,369",
                    "39,400",
                    "49.6",
                    "별관 대강당 영상시설 조달구매",
                    "본관 청사 외벽타일 점검 및 보수 (6월)",
                ],
                [
                    "② 직원 후생 복지",
                    "904,400",
                    "235,073",
                    "26.0",
                    "건강검진 지원",
                    "하반기 연수 (9월)",
                ],
                [
                    "① 스마트 민원실",
                    "-",
                    "-",
                    "-",
                    "무인 발급기 설치",
                    "본관 청사 외벽타일 점검 및 보수 (6월)",
                ],
            ],
        )

    def test_the_pdf(self):
        text = self.pdf
        in_order(
            self,
            text,
            "①청사환경개선교육후생팀◆사업기간2025.1.~12.",
            "◆근거•공유재산법제10조•청사관리조례",
            "◆성과지표성과지표단위",
            "◆추진일정•4월외벽점검(95,700천원)•3분기보수공사",
            "◆사업비(단위:천원)예산액집행액집행률(%)79,369(구비)39,400(구비)49.6",
            "②직원후생복지◆사업비",
            "-3-①스마트민원실-4-",
        )
        self.assertIn("청사만족도(↑높을수록좋음)202590점82점91.1", text)
        self.assertIn("①청사환경개선4월외벽점검95,7003분기보수공사-", self.raw)
        matrix = text[text.rindex("III.상황") :]
        for piece in ("①스마트민원", "---", "무인발급기설치"):  # the name may wrap in its column
            self.assertIn(piece, matrix)


# Goals, council requests, contacts -------------------------------------------------------


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class RecordTests(BlockTests):
    programs = True

    @staticmethod
    def layout():
        return [section(spec("goals"), spec("council_requests"), spec("contacts", label="문의"))]

    def test_goals(self):
        markup = self.html("goals")
        self.assertIn("임무 행복한 일터", text_of(markup))
        self.assertEqual(
            rows(markup, "goals"),
            [
                ["전략목표", "성과목표", "주요사업"],
                ["1. 쾌적한 행정환경 조성", "1-1 청사 개선", "청사 환경 개선 직원 후생 복지"],
                ["2. 소통 강화", "-", "-"],
            ],
        )

    def test_council_requests(self):
        markup = self.html("council_requests")
        self.assertEqual(
            rows(markup, "request-counts"),
            [
                ["구분", "계", "완료", "추진 중", "검토 중", "미반영"],
                ["계", "2", "1", "-", "1", "-"],
                ["시정요구", "1", "1", "-", "-", "-"],
                ["처리요구", "-", "-", "-", "-", "-"],
                ["건의사항", "1", "-", "-", "1", "-"],
                ["자료제출", "-", "-", "-", "-", "-"],
            ],
        )
        self.assertEqual(
            rows(markup, "requests")[1:],
            [
                ["[2025 시정요구] 청사 주차장 개선", "완료 주차면 확충"],
                ["[2025 건의사항] 민원실 안내 강화", "검토 중 → 안내 인력 배치"],
            ],
        )

    def test_contacts_with_their_label(self):
        self.assertIn(
            "I. 항목 작성자 총무과장 홍길동 ☎ 02-2670-3114 , 주무관 김영희", self.text("contacts")
        )
        self.assertIn("I. 항목 문의 총무과장 홍길동", self.text("contacts", label="문의"))
        self.assertIn("I. 항목 총무과장 홍길동", self.text("contacts", label=""))
        self.assertNotIn("contacts-label", self.html("contacts", label=""))

    def test_the_pdf(self):
        self.assertIn("1.쾌적한행정환경조성1-1청사개선", self.pdf)
        self.assertIn("직원후생복지2.소통강화--", self.pdf)
        self.assertIn("21-1-", self.pdf)
        self.assertIn("문의총무과장홍길동☎02-2670-3114,주무관김영희", self.pdf)


# Free tables -------------------------------------------------------------------------------

TSV = "구분\t예산\t<\t비고\n^\t2024\t2025\t^\n청사\t1234567\t-12.5\t△5\n^\t0\t1,000\t메모\n"


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class FreeTableTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(
                spec("table", "연도별 예산", TSV, header_rows=2, header_cols=1, unit="단위: 천원"),
                spec("table", "그대로", "가\t1234567\t-5", header_rows=0, format_numbers=False),
            )
        ]

    def markup(self, **options):
        return self.html(
            "table", "연도별 예산", TSV, **{"header_rows": 2, "header_cols": 1} | options
        )

    def test_merges_become_spans_and_headers_th(self):
        markup = self.markup()
        self.assertIn(
            '<thead><tr><th scope="col" rowspan="2">구분</th><th scope="col" colspan="2">예산</th>'
            '<th scope="col" rowspan="2">비고</th></tr><tr><th scope="col">2024</th>'
            '<th scope="col">2025</th></tr></thead>',
            tight(markup),
        )
        self.assertIn(
            '<tbody><tr><th scope="row" rowspan="2">청사</th><td class="num">1,234,567</td>',
            tight(markup),
        )
        self.assertEqual(
            rows(markup),
            [
                ["구분", "예산", "비고"],
                ["2024", "2025"],
                ["청사", "1,234,567", "△12.5", "△5"],
                ["-", "1,000", "메모"],
            ],
        )
        self.assertIn('<h4 class="box-title free-table-title">연도별 예산</h4>', markup)

    def test_numbers_as_typed_when_not_formatted(self):
        markup = self.markup(format_numbers=False)
        self.assertEqual(
            rows(markup)[2:], [["청사", "1234567", "-12.5", "△5"], ["0", "1,000", "메모"]]
        )
        self.assertNotIn('class="num"', markup)

    def test_unit_and_widths(self):
        markup = self.markup(unit="단위: 천원", widths="20 30 30 20")
        self.assertIn('<p class="unit-caption">(단위: 천원)</p>', markup)
        self.assertIn(
            '<colgroup><col class="w-20"><col class="w-30"><col class="w-30">'
            '<col class="w-20"></colgroup>',
            markup,
        )
        self.assertNotIn("colgroup", self.markup(widths="20 서른"))  # refused: even widths

    def test_no_header_rows_and_header_columns(self):
        markup = self.html("table", "", "가\t1\n나\t2", header_rows=0, header_cols=1)
        self.assertNotIn("<thead>", markup)
        self.assertEqual(rows(markup), [["가", "1"], ["나", "2"]])
        self.assertIn('<th scope="row">나</th><td class="num">2</td>', tight(markup))

    def test_the_pdf(self):
        text = self.pdf.replace("감소", "")
        self.assertIn("연도별예산", text)
        self.assertIn("(단위:천원)", text)
        self.assertIn("예산구분비고20242025", text)  # years in a header stay as typed
        self.assertIn("1,234,567△12.5△5청사-1,000메모", text)  # (the spanned 청사 centred)
        self.assertIn("가1234567-5", text)


# Images, notes, text, page breaks ------------------------------------------------------------


def png(width=3, height=2):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return buffer.getvalue()


IMAGES = tempfile.mkdtemp(prefix="briefing-block-images-")


def image_spec(name="blocks/2025/map.png"):
    found = spec("image", "청사 배치도", width=50)
    return found | {"image": name, "caption": "본관과 별관", "alt_text": "본관 북쪽에 별관"}


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=IMAGES, BRIEFING_PDF_WORKERS=1)
class ImageTests(BlockTests):
    @classmethod
    def setUpTestData(cls):
        default_storage.save("blocks/2025/map.png", ContentFile(png()))
        super().setUpTestData()

    @staticmethod
    def layout():
        return [section(image_spec(), heading="그림")]

    def test_the_block_data(self):
        block = report(self.briefing, section(image_spec()))["sections"][0]["blocks"][0]
        self.assertEqual(block["alt"], "본관 북쪽에 별관")
        self.assertEqual(block["width"], 50)
        self.assertEqual(len(block["sha"]), 64)

    def test_a_missing_file_prints_nothing(self):
        data = report(self.briefing, section(image_spec("blocks/2025/gone.png")))
        self.assertEqual(data["sections"][0]["blocks"], [])

    def test_alt_text_and_caption_on_the_web_and_the_image_served_by_its_content(self):
        block = report(self.briefing, section(image_spec()))["sections"][0]["blocks"][0]
        markup = html_of(report(self.briefing, section(image_spec())))
        self.assertIn('alt="본관 북쪽에 별관"', markup)
        self.assertIn("<figcaption>본관과 별관</figcaption>", markup)
        url = re.search(r'<img src="([^"]+)"', markup)[1]
        self.assertEqual(url, f"/images/{block['sha']}/blocks/2025/map.png")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), png())
        self.assertEqual(self.client.get(url.replace(block["sha"][:8], "0" * 8)).status_code, 404)
        self.assertEqual(self.client.get(f"/images/{block['sha']}/parts/x.pdf").status_code, 404)

    def test_the_pdf_embeds_the_image(self):
        self.assertIn("청사배치도", self.pdf)
        self.assertIn("본관과별관", self.pdf)
        if shutil.which("pdfimages"):
            with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
                file.write(self.document)
                file.flush()
                listed = subprocess.run(
                    ["pdfimages", "-list", file.name], capture_output=True, text=True, check=True
                ).stdout.splitlines()[2:]
            self.assertEqual([line.split()[3:5] for line in listed], [["3", "2"]])
        else:
            self.assertIn(b"/Image", self.document)


NOTE = "◆ 현황\n ○ 민원 대기 30분"
COMPARE = "□ 종이 신청서\n→\n□ 온라인 신청\n ○ 24시간"


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class NoteTextAndPageBreakTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(
                spec("note", "요약", NOTE, frame="bracket"),
                spec("page_break"),
                spec("note", "개선", COMPARE, frame="compare", left="현행", right="바뀜"),
                spec("text", "", "□ 다음 쪽\n ○ 둘째 줄\n  - 셋째 줄"),
            )
        ]

    def test_a_boxed_note(self):
        markup = self.html("note", "요약", NOTE)
        self.assertIn('<div class="note note-box">', markup)
        self.assertIn('<p class="note-title">요약</p>', markup)
        self.assertIn("요약 ◆ 현황 ○ 민원 대기 30분", text_of(markup))

    def test_a_bracketed_title(self):
        markup = self.html("note", "요약", NOTE, frame="bracket")
        self.assertIn('<p class="note-title">【 요약 】</p>', markup)

    def test_before_and_after_split_by_an_arrow_line(self):
        markup = self.html("note", "개선", COMPARE, frame="compare")
        before = markup.split('compare-before">')[1].split("</div>")[0]
        after = markup.split('compare-after">')[1].split("</div>")[0]
        self.assertEqual(text_of(before), "기존 □ 종이 신청서")
        self.assertEqual(text_of(after), "개선 □ 온라인 신청 ○ 24시간")
        custom = text_of(self.html("note", "", COMPARE, frame="compare", left="현행", right="바뀜"))
        self.assertIn("현행 □ 종이 신청서", custom)
        self.assertIn("바뀜 □ 온라인 신청", custom)

    def test_an_empty_note_prints_nothing(self):
        self.assertEqual(one(self.briefing, "note", "", "  \n")["sections"][0]["blocks"], [])

    def test_text_keeps_its_markers(self):
        markup = self.html(
            "text", "계획", "□ 청사 관리\n ○ 본관 보수\n  - 외벽 타일\n① 첫째\n※ 참고"
        )
        self.assertEqual(
            re.findall(r'<span class="outline-marker[^"]*"[^>]*>(.*?)</span>', markup),
            ["□", "○", "-", "①", "※"],
        )
        self.assertIn("계획 □ 청사 관리 ○ 본관 보수 - 외벽 타일 ① 첫째 ※ 참고", text_of(markup))

    def test_the_pdf_breaks_the_page(self):
        content = self.pages[2:]
        self.assertEqual(len(content), 2)  # the page break: everything else fits one page
        first, second = squeeze(content[0]), squeeze(content[1])
        self.assertIn("【요약】◆현황○민원대기30분", first)
        self.assertNotIn("현행", first)
        for piece in ("현행", "□종이신청서", "바뀜", "□온라인신청", "○24시간"):  # side by side
            self.assertIn(piece, second)
        self.assertIn("□다음쪽○둘째줄-셋째줄", second)


# Empty blocks and sections ------------------------------------------------------------------


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class EmptyTests(BlockTests):
    @staticmethod
    def layout():
        return [
            section(spec("text", "", "□ 보이는 글"), heading="첫째"),
            section(spec("kpis"), heading="비어 있는 항목"),
            section(
                spec("text", "", "□ 둘째 글"),
                heading="셋째",
                children=[
                    section(spec("schedule"), heading="빈 하위"),
                    section(spec("text", "", "□ 하위 글"), heading="찬 하위"),
                ],
            ),
        ]

    def test_a_block_with_nothing_prints_nothing_and_an_empty_subsection_no_heading(self):
        data = report(self.briefing, *self.layout())
        first, empty, third = data["sections"]
        self.assertEqual([s["heading"] for s in third["children"]], ["찬 하위"])
        self.assertEqual(third["children"][0]["mark"], "1")  # numbered among the printed
        markup = html_of(data)
        self.assertNotIn("빈 하위", markup)
        self.assertNotIn("block-kpis", markup)
        self.assertNotIn("block-schedule", markup)
        self.assertIn("II. 비어 있는 항목 이 항목에 보일 자료가 없습니다.", text_of(markup))
        self.assertIn("III. 셋째 □ 둘째 글 1 찬 하위 □ 하위 글", text_of(markup))
        self.assertEqual(text_of(markup).count("이 항목에 보일 자료가 없습니다."), 1)

    def test_the_pdf_leaves_the_empty_section_out(self):
        self.assertNotIn("비어있는항목", self.pdf)
        self.assertNotIn("보일자료가", self.pdf)
        self.assertIn("I.첫째", self.pdf)
        self.assertIn("III.셋째", self.pdf)  # its number kept
        # a top-level section starts a page; the sections below it do not
        self.assertEqual(len(self.pages), 4)
        self.assertIn("III.셋째□둘째글1찬하위□하위글", squeeze(self.pages[3]))
        contents = squeeze(self.pages[1])
        self.assertIn("보고순서", contents)
        self.assertNotIn("비어", contents)
        self.assertEqual(re.findall(r"([IVX]+)\.", contents), ["I", "III"])
