"""A council's house style: heading and programme numbering, zero, negatives, dates, the
money unit and the contents page, from the council's HouseStyle or the briefing's own."""

import re

from django.test import SimpleTestCase, TestCase, override_settings

from reports_site import style as house
from reports_site.models import HouseStyle
from reports_site.report import build_report
from reports_site.templatetags.briefing import (
    amount,
    change_rate,
    date_range,
    kdate,
    rate,
    signed,
)

from .block_helpers import (
    MEDIA,
    html_of,
    make_figures,
    make_programs,
    pdf_text,
    report,
    rows,
    section,
    spec,
    squeeze,
    text_of,
)
from .tools import needs_korean_font, needs_poppler


def marks(style, levels=4, count=2):
    return [
        [house.heading_mark(style, level, n) for n in range(1, count + 1)]
        for level in range(1, levels + 1)
    ]


class HeadingMarkTests(SimpleTestCase):
    def test_the_default(self):
        self.assertEqual(marks(None), [["I.", "II."], ["1", "2"], ["□", "□"], ["○", "○"]])

    def test_each_token(self):
        numbering = {"heading_numbering": "1. 가. (1) ① 1) □"}
        self.assertEqual(
            marks(numbering, 6, 3),
            [
                ["1.", "2.", "3."],
                ["가.", "나.", "다."],
                ["(1)", "(2)", "(3)"],
                ["①", "②", "③"],
                ["1)", "2)", "3)"],
                ["□", "□", "□"],
            ],
        )
        self.assertEqual(marks({"heading_numbering": "I 1"}, 3, 1), [["I"], ["1"], ["1"]])
        self.assertEqual(house.heading_mark({"heading_numbering": "I."}, 1, 13), "13.")
        self.assertEqual(house.heading_mark({"heading_numbering": ""}, 1, 1), "")

    def test_program_numbering(self):
        found = {
            scheme: [house.program_mark({"program_numbering": scheme}, n) for n in (1, 2, 12)]
            for scheme in ("circled", "arabic", "arabic_dot")
        }
        self.assertEqual(
            found,
            {
                "circled": ["①", "②", "⑫"],
                "arabic": ["1", "2", "12"],
                "arabic_dot": ["1.", "2.", "12."],
            },
        )


class NumberFilterTests(SimpleTestCase):
    def test_zero_as_a_dash_or_a_digit_and_no_figure_always_a_dash(self):
        with house.active({"zero": "-"}):
            self.assertEqual([amount(0), amount(None), amount(""), signed(0)], ["-"] * 4)
        with house.active({"zero": "0"}):
            self.assertEqual([amount(0), amount("0"), signed(0)], ["0", "0", "0"])
            self.assertEqual(
                [amount(None), amount(""), rate(None), rate(""), signed(None)], ["-"] * 5
            )
            self.assertEqual(rate("0"), "0.0")

    def test_negatives_as_a_triangle_or_a_minus(self):
        hidden = '<span class="visually-hidden">감소 </span>'
        with house.active({"negative": "△"}):
            self.assertEqual(amount(-1234), f"{hidden}△1,234")
            self.assertEqual([signed(-5), rate("-12.34"), rate("-0.04")], ["△5", "△12.3", "△0.0"])
        with house.active({"negative": "-"}):
            self.assertEqual(amount(-1234), f"{hidden}-1,234")
            self.assertEqual([signed(-5), rate("-12.34"), rate("-0.04")], ["-5", "-12.3", "-0.0"])
            row = {"is_new": False, "change_rate": "-0.04"}
            self.assertEqual(change_rate(row), "-0.0")
        self.assertEqual(rate("0.04"), "0.0")

    def test_dates(self):
        with house.active({"date_style": "dotted"}):
            self.assertEqual(kdate("2025-06-12"), "2025. 6. 12.")
        with house.active({"date_style": "short"}):
            self.assertEqual(kdate("2025-06-12"), "'25.6.12.")
            self.assertEqual(kdate("2009-10-01"), "'09.10.1.")
            self.assertEqual(kdate(None), "")


def nested():
    """Sections four deep, each level twice, a text at the bottom."""
    leaf = [section(spec("text", "", "□ 내용"), heading=f"라{n}") for n in (1, 2)]
    third = [section(heading=f"다{n}", children=leaf) for n in (1, 2)]
    second = [section(heading=f"나{n}", children=third) for n in (1, 2)]
    return [section(heading="가", children=second), section(spec("text", "", "□ 끝"), heading="마")]


def printed_marks(data):
    from reports_site.report import walk

    return [(s["level"], s["mark"], s["heading"]) for s in walk(data["sections"])][:5]


class DateRangeTests(SimpleTestCase):
    def test_the_end_of_a_range_follows_the_date_style(self):
        import datetime as dt

        start, end = dt.date(2025, 9, 2), dt.date(2025, 9, 12)
        with house.active({"date_style": "short"}):
            self.assertEqual(date_range(start, end), "'25.9.2. ~ 9.12.")
        with house.active({"date_style": "dotted"}):
            self.assertEqual(date_range(start, end), "2025. 9. 2. ~ 9. 12.")
            self.assertEqual(date_range(start, dt.date(2026, 1, 5)), "2025. 9. 2. ~ 2026. 1. 5.")


class StyleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga, cls.briefing = make_figures()
        make_programs(cls.ga)
        cls.council = cls.briefing.session.council

    def test_the_default_without_a_house_style(self):
        self.assertEqual(
            printed_marks(report(self.briefing, *nested())),
            [(1, "I.", "가"), (2, "1", "나1"), (3, "□", "다1"), (4, "○", "라1"), (4, "○", "라2")],
        )

    def test_the_councils_house_style(self):
        HouseStyle.objects.create(council=self.council, heading_numbering="1. 가. (1) ①")
        data = report(self.briefing, *nested())
        self.assertEqual(
            printed_marks(data),
            [
                (1, "1.", "가"),
                (2, "가.", "나1"),
                (3, "(1)", "다1"),
                (4, "①", "라1"),
                (4, "②", "라2"),
            ],
        )
        self.assertEqual(data["sections"][1]["mark"], "2.")
        markup = html_of(data)
        self.assertIn('<span class="numeral">1.</span> 가', markup)
        self.assertIn('<span class="sub-number">가.</span> 나1', markup)
        self.assertIn('<h4 class="box-title level-3" id="', markup)
        self.assertIn("(1) 다1", text_of(markup))
        self.assertIn("② 라2", text_of(markup))

    def test_the_briefings_own_style_wins(self):
        HouseStyle.objects.create(council=self.council, heading_numbering="1. 가.")
        own = HouseStyle.objects.create(council="다른 서식", heading_numbering="Ⅰ ◆ ○")
        self.briefing.style = own
        self.briefing.save()
        self.assertEqual(
            printed_marks(report(self.briefing, *nested()))[:3],
            [(1, "Ⅰ", "가"), (2, "◆", "나1"), (3, "○", "다1")],
        )  # Ⅰ (the Roman numeral sign) is not a counter: printed as it is

    def test_an_unnumbered_section_takes_no_number(self):
        HouseStyle.objects.create(council=self.council, heading_numbering="1. 가.")
        layout = [
            section(spec("text", "", "□ 하나"), heading="머리말", numbered=False),
            section(spec("text", "", "□ 둘"), heading="본문"),
        ]
        self.assertEqual(
            [(s["mark"], s["heading"]) for s in report(self.briefing, *layout)["sections"]],
            [("", "머리말"), ("1.", "본문")],
        )

    def test_program_numbering(self):
        for scheme, expected in [
            ("circled", ["①", "②"]),
            ("arabic", ["1", "2"]),
            ("arabic_dot", ["1.", "2."]),
        ]:
            HouseStyle.objects.update_or_create(
                council=self.council, defaults={"program_numbering": scheme}
            )
            markup = html_of(report(self.briefing, section(spec("programs"))))
            with self.subTest(scheme=scheme):
                self.assertEqual([r[0] for r in rows(markup, "program-index")[1:]], expected)
                self.assertIn(
                    f'<span class="program-mark">{expected[1]}</span> 직원 후생 복지', markup
                )

    def test_zero_and_no_figure_in_the_tables(self):
        HouseStyle.objects.create(council=self.council, zero="0", negative="-")
        staffing = rows(html_of(report(self.briefing, section(spec("staffing")))), "count-table")
        self.assertEqual(
            staffing[2:],
            [
                ["정원", "10", "8", "3", "5", "2", "0"],
                ["현원", "9", "7", "4", "3", "2", "0"],
                ["과부족", "-1", "-1", "1", "-2", "0", "0"],
            ],
        )
        budget = rows(
            html_of(
                report(
                    self.briefing,
                    section(
                        spec(
                            "budget",
                            kind="revenue",
                            columns=["budget", "prior", "change", "change_rate", "executed"],
                        )
                    ),
                )
            ),
        )
        self.assertEqual(budget[1], ["계", "7,000", "-", "-", "-", "3,500"])  # no figures
        matrix = rows(html_of(report(self.briefing, section(spec("progress_matrix")))))
        self.assertEqual(matrix[3][:4], ["① 스마트 민원실", "-", "-", "-"])

    def test_dates_and_the_money_unit(self):
        HouseStyle.objects.create(council=self.council, date_style="short", money_unit="원")
        text = text_of(
            html_of(
                report(
                    self.briefing,
                    section(
                        spec("staffing"),
                        spec("budget", as_of_in_header=False),
                        spec("programs", index=False),
                    ),
                )
            )
        )
        self.assertIn("(단위: 명, '25.5.31. 기준)", text)
        self.assertIn("(단위: 원, '25.5.31. 기준)", text)
        self.assertIn("□ 예산현황 (단위: 원)", text)
        self.assertNotIn("천원)", text.replace("95,700천원", ""))

    def test_the_style_travels_with_the_data(self):
        HouseStyle.objects.create(council=self.council, zero="0")
        data = build_report(self.briefing, [section(spec("staffing"))])
        self.assertEqual(data["style"]["zero"], "0")
        HouseStyle.objects.filter(council=self.council).update(zero="-")
        self.assertEqual(rows(html_of(data), "count-table")[2][-1], "0")  # as published


@needs_poppler
@needs_korean_font
@override_settings(MEDIA_ROOT=MEDIA, BRIEFING_PDF_WORKERS=1)
class PdfStyleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ga, cls.briefing = make_figures()
        HouseStyle.objects.create(
            council=cls.briefing.session.council,
            heading_numbering="1. 가.",
            zero="0",
            negative="-",
            date_style="short",
            money_unit="원",
            show_contents=False,
            cover_spaced=False,
        )
        layout = [
            section(spec("staffing"), heading="인력"),
            section(spec("budget"), heading="예산"),
        ]
        cls.document, cls.pages, cls.text = pdf_text(report(cls.briefing, *layout))

    def test_no_contents_page(self):
        self.assertEqual(len(self.pages), 3)  # the cover, then the two sections
        self.assertNotIn("보고순서", self.text)
        self.assertIn("총무과", self.pages[0])  # not spaced out
        self.assertTrue(squeeze(self.pages[1]).startswith("1.인력"))
        self.assertTrue(squeeze(self.pages[2]).startswith("2.예산"))

    def test_the_figures_in_the_style(self):
        staffing = squeeze(self.pages[1]).replace("감소", "")
        self.assertIn("(단위:명,'25.5.31.기준)", staffing)
        self.assertIn("정원1083520", staffing)
        self.assertIn("과부족-1-11-200", staffing)
        self.assertIn("(단위:원)", squeeze(self.pages[2]))
        self.assertTrue(re.search(r"-\s*1\s*-", self.pages[1]))  # the folio still numbers
