"""Small builders for programs test data; each makes the least a test needs."""

from itertools import count

from departments.models import ReportingPeriod
from programs.models import Kpi, Program, ProgressEntry

_serial = count(1)


def make_program(department, year=2025, kind=Program.Kind.MAIN, **fields):
    values = {"order": next(_serial), "title": "안전하고 쾌적한 청사환경 조성"}
    return Program.objects.create(department=department, year=year, kind=kind, **values | fields)


def make_progress(program, quarter=2, **fields):
    values = {
        "year": program.year,
        "achievements": "- 별관 대강당 영상시설 조달구매: 4월 / 95,700천원",
        "plans": "- 본관 청사 외벽타일 점검 및 보수: 6월",
        "budget": 2_698_307,
        "executed": 1_862_509,
        "budget_source": ProgressEntry.Source.DISTRICT,
    }
    return ProgressEntry.objects.create(program=program, quarter=quarter, **values | fields)


def make_kpi(program, **fields):
    values = {"order": next(_serial), "name": "청사 만족도", "unit": "%"}
    return Kpi.objects.create(program=program, **values | fields)


def approve(department, year=2025, quarter=2):
    return ReportingPeriod.objects.create(
        department=department, year=year, quarter=quarter, status=ReportingPeriod.Status.APPROVED
    )
