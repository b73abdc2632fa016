"""The admin's spreadsheet import and export: upload, paged preview, confirm, background job.

A file of up to IMPORT_BACKGROUND_ROWS rows is imported in the confirm's request; a larger
one becomes an ImportJob that the worker runs while the user watches its progress page.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm
from import_export.results import RowResult

from reports_site.downloads import safe_filename
from reports_site.models import WorkerHeartbeat

from . import import_jobs
from .import_preview import PreviewPage, summary
from .imports import CSV, XLSX, check_size, refusal
from .models import ImportJob, PendingImport
from .pending_imports import PendingImportStorage, SpreadsheetConfirmForm


def done_message(new, update, skip):
    return _(
        "가져오기를 마쳤습니다: 새 항목 %(new)s건, 고친 항목 %(update)s건, 그대로 %(skip)s건."
    ) % {"new": new, "update": update, "skip": skip}


class SpreadsheetImportForm(ImportForm):
    def __init__(self, *args, uploader=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.uploader = uploader

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_size(upload.size)  # before the file is read into memory
        upload.uploader = self.uploader  # whose pending upload it becomes
        return upload


class SpreadsheetAdmin(ImportExportMixin):
    """Excel/CSV import and export for an admin of department rows.

    The import page needs the add permission (IMPORT_EXPORT_IMPORT_PERMISSION_CODE); the
    export takes the admin's own (scoped) list, every column, so it imports back as is.
    An upload waits for its confirm as a PendingImport of its user; the confirm trusts
    nothing of its hidden fields but the upload's random token.
    """

    formats = [XLSX, CSV]
    import_form_class = SpreadsheetImportForm
    confirm_form_class = SpreadsheetConfirmForm
    export_form_class = ExportForm
    tmp_storage_class = PendingImportStorage
    import_template_name = "admin/departments/import.html"
    # Each imported row's change is in its history (user, time, file); an admin log entry
    # per row as well would bury every other recent action under one file's rows.
    skip_admin_log = True

    def url_name(self, view):
        app_label, model_name = self.get_model_info()
        return f"{app_label}_{model_name}_{view}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "import/preview/<str:token>/",
                view(self.preview_page_view),
                name=self.url_name("import_preview"),
            ),
            path(
                "import/job/<int:pk>/",
                view(self.import_job_view),
                name=self.url_name("import_job"),
            ),
            *super().get_urls(),
        ]

    def get_import_form_kwargs(self, request):
        return super().get_import_form_kwargs(request) | {"uploader": request.user}

    def get_confirm_form_kwargs(self, request, import_form=None):
        counts = {
            "formats": len(self.get_import_formats()),
            "resources": len(self.get_import_resource_classes(request)),
        }
        return super().get_confirm_form_kwargs(request, import_form) | counts

    def pending_storage(self, user, **kwargs):
        return PendingImportStorage(user=user, model=self.opts.label_lower, **kwargs)

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.pending_storage(import_file.uploader, file_name=import_file.name)
        storage.save(b"".join(import_file.chunks()))  # its size was checked by the form
        return storage

    def import_action(self, request, **kwargs):
        if request.method == "POST":
            PendingImport.objects.expired().delete()  # abandoned previews
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        token = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if token and not context.get("confirm_form"):
            PendingImport.objects.filter(token=token).delete()  # refused: no confirm will come
        elif token:
            stored = summary(context["result"], context["confirm_form"].initial)
            rows = sum(stored["totals"].values())
            PendingImport.objects.filter(token=token).update(rows=rows, preview=stored)
            context |= self.preview_context(token, stored, 1)
        return response

    def preview_context(self, token, stored, number):
        return {
            "preview": PreviewPage(stored, number),
            "preview_url": reverse(f"admin:{self.url_name('import_preview')}", args=[token]),
        }

    def preview_page_view(self, request, token):
        """Another page of a preview, with the same confirm button."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload = self.pending_storage(request.user, name=token).uploads().defer("data").first()
        if upload is None:
            return self.refuse_confirm(request, UPLOAD_GONE)
        stored = upload.preview
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": _("Import"),
            "opts": self.opts,
            "confirm_form": self.confirm_form_class(
                initial=stored["confirm"],
                formats=len(self.get_import_formats()),
                resources=len(self.get_import_resource_classes(request)),
            ),
            **self.preview_context(token, stored, request.GET.get("page")),
        }
        context["result"] = context["preview"]
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirm step: the user's own pending upload, read once, or a message.

        A confirm naming no upload of this user's (another user's, an expired one, one that
        a first click already imported) or with impossible hidden fields ends on the import
        page with a message, never on an error page. A large file goes to the worker.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return self.refuse_confirm(request, CONFIRM_TAMPERED)
        storage = self.pending_storage(request.user, name=form.cleaned_data["import_file_name"])
        try:
            data = storage.read()
        except PendingImport.DoesNotExist:
            return self.refuse_confirm(request, UPLOAD_GONE)
        if not storage.remove():
            return self.refuse_confirm(request, UPLOAD_GONE)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]
        if storage.rows > settings.IMPORT_BACKGROUND_ROWS:
            job = import_jobs.start_import(
                user=request.user,
                model=self.opts.label_lower,
                resource_class=self.choose_import_resource_class(form, request),
                format_class=input_format,
                file_name=storage.file_name,
                data=data,
                rows=storage.rows,
            )
            return redirect(f"admin:{self.url_name('import_job')}", pk=job.pk)
        try:
            dataset = input_format().create_dataset(data)
        except ValidationError as error:
            return self.refuse_confirm(request, " ".join(error.messages))
        result = self.process_dataset(dataset, form, request, file_name=storage.file_name)
        return self.process_result(result, request)

    def import_job_view(self, request, pk):
        """A background import: its progress, then what it added, changed and left alone."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs = ImportJob.objects.defer("data").filter(user=request.user)
        job = get_object_or_404(jobs, pk=pk, model=self.opts.label_lower)
        context = {
            **self.admin_site.each_context(request),
            "title": _("가져오기: %(file)s") % {"file": job.file_name},
            "opts": self.opts,
            "job": job,
            "done": done_message(job.added, job.changed, job.unchanged),
            "worker_seen": WorkerHeartbeat.objects.alive().exists(),
            "changelist_url": reverse(f"admin:{self.url_name('changelist')}"),
            "import_url": reverse(f"admin:{self.url_name('import')}"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/departments/import_job.html", context)

    def get_export_filename(self, request, queryset, file_format):
        title = f"{self.opts.verbose_name_plural} {timezone.localdate():%Y-%m-%d}"
        return safe_filename(title, file_format.get_extension())

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # The library writes the name into the header unencoded; Korean needs RFC 6266.
        response = super()._do_file_export(file_format, request, queryset, export_form)
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    def refuse_confirm(self, request, message):
        messages.error(request, message)
        return redirect(f"admin:{self.url_name('import')}")

    def add_data_read_fail_error_to_form(self, form, error):
        if not isinstance(error, ValidationError):
            error = _("파일을 읽지 못했습니다. 고른 형식(xlsx, csv)과 파일이 맞는지 확인하세요.")
        form.add_error("import_file", error)

    def add_success_message(self, result, request):
        totals = result.totals
        message = done_message(
            totals[RowResult.IMPORT_TYPE_NEW],
            totals[RowResult.IMPORT_TYPE_UPDATE],
            totals[RowResult.IMPORT_TYPE_SKIP],
        )
        messages.success(request, message)

    def process_result(self, result, request):
        refused = refusal(result)
        if refused:
            # The preview passed but the data changed before the confirm (e.g. the period
            # was approved meanwhile); the import was rolled back.
            return self.refuse_confirm(request, refused)
        return super().process_result(result, request)


UPLOAD_GONE = _(
    "가져올 파일을 찾지 못했습니다. 이미 가져왔거나, 오래되어 지워졌거나, 이 계정이 올린 "
    "파일이 아닙니다. 파일을 다시 올려 주세요."
)
CONFIRM_TAMPERED = _("확인 단계의 양식이 올린 파일과 맞지 않습니다. 파일을 다시 올려 주세요.")
