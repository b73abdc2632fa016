"""Composing a briefing in the admin: blocks with their kind's options, a table read from an
xlsx range, and every choice kept to the user's own department."""

import io

from django.test import TestCase
from django.urls import reverse

from departments.access import Role
from reports_site import blocks
from reports_site.models import Block, BriefingSection
from reports_site.report import blocks_of, build_report

from .factories import make_briefing, make_department, make_user
from .test_concurrent_edits import posted


def section_of(department, heading="현황"):
    return BriefingSection.objects.create(
        briefing=make_briefing(department), order=1, heading=heading
    )


class BlockOptionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department)
        cls.section = section_of(cls.department)
        cls.block = Block.objects.create(
            section=cls.section, order=1, kind="table", text="구분\t값\n가\t1234\n나\t-5"
        )

    def change_url(self):
        return reverse("admin:reports_site_block_change", args=[self.block.pk])

    def test_the_change_page_shows_the_kinds_options_and_saves_them_with_the_block(self):
        self.client.force_login(self.staff)
        page = self.client.get(self.change_url())
        for name in blocks.KINDS["table"].options.base_fields:
            self.assertContains(page, f'name="{name}"')
        data = posted(page, "block_form", header_rows="1", header_cols="1", unit="단위: 천원")
        response = self.client.post(self.change_url(), data)
        self.assertEqual(response.status_code, 302)
        self.block.refresh_from_db()
        self.assertEqual(self.block.options["header_cols"], 1)
        self.assertEqual(self.block.options["unit"], "단위: 천원")
        built = blocks_of(build_report(self.section.briefing)["sections"][0], "table")[0]
        self.assertEqual([c["header"] for c in built["body"][0]], [True, False])
        self.assertEqual(built["body"][1][1]["number"], "-5")
        self.assertEqual(self.block.history.count(), 2, "the option change is in the history")

    def test_a_wrong_option_names_its_field_and_changes_nothing(self):
        self.client.force_login(self.staff)
        data = posted(self.client.get(self.change_url()), "block_form", widths="넓게")
        response = self.client.post(self.change_url(), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "열 너비는 띄어 쓴 숫자로 적습니다.")
        self.block.refresh_from_db()
        self.assertEqual(self.block.options, {})

    def test_an_xlsx_range_becomes_the_tables_text_with_its_merged_cells(self):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "현황"
        sheet.append(["구분", "2024", None])
        sheet.append(["", "상반기", "하반기"])
        sheet.append(["예산", 1200, 1300.5])
        sheet.merge_cells("A1:A2")
        sheet.merge_cells("B1:C1")
        upload = io.BytesIO()
        book.save(upload)
        upload.seek(0)
        upload.name = "표.xlsx"
        self.client.force_login(self.staff)
        data = posted(self.client.get(self.change_url()), "block_form", xlsx_range="현황!A1:C3")
        response = self.client.post(self.change_url(), data | {"xlsx": upload})
        self.assertEqual(response.status_code, 302)
        self.block.refresh_from_db()
        self.assertEqual(self.block.text, "구분\t2024\t<\n^\t상반기\t하반기\n예산\t1200\t1300.5")
        grid = blocks.free.table_grid(self.block.text, header_rows=2)
        self.assertEqual((grid[0][0]["rowspan"], grid[0][1]["colspan"]), (2, 2))


class OwnDepartmentChoicesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.own, cls.other = make_department("총무과"), make_department("청소과")
        cls.staff = make_user(Role.STAFF, cls.own)
        cls.mine, cls.theirs = section_of(cls.own), section_of(cls.other)
        cls.block = Block.objects.create(section=cls.mine, order=1, kind="text", text="□ 내용")

    def test_a_block_cannot_be_moved_into_another_departments_section(self):
        self.client.force_login(self.staff)
        url = reverse("admin:reports_site_block_change", args=[self.block.pk])
        data = posted(self.client.get(url), "block_form", section=str(self.theirs.pk))
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.block.refresh_from_db()
        self.assertEqual(self.block.section, self.mine)

    def test_a_section_cannot_be_moved_into_another_departments_briefing(self):
        self.client.force_login(self.staff)
        url = reverse("admin:reports_site_briefingsection_change", args=[self.mine.pk])
        page = self.client.get(url)
        data = posted(page, "briefingsection_form", briefing=str(self.theirs.briefing_id))
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.briefing.department, self.own)

    def test_another_departments_block_answers_404(self):
        self.client.force_login(self.staff)
        theirs = Block.objects.create(section=self.theirs, order=1, kind="text", text="□ 비밀")
        url = reverse("admin:reports_site_block_change", args=[theirs.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
