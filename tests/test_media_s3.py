"""Media in an S3-compatible bucket (MEDIA_STORAGE=s3): a local S3 server (moto) stands in
for the real one, and nothing is written to the media folder."""

import hashlib
import io
import os
import tempfile

import boto3
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from budgets.models import BudgetSnapshot
from departments.access import Role
from departments.models import PendingImport
from reports_site import backup, editions, health
from reports_site.models import Block, BriefingSection
from reports_site.settings import media_storage

from .budget_factories import AS_OF, make_line
from .factories import make_briefing, make_department, make_user
from .import_factories import SNAPSHOT_HEADERS, upload, xlsx_bytes
from .test_concurrent_edits import posted
from .tools import needs_korean_font, needs_poppler

BUCKET = "briefing-media"
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def s3_storages(endpoint):
    """The settings' own S3 storage, read from the variables an operator would set."""
    variables = KEYS | {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        default = media_storage("s3")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
    return {
        "default": default,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@needs_poppler
@needs_korean_font
class S3MediaTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        host, port = cls.server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        cls.s3.create_bucket(Bucket=BUCKET)
        cls.media_root = tempfile.mkdtemp(prefix="briefing-s3-unused-")
        settings = override_settings(
            STORAGES=s3_storages(endpoint), MEDIA_ROOT=cls.media_root, BRIEFING_PDF_WORKERS=1
        )
        settings.enable()
        cls.addClassCleanup(settings.disable)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.department = make_department("총무과")
        cls.staff = make_user(Role.STAFF, cls.department)
        cls.clerk = make_user(Role.CLERK)
        cls.briefing = make_briefing(cls.department)
        section = BriefingSection.objects.create(briefing=cls.briefing, order=1, heading="그림")
        cls.block = Block.objects.create(section=section, order=1, kind="image", title="배치도")

    def stored(self, key):
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def keys(self):
        listed = self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return sorted(item["Key"] for item in listed)

    def test_an_uploaded_image_is_published_in_the_pdf_served_as_stored(self):
        self.client.force_login(self.staff)
        url = reverse("admin:reports_site_block_change", args=[self.block.pk])
        data = posted(self.client.get(url), "block_form", caption="본관과 별관", alt_text="본관")
        data["image"] = SimpleUploadedFile("map.png", png(), content_type="image/png")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.block.refresh_from_db()
        self.assertTrue(self.block.image.name.startswith("blocks/"))
        self.assertEqual(self.stored(self.block.image.name), png())

        edition = editions.publish(self.briefing, self.clerk)
        self.assertIn(edition.pdf.name, self.keys())
        document = self.stored(edition.pdf.name)
        self.assertIn(b"/Image", document)  # embedded, read through the storage
        self.assertIn(b"/Width 3", document)

        self.client.logout()
        sha = hashlib.sha256(png()).hexdigest()
        image = self.client.get(reverse("council:block_image", args=[sha, self.block.image.name]))
        self.assertEqual(b"".join(image.streaming_content), png())
        pdf_url = reverse(
            "council:briefing_pdf", args=[self.briefing.session_id, self.department.code]
        )
        response = self.client.get(pdf_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), document)
        self.assertEqual(os.listdir(self.media_root), [], "nothing in the local folder")

    def test_a_pending_import_upload_round_trips(self):
        line = make_line(self.department, "청사 관리")
        self.client.force_login(self.staff)
        row = [self.department.code, line.year, line.get_kind_display(), line.name, AS_OF, "1,234"]
        sheet = upload(xlsx_bytes(SNAPSHOT_HEADERS, [row + [None, None, None]]))
        preview = self.client.post(
            reverse("admin:budgets_budgetsnapshot_import"),
            {"resource": "0", "format": "0", "import_file": sheet},
        )
        self.assertTrue(PendingImport.objects.exists())
        response = self.client.post(
            reverse("admin:budgets_budgetsnapshot_process_import"),
            preview.context["confirm_form"].initial,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(BudgetSnapshot.objects.get().budget, 1234)
        self.assertFalse(PendingImport.objects.exists())

    def test_the_health_check_writes_to_the_bucket_and_backup_refuses_it(self):
        self.assertEqual(health.run_checks()["media"], None)
        self.assertEqual([key for key in self.keys() if key.startswith(".healthz")], [])
        with self.assertRaisesMessage(backup.BackupError, "MEDIA_STORAGE=s3"):
            backup.backup(tempfile.mkdtemp(prefix="briefing-s3-backup-") + "/")
        self.assertFalse(default_storage.exists("blocks/none.png"))


class MediaStorageSettingTests(SimpleTestCase):
    def test_a_wrong_kind_or_a_bucket_left_out_is_refused_at_start(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "filesystem or s3"):
            media_storage("nfs")
        saved = os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)
        try:
            with self.assertRaisesMessage(ImproperlyConfigured, "AWS_STORAGE_BUCKET_NAME"):
                media_storage("s3")
        finally:
            if saved is not None:
                os.environ["AWS_STORAGE_BUCKET_NAME"] = saved
