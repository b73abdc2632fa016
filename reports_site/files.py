"""Stored files written whole: a reader, or a database row, never meets half of one."""

import errno
import os
import posixpath
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _


def disk_full(error):
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def disk_full_message():
    return _("저장 공간이 부족합니다. 시스템 관리자에게 알려 주세요.")


def save_whole(field_file, name, content):
    """Store `content` (bytes) as the field's file, in one piece, and point the field at it.

    Django's file storage writes in place: a full disk leaves the first part of the file
    under its final name. Here it is written under a temporary name in the same folder
    and renamed into place only once complete; on any failure nothing is left behind.
    """
    storage = field_file.storage
    name = field_file.field.generate_filename(field_file.instance, name)
    try:
        storage.path(name)
    except NotImplementedError:  # a remote storage (object store) stores an object whole
        field_file.name = storage.save(name, ContentFile(content))
        return
    folder, base = posixpath.split(name)
    partial = posixpath.join(folder, f".partial-{uuid.uuid4().hex}-{base}")
    try:
        storage.save(partial, ContentFile(content))
        final = storage.get_available_name(name)
        os.replace(storage.path(partial), storage.path(final))
    except BaseException:
        storage.delete(partial)
        raise
    field_file.name = final


def delete_quietly(field_file):
    """Remove a file stored for a row that was not saved after all."""
    if field_file.name:
        field_file.storage.delete(field_file.name)
        field_file.name = ""
