"""`manage.py backup` and `manage.py restore`: an installation backed up, emptied and
restored has the same data, history and editions, and every edition's PDF byte for byte."""

import hashlib
import io
import tarfile
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, override_settings

from reports_site import backup, editions, files
from reports_site.models import Edition

from .council_factories import make_district
from .test_ops_stuck_jobs import tiny_pdf

SOURCE_MEDIA = tempfile.mkdtemp(prefix="briefing-test-backup-")


def dump():
    """The whole database as the backup sees it, to compare before and after."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        format="exactjson",
        exclude=backup.EXCLUDE,
        natural_foreign=True,
        use_base_manager=True,
        stdout=out,
    )
    return out.getvalue()


def empty_installation():
    """What a newly installed site is: its tables emptied (content types and permissions
    made again, under new ids) and an empty media folder."""
    connection.check_constraints()  # PostgreSQL: no TRUNCATE while checks are pending
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    return override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="briefing-test-restored-"))


@override_settings(MEDIA_ROOT=SOURCE_MEDIA)
class BackupRestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_district(cls)  # a published briefing's edition, history, users in roles
        files.save_whole(cls.edition.pdf, "briefing.pdf", tiny_pdf() + b"%briefing")
        cls.edition.pdf_hash = hashlib.sha256(cls.edition.pdf.read()).hexdigest()
        cls.edition.save()
        fake = mock.patch("reports_site.editions.pdf.booklet_pdf", new=lambda *a: (tiny_pdf(), {}))
        with fake:
            cls.booklet = editions.publish_booklet(cls.session)

    def setUp(self):
        self.addCleanup(ContentType.objects.clear_cache)  # ids of the emptied installation
        self.folder = tempfile.mkdtemp(prefix="briefing-test-archive-")

    def back_up(self):
        out = io.StringIO()
        call_command("backup", self.folder + "/", stdout=out)
        [archive] = Path(self.folder).glob("briefing-backup-*.tar.gz")
        self.assertIn(str(archive), out.getvalue())
        return archive

    def test_restored_into_an_empty_installation_everything_is_as_it_was(self):
        before = dump()
        pdfs = {e.pk: e.pdf.open("rb").read() for e in Edition.objects.all()}
        self.assertEqual(len(pdfs), 2)
        self.assertIn('"model": "reports_site.historicalbriefing"', before)  # history too
        archive = self.back_up()

        with empty_installation():
            self.assertFalse(Edition.objects.exists())
            out = io.StringIO()
            call_command("restore", str(archive), stdout=out)
            self.assertIn("복원했습니다", out.getvalue())
            self.assertEqual(dump(), before)
            for edition in Edition.objects.all():
                with edition.pdf.open("rb") as stored:
                    document = stored.read()
                self.assertEqual(document, pdfs[edition.pk])
                self.assertEqual(hashlib.sha256(document).hexdigest(), edition.pdf_hash)
            self.assertNotEqual(Path(edition.pdf.path).parent, Path(SOURCE_MEDIA))

    def test_a_restore_never_mixes_with_an_installation_in_use(self):
        archive = self.back_up()
        with self.assertRaisesMessage(CommandError, "비어 있는 설치에만 복원할 수 있습니다"):
            call_command("restore", str(archive))
        with empty_installation():
            Path(settings.MEDIA_ROOT, "left-over.pdf").write_bytes(b"%PDF-")
            with self.assertRaisesMessage(CommandError, "미디어 폴더"):
                call_command("restore", str(archive))
            self.assertFalse(Edition.objects.exists())

    def test_a_damaged_archive_or_other_migrations_are_refused(self):
        archive = self.back_up()
        damaged = Path(self.folder, "damaged.tar.gz")
        with tarfile.open(archive) as whole, tarfile.open(damaged, "w:gz") as copy:
            for member in whole.getmembers():
                content = whole.extractfile(member).read()
                if member.name.endswith(".pdf"):
                    content = content[:-1]
                member.size = len(content)
                copy.addfile(member, io.BytesIO(content))
        with empty_installation():
            with self.assertRaisesMessage(CommandError, "백업 파일이 손상되었습니다"):
                call_command("restore", str(damaged))
            with mock.patch.object(backup, "applied_migrations", return_value=["x.0001_initial"]):
                with self.assertRaisesMessage(CommandError, "마이그레이션이 백업과 다릅니다"):
                    call_command("restore", str(archive))
            self.assertFalse(Edition.objects.exists())
