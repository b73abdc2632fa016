"""Outlines keep every marker and nesting of real council reports, and the breaks staff keep."""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import SimpleTestCase

from programs.outline import MARKERS, NOTE, parse, tree, unknown_markers, validate_outline


def levels(text):
    return [(item.marker, item.level) for item in parse(text)]


def shape(nodes):
    """The tree as (marker, [children]) pairs, to compare nesting at a glance."""
    return [(item.marker, shape(item.children)) for item in nodes]


class MarkerTests(SimpleTestCase):
    def test_each_new_marker_stands_for_its_level(self):
        cases = [("■", 1), ("▣", 1), ("◆", 1), ("◇", 1), ("◈", 1), ("●", 2)]
        cases += [("▷", 3), ("►", 3), ("▸", 3), ("▹", 3), ("➢", 3), ("➤", 3), ("▪", 3)]
        for marker, level in cases:
            with self.subTest(marker=marker):
                self.assertEqual(levels(f"{marker} 항목"), [(marker, level)])
                self.assertEqual(unknown_markers(f"{marker} 항목"), [])

    def test_look_alikes_read_as_their_marker(self):
        self.assertEqual(
            levels("❍ 항목\n◦ 항목\n◻ 제목\n◼ 제목"), [("○", 2), ("○", 2), ("□", 1), ("■", 1)]
        )

    def test_the_boxed_note_markers_head_the_lines_below_them(self):
        text = "◆ 추진배경\n○ 노후 청사 개선 요구\n- 민원 12건\n◇ 기대효과\n○ 쾌적한 청사"
        self.assertEqual(
            shape(tree(text)),
            [("◆", [("○", [("-", [])])]), ("◇", [("○", [])])],
        )

    def test_a_bullet_nobody_uses_is_still_refused(self):
        self.assertEqual(unknown_markers("□ 제목\n★ 항목\n+ 항목"), [(2, "★"), (3, "+")])


class NestingTests(SimpleTestCase):
    def test_a_dash_right_after_an_arrow_is_its_child(self):
        text = (
            "□ 추진실적\n○ 청사 환경 개선\n▶ 화장실 보수\n- 본관 3개소\n- 별관 2개소\n○ 안전 점검"
        )
        self.assertEqual(
            shape(tree(text)),
            [("□", [("○", [("▶", [("-", []), ("-", [])])]), ("○", [])])],
        )
        self.assertEqual([item.level for item in parse(text)], [1, 2, 3, 4, 4, 2])

    def test_a_dash_indented_under_an_arrow_is_its_child(self):
        text = "○ 청사 환경 개선\n  ▶ 화장실 보수\n    - 본관 3개소\n  ▶ 냉난방기 설치"
        self.assertEqual(shape(tree(text)), [("○", [("▶", [("-", [])]), ("▶", [])])])

    def test_a_deeper_indent_nests_even_a_higher_marker(self):
        text = "- 노후 시설 개선\n    □ 세부 계획\n- 안전한 청사"
        self.assertEqual(shape(tree(text)), [("-", [("□", [])]), ("-", [])])

    def test_a_higher_marker_at_the_same_indentation_closes_the_items_open(self):
        text = "□ 추진실적\n○ 조직개편\n- 5팀 신설\n· 세부\n□ 향후계획"
        self.assertEqual(shape(tree(text)), [("□", [("○", [("-", [("·", [])])])]), ("□", [])])

    def test_the_levels_follow_the_tree(self):
        # "-" then "▶": the arrow ranks higher, so it closes the dash instead of nesting.
        text = "- 노후 시설 개선\n· 세부\n▶ 결과"
        roots = tree(text)
        self.assertEqual(shape(roots), [("-", [("·", [])]), ("▶", [])])
        self.assertEqual([item.level for item in roots], [2, 3])


class NumberedItemTests(SimpleTestCase):
    def test_numbered_items_keep_their_number_as_typed(self):
        cases = {
            "① 대상": "①",
            "⑫대상": "⑫",
            "➊ 대상": "➊",
            "❷ 대상": "❷",
            "⑶ 대상": "⑶",
            "㉯ 대상": "㉯",
            "(1) 대상": "(1)",
            "（12） 대상": "（12）",
            "1) 대상": "1)",
            "2)대상": "2)",
            "가. 대상": "가.",
            "나) 대상": "나)",
            "(다) 대상": "(다)",
            "3. 대상": "3.",
        }
        for line, marker in cases.items():
            with self.subTest(line=line):
                (item,) = parse(line)
                self.assertEqual((item.marker, item.text, item.is_note), (marker, "대상", False))

    def test_dates_words_and_decimals_are_not_numbers(self):
        for line in ["5. 31.(금) 개최", "5.  31. 개최", "1.5배 증가", "(사)한국협회 후원"]:
            with self.subTest(line=line):
                (item,) = parse(f"- 항목\n{line}")
                self.assertEqual(item.text, f"항목 {line}")

    def test_numbers_nest_under_the_item_they_follow_and_stand_beside_the_next(self):
        text = "○ 추진계획\n① 1단계\n- 설계\n② 2단계\n(1) 착공\n(2) 준공\n③ 3단계\n○ 기대효과"
        self.assertEqual(
            shape(tree(text)),
            [
                ("○", [("①", [("-", [])]), ("②", [("(1)", []), ("(2)", [])]), ("③", [])]),
                ("○", []),
            ],
        )
        self.assertEqual([item.level for item in parse(text)][:4], [2, 3, 4, 3])

    def test_a_number_at_the_top_holds_the_items_below_it(self):
        text = "1. 사업개요\n□ 목적\n○ 쾌적한 청사\n2. 추진계획\n□ 일정"
        self.assertEqual(
            shape(tree(text)),
            [("1.", [("□", [("○", [])])]), ("2.", [("□", [])])],
        )


class NoteTests(SimpleTestCase):
    def test_footnotes_attach_to_the_item_above_like_a_note(self):
        text = (
            "□ 조직개편\n  - 5팀 신설¹⁾\n  ¹⁾ 행정안전부 승인\n"
            "주1) 2025. 1. 1. 시행\n* 인력 9명\n□ 인사"
        )
        roots = tree(text)
        self.assertEqual(
            shape(roots), [("□", [("-", [("¹⁾", [])]), ("주1)", []), ("*", [])]), ("□", [])]
        )
        notes = [item for item in parse(text) if item.is_note]
        self.assertEqual(
            [(note.marker, note.text, note.level) for note in notes],
            [("¹⁾", "행정안전부 승인", 3), ("주1)", "2025. 1. 1. 시행", 2), ("*", "인력 9명", 2)],
        )

    def test_a_note_holds_nothing(self):
        self.assertEqual(shape(tree("○ 항목\n※ 주석\n- 세부")), [("○", [(NOTE, []), ("-", [])])])


class LineBreakTests(SimpleTestCase):
    def test_a_wrapped_line_still_joins_the_item_with_a_space(self):
        (item,) = parse("- 대상: 시군구 공통시스템 48종\n    구 자체 운영 시스템 39종")
        self.assertEqual(item.text, "대상: 시군구 공통시스템 48종 구 자체 운영 시스템 39종")

    def test_a_trailing_backslash_keeps_the_break(self):
        items = parse("- 대상: 공통시스템 48종 \\\n자체 시스템 39종\\\n기타 3종\n- 다음 항목")
        self.assertEqual(
            [item.text for item in items],
            ["대상: 공통시스템 48종\n자체 시스템 39종\n기타 3종", "다음 항목"],
        )

    def test_a_backslash_before_a_marked_or_no_line_is_dropped(self):
        items = parse("- 첫 항목\\\n- 둘째 항목 \\")
        self.assertEqual([item.text for item in items], ["첫 항목", "둘째 항목"])

    def test_the_period_and_amount_still_split_after_a_break(self):
        (item,) = parse("- 영상시설 \\\n조달구매: 4월 / 95,700천원")
        self.assertEqual((item.text, item.when, item.amount), ("영상시설\n조달구매", "4월", 95_700))

    def test_a_paragraph_keeps_its_breaks(self):
        (item,) = parse("첫 줄\\\n둘째 줄")
        self.assertEqual((item.marker, item.text), ("", "첫 줄\n둘째 줄"))


class ValidationMessageTests(SimpleTestCase):
    def test_the_message_names_every_accepted_marker(self):
        with self.assertRaises(ValidationError) as caught:
            validate_outline("★ 항목")
        (message,) = caught.exception.messages
        for marker in [*MARKERS, NOTE, "①", "(1)", "1)", "가.", "가)", "¹⁾", "주1)", "*"]:
            with self.subTest(marker=marker):
                self.assertIn(marker, message)


class TemplateTests(SimpleTestCase):
    def render(self, text):
        return render_to_string("programs/outline.html", {"nodes": tree(text)})

    def test_a_kept_break_prints_as_br_and_markup_is_escaped(self):
        html = self.render("- <b>대상</b> & 범위\\\n<script>x</script> 39종")
        self.assertIn(
            "&lt;b&gt;대상&lt;/b&gt; &amp; 범위<br>&lt;script&gt;x&lt;/script&gt; 39종", html
        )
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)

    def test_numbered_items_and_footnotes_print_their_marker(self):
        html = self.render("○ 계획\n① 1단계\n¹⁾ 주석")
        self.assertIn(">①</span>", html)
        self.assertIn("outline-note", html)
        self.assertInHTML('<span class="outline-marker">¹⁾</span>', html)
