"""Restore a backup (manage.py backup) into an empty installation (reports_site.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports_site import backup


class Command(BaseCommand):
    @property
    def help(self):  # translated when asked for: argparse takes no lazy string
        return _(
            "백업 파일을 비어 있는 설치(migrate 만 한 데이터베이스, 빈 미디어 폴더)에 복원합니다."
        )

    def add_arguments(self, parser):
        parser.add_argument("source", help=_("manage.py backup 이 쓴 백업 파일"))

    def handle(self, *args, source, **options):
        try:
            manifest = backup.restore(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("복원했습니다: %(created)s 의 백업 (미디어 파일 %(files)s개)")
            % {"created": manifest["created"], "files": len(manifest["media"])}
        )
