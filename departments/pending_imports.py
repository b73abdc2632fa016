"""Uploads between an import's preview and its confirm, kept for their user only.

django-import-export keeps an upload in a temporary file and names it in a hidden field of
the confirm form; its default storage opens whatever name comes back. Here the name is a
random token looked up among the user's own pending uploads to the same import page, and
every other hidden field is checked before the library indexes a list with it.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import BaseStorage

from .models import PendingImport


class PendingImportStorage(BaseStorage):
    """The library's temporary storage, as PendingImport rows of one user and import page.

    (TempFolderStorage, the default, reads and then deletes any file of the temporary
    folder the confirm form names, another user's pending upload included.)
    """

    def __init__(self, *, user, model, file_name="", **kwargs):
        super().__init__(**kwargs)
        self.user, self.model, self.file_name = user, model, file_name
        self.rows = 0  # as the preview counted them (read() tells)

    def uploads(self):
        return PendingImport.objects.waiting_for(self.user, self.model, self.name or "")

    def save(self, data):
        upload = PendingImport.objects.create(
            user=self.user, model=self.model, file_name=self.file_name, data=data
        )
        self.name = upload.token

    def read(self):
        upload = self.uploads().first()
        if upload is None:
            raise PendingImport.DoesNotExist
        self.file_name, self.rows = upload.file_name, upload.rows
        return bytes(upload.data)

    def remove(self):
        """Whether this call removed it: of two confirms at once, only one goes on."""
        return self.uploads().delete()[0] > 0


class SpreadsheetConfirmForm(ConfirmImportForm):
    """The confirm step's hidden fields, checked: the library indexes its lists with them."""

    def __init__(self, *args, formats=1, resources=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.counts = {"format": formats, "resource": resources}

    def clean_format(self):
        return self.clean_index("format")

    def clean_resource(self):
        return self.clean_index("resource")

    def clean_index(self, name):
        value = self.cleaned_data[name] or "0"  # the resource is left out when there is one
        if not re.fullmatch(r"[0-9]{1,3}", value) or int(value) >= self.counts[name]:
            raise ValidationError(_("고를 수 없는 값입니다."), code="invalid_choice")
        return value
