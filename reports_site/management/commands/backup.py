"""Back up the database and the media files into one archive (reports_site.backup)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports_site import backup


class Command(BaseCommand):
    @property
    def help(self):  # translated when asked for: argparse takes no lazy string
        return _("데이터베이스 전체와 미디어 파일을 백업 파일 하나(.tar.gz)로 씁니다.")

    def add_arguments(self, parser):
        parser.add_argument("target", help=_("백업 파일의 경로, 또는 날짜가 붙은 이름으로 쓸 폴더"))

    def handle(self, *args, target, **options):
        try:
            path, manifest = backup.backup(target)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("백업했습니다: %(path)s (미디어 파일 %(files)s개)")
            % {"path": path, "files": len(manifest["media"])}
        )
