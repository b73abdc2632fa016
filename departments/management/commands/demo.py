"""Set up the demo: database, demo data, demo accounts; then serve it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.access import Role
from departments.history import record_baseline
from departments.models import Department, Membership

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
# Files the fixtures name (a block's image): fixtures/demo/files/X is stored as X. (Not
# "media": .gitignore leaves out every folder of that name.)
FILES = FIXTURES / "files"
PASSWORD = "briefing-demo"

# username, role (None: superuser), department code
ACCOUNTS = [
    ("admin", None, None),
    ("clerk", Role.CLERK, None),
    ("ga_staff", Role.STAFF, "YDP-GA"),
    ("ga_reviewer", Role.REVIEWER, "YDP-GA"),
    ("clean_staff", Role.STAFF, "YDP-CLEAN"),
    ("member", Role.COUNCIL, None),
]


def worker_command():
    return [sys.executable, str(Path(settings.BASE_DIR, "manage.py")), "db_worker", "--no-reload"]


def copy_media():
    """Put the demo's files where the fixtures say they are stored (fixtures/demo/files/X is
    stored as X). A file already there with the same content is left alone, so a second run
    writes nothing and never makes a second copy under another name."""
    copied = []
    for source in sorted(p for p in FILES.rglob("*") if p.is_file()):
        name = source.relative_to(FILES).as_posix()
        content = source.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                if stored.read() == content:
                    continue
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            raise CommandError(f"{name}: 저장소가 다른 이름({saved})으로 저장했습니다.")
        copied.append(name)
    return copied


def stop(process):
    """End a child process: politely (it finishes its job's current step), then firmly."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Command(BaseCommand):
    help = "데모 DB를 만들고 데모 자료와 계정을 넣은 뒤 http://127.0.0.1:8000 에서 실행합니다."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="준비만 하고 서버는 띄우지 않음"
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-publish", action="store_true", help="공개 업무보고의 발행본(PDF)을 만들지 않음"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="책자를 만드는 작업 처리기(db_worker)를 함께 띄우지 않음",
        )

    def handle(
        self,
        *args,
        no_serve=False,
        addrport="127.0.0.1:8000",
        no_publish=False,
        no_worker=False,
        **options,
    ):
        if not settings.DEBUG:
            raise CommandError(
                "데모 계정은 비밀번호가 공개되어 있으므로 DEBUG=true 에서만 만듭니다."
            )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddata", *sorted(FIXTURES.glob("*.json")), verbosity=0)
        # loaddata saves raw, without history: record the loaded state, so that the first
        # edit of a demo figure shows its old value (and a second run records nothing).
        record_baseline("데모 자료 불러오기")
        copy_media()  # the image blocks' files, before anything renders them
        with transaction.atomic():
            accounts = [self.ensure_account(*account) for account in ACCOUNTS]
        if not no_publish:
            self.publish()
        self.print_accounts(accounts)
        if not no_serve:
            self.serve(addrport, worker=not no_worker)

    def serve(self, addrport, worker=True):
        """The site and, beside it, the background worker that makes session booklets;
        Ctrl-C stops both (the worker also stops when the server ends any other way)."""
        # One worker per core: each renders one part of a booklet at a time.
        count = (os.cpu_count() or 1) if worker else 0
        processes = [subprocess.Popen(worker_command()) for _ in range(count)]
        if processes:
            self.stdout.write(
                f"전체 책자를 만드는 작업 처리기(db_worker) {count}개도 함께 실행합니다."
            )
        # SIGTERM would end this process on the spot, leaving the workers running.
        previous = signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            signal.signal(signal.SIGTERM, previous)
            for process in processes:
                stop(process)

    def publish(self):
        """The published briefings as readers get them: an edition (PDF) each, and the
        session booklets. Unchanged data keeps its edition, so a second run renders nothing
        (but the PDFs that went bad)."""
        from reports_site.editions import (
            publish,
            publish_booklet,
            render_again,
            unusable_editions,
        )
        from reports_site.models import Briefing

        # A PDF lost, cut short or drawn without the Korean font is not served again.
        for edition in list(unusable_editions()):
            done = render_again(edition)
            self.stdout.write(f"{edition}: PDF {'다시 만듦' if done else '다시 만들 수 없음'}")
        published = Briefing.objects.filter(status=Briefing.Status.PUBLISHED)
        for briefing in published.select_related("session", "department"):
            publish(briefing)
        for session in {briefing.session for briefing in published}:
            publish_booklet(session)

    def ensure_account(self, username, role, department_code):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": role != Role.COUNCIL, "is_superuser": role is None},
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        if role:
            user.groups.add(Group.objects.get(name=role))
        department = None
        if department_code:
            department = Department.objects.get(code=department_code)
            Membership.objects.get_or_create(user=user, department=department)
        return username, Role.labels.get(role, "관리자 (superuser)"), department

    def print_accounts(self, accounts):
        self.stdout.write(f"데모 계정 (비밀번호는 모두 {PASSWORD}):")
        for username, role, department in accounts:
            self.stdout.write(f"  {username:<12} {PASSWORD:<14} {role:<18} {department or '-'}")
        self.stdout.write("관리 화면: http://127.0.0.1:8000/admin/")
