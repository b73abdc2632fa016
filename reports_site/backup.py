"""A whole installation in one file, and back (`manage.py backup`, `manage.py restore`).

The archive (.tar.gz) holds the database as a Django JSON fixture (`data.exactjson`:
reports_site.exact_json keeps times to the microsecond), every
file of the media folder (`media/…`: edition PDFs, rendered parts, images) and a
manifest: the migrations the database had, and the sha256 of every file.

The fixture is portable between SQLite and PostgreSQL. Every row keeps its primary key
(ids appear in addresses and in the history), while references to content types and
permissions are written by natural key ("app, model"), as a newly migrated database
numbers those afresh. Left out: what `migrate` makes (content types, permissions), the
sessions, and the work queue (tasks, worker heartbeats, render claims): a restored site
must not run yesterday's jobs again.

A restore goes into an empty installation only (migrated, no user, no department, no
edition, nothing in media) of the same schema: data from other migrations would not fit
the tables. Upgrading is the code's business: restore with the same version, then
`migrate`.
"""

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
serializers.register_serializer("exactjson", "reports_site.exact_json")
DATA = "data.exactjson"  # loaddata reads the format from the extension
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "django_tasks_database",
    "reports_site.workerheartbeat",
    "reports_site.partclaim",
]
# What an installation holds once in use; a restore refuses a database with any of these.
IN_USE = ["auth.user", "departments.department", "reports_site.edition"]


class BackupError(Exception):
    """Why a backup or restore cannot be done, for the operator."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_root():
    """The media folder on disk; an object store is backed up by its own means (the
    bucket's versioning or replication, beside a database dump), so refused before any
    work is done."""
    try:
        return Path(default_storage.path(""))
    except NotImplementedError as error:
        raise BackupError(
            _(
                "미디어 파일이 S3 저장소에 있어(MEDIA_STORAGE=s3) 백업과 복원을 할 수 "
                "없습니다. 이 명령은 파일 시스템의 미디어 폴더만 다룹니다. 데이터베이스와 "
                "버킷은 각각 따로 백업하세요(docs/deploy.md)."
            )
        ) from error


def media_files(root):
    """Every stored file under the media folder, as posix paths relative to it."""
    if not root.is_dir():
        return []
    found = [path for path in root.rglob("*") if path.is_file() and not path.is_symlink()]
    return sorted(path.relative_to(root).as_posix() for path in found)


def applied_migrations(using=DEFAULT_DB_ALIAS):
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def archive_path(target, now=None):
    """The archive's file: `target` itself, or a dated name inside it when it is a folder."""
    folder = str(target).endswith(os.sep)  # Path() drops the trailing separator
    target = Path(target)
    if folder or target.is_dir():
        stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
        return target / f"briefing-backup-{stamp}.tar.gz"
    return target


def _dump(out, using):
    call_command(
        "dumpdata",
        format="exactjson",
        exclude=EXCLUDE,
        natural_foreign=True,
        use_base_manager=True,  # every row, whatever a model's default manager hides
        indent=None,
        output=str(out),
        database=using,
        verbosity=0,
    )


def dump_database(out, using=DEFAULT_DB_ALIAS):
    """The fixture of the whole database, as one consistent snapshot on PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite: a write transaction would lock the worker out while the dump runs.
        # Inside a caller's transaction (a test), that transaction is the snapshot.
        return _dump(out, using)
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        _dump(out, using)


def backup(target, using=DEFAULT_DB_ALIAS):
    """Write the archive; returns its path and manifest. Written under a temporary name and
    renamed when complete, so an archive under its final name is always whole."""
    path = archive_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = media_root()
    with tempfile.TemporaryDirectory(prefix="briefing-backup-") as work:
        data = Path(work, DATA)
        dump_database(data, using)
        # Media after the database: every file a row names exists by then (files are
        # written whole and never changed), a newer file is only one more.
        names = media_files(root)
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database": connections[using].vendor,
            "migrations": applied_migrations(using),
            "data_sha256": sha256(data),
            "media": {name: sha256(root / name) for name in names},
        }
        Path(work, "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = path.with_name(f".partial-{path.name}")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(Path(work, "manifest.json"), "manifest.json")
                archive.add(data, DATA)
                for name in names:
                    archive.add(root / name, f"media/{name}")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return path, manifest


# Restore -----------------------------------------------------------------------------------


def _unpack(source, work):
    try:
        with tarfile.open(source, "r:*") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, links or ..
        manifest = json.loads(Path(work, "manifest.json").read_text())
    except (OSError, tarfile.TarError, ValueError, KeyError) as error:
        raise BackupError(
            _("백업 파일을 읽을 수 없습니다: %(error)s") % {"error": error}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("알 수 없는 백업 형식입니다."))
    return manifest


def _check_files(work, manifest):
    if sha256(Path(work, DATA)) != manifest["data_sha256"]:
        raise BackupError(_("백업 파일이 손상되었습니다: %(name)s") % {"name": DATA})
    for name, digest in manifest["media"].items():
        file = Path(work, "media", name)
        if not file.is_file() or sha256(file) != digest:
            raise BackupError(_("백업 파일이 손상되었습니다: %(name)s") % {"name": name})


def _check_target(manifest, root, using):
    ours = applied_migrations(using)
    if ours != manifest["migrations"]:
        missing = sorted(set(manifest["migrations"]) - set(ours))
        extra = sorted(set(ours) - set(manifest["migrations"]))
        raise BackupError(
            _(
                "데이터베이스의 마이그레이션이 백업과 다릅니다(백업에만: %(missing)s; 여기에만: "
                "%(extra)s). 백업한 때와 같은 버전의 코드로 복원한 다음 migrate 하세요."
            )
            % {"missing": ", ".join(missing[:5]) or "-", "extra": ", ".join(extra[:5]) or "-"}
        )
    for label in IN_USE:
        if apps.get_model(label)._base_manager.using(using).exists():
            raise BackupError(
                _("비어 있는 설치에만 복원할 수 있습니다: %(what)s 자료가 있습니다.")
                % {"what": label}
            )
    if media_files(root):
        raise BackupError(
            _("비어 있는 설치에만 복원할 수 있습니다: 미디어 폴더 %(root)s 에 파일이 있습니다.")
            % {"root": root}
        )


def _restored_tables():
    """The tables the fixture fills: emptied first of what `migrate` put there (the role
    groups, the default request kinds), which the backup holds as they were."""
    excluded_apps = {label for label in EXCLUDE if "." not in label}
    excluded_models = {label for label in EXCLUDE if "." in label}
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in excluded_apps:
            continue
        if meta.label_lower in excluded_models:
            continue
        tables.append(meta.db_table)
    return tables


@contextmanager
def m2m_changed_muted():
    """Links loaded from the backup are the stored state, not changes: no history row for
    them (simple_history records m2m changes, and loaddata says "raw" only to post_save)
    and no period lock guarding them (programs.models), which would refuse the links of
    an approved quarter."""
    receivers = m2m_changed.receivers
    m2m_changed.receivers = []
    m2m_changed.sender_receivers_cache.clear()
    try:
        yield
    finally:
        m2m_changed.receivers = receivers
        m2m_changed.sender_receivers_cache.clear()


def restore(source, using=DEFAULT_DB_ALIAS):
    """Load the archive into this empty installation; returns its manifest."""
    root = media_root()
    with tempfile.TemporaryDirectory(prefix="briefing-restore-") as work:
        manifest = _unpack(source, work)
        _check_files(work, manifest)
        _check_target(manifest, root, using)
        copied = []
        try:
            for name in manifest["media"]:
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(work, "media", name), target)
                copied.append(target)
            connection = connections[using]
            with transaction.atomic(using=using):
                # PostgreSQL refuses TRUNCATE while checks deferred earlier in the same
                # transaction are pending (a caller that already wrote): run them first.
                connection.check_constraints()
                flush = connection.ops.sql_flush(no_style(), _restored_tables())
                connection.ops.execute_sql_flush(flush)
                with m2m_changed_muted():
                    call_command("loaddata", Path(work, DATA), database=using, verbosity=0)
        except BaseException:
            for target in copied:  # nothing half-restored: the installation stays empty
                target.unlink(missing_ok=True)
            raise
    return manifest
