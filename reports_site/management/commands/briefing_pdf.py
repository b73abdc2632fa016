"""Export a department's briefing, or the whole session booklet, as a PDF file."""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from reports_site import pdf
from reports_site.editions import booklet_reports, report_data
from reports_site.models import Briefing, CouncilSession


class Command(BaseCommand):
    help = (
        "회기의 업무보고 PDF를 만듭니다 (--department 없이: 회기 전체 책자; "
        "--briefing: 업무보고 하나, 회차 없는 회기도)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--session", type=int, help="회차 (제261회면 261)")
        which.add_argument(
            "--briefing", type=int, help="업무보고 번호 (관리 화면 주소의 숫자): 그 부서의 PDF"
        )
        parser.add_argument("--council", help="의회 이름 (같은 회차가 여럿일 때)")
        parser.add_argument("--department", help="부서 코드 (예: YDP-GA)")
        parser.add_argument("--output", required=True, help="저장할 PDF 파일")

    def handle(self, *args, session, briefing, council, department, output, **options):
        started = time.perf_counter()
        if briefing is not None:
            if council or department:
                raise CommandError("--briefing 에는 --council, --department 를 함께 쓰지 않습니다.")
            found = Briefing.objects.select_related("session", "department").filter(pk=briefing)
            if (found := found.first()) is None:
                raise CommandError(f"{briefing}번 업무보고가 없습니다.")
            document, _pages = pdf.briefing_pdf(report_data(found))
            self.write(document, output, started)
            return
        sessions = CouncilSession.objects.filter(number=session)
        if council:
            sessions = sessions.filter(council=council)
        found = sessions.first()
        if found is None:
            raise CommandError(f"제{session}회 회기가 없습니다.")
        if department:
            briefing = found.briefings.filter(department__code=department).first()
            if briefing is None:
                raise CommandError(f"{found}에 {department} 부서의 업무보고가 없습니다.")
            document, _pages = pdf.briefing_pdf(report_data(briefing))
        else:
            reports = booklet_reports(found)
            if not reports:
                raise CommandError(f"{found}에 공개된 업무보고가 없습니다.")
            document, _pages = pdf.booklet_pdf(found, reports, self.progress)
        self.write(document, output, started)

    def write(self, document, output, started):
        # Written beside the output and renamed: a full disk leaves no half of a PDF.
        partial = f"{output}.partial"
        try:
            with open(partial, "wb") as out:
                out.write(document)
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{output}: {len(document):,} bytes, {seconds:.1f} s")

    def progress(self, done, total, department):
        sys.stderr.write(f"\r{done}/{total} {department}".ljust(60))
        if done == total:
            sys.stderr.write("\n")
