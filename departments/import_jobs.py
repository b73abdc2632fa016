"""Confirmed imports above IMPORT_BACKGROUND_ROWS, run by the worker (`manage.py db_worker`).

The same mechanism as the booklet (reports_site.tasks): django-tasks keeps no progress and
leaves a task RUNNING forever when its worker dies, so the job row (`ImportJob`) carries the
progress the page shows and a heartbeat that `manage.py recover_import_jobs` reads.

Progress is written while the file is read; the checks and writes then run in one
transaction, which also marks the job done: a job whose worker dies before the commit
saved nothing and is simply run again, and one that committed is never imported twice.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task
from import_export.results import RowResult

from .imports import DepartmentResource, refusal
from .models import ImportJob


def dotted(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def start_import(*, user, model, resource_class, format_class, file_name, data, rows):
    job = ImportJob.objects.create(
        user=user,
        model=model,
        resource=dotted(resource_class),
        file_format=dotted(format_class),
        file_name=file_name,
        data=data,
        rows=rows,
    )
    enqueue(job)
    return job


def enqueue(job):
    job.status, job.percent, job.current, job.error = ImportJob.Status.QUEUED, 0, "", ""
    job.save(update_fields=["status", "percent", "current", "error"])
    # Enqueue once the job row is committed, so a fast worker never misses it.
    transaction.on_commit(lambda: _enqueue(job.pk))


def _enqueue(job_id):
    result = run_import_job.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id))


@task()
def run_import_job(job_id):
    run(ImportJob.objects.select_related("user").get(pk=job_id))


def _update(job, **fields):
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), **fields)


def run(job):
    _update(
        job,
        status=ImportJob.Status.RUNNING,
        attempts=F("attempts") + 1,
        error="",
        percent=0,
        current=_("파일을 읽는 중"),
    )

    def progress(read):  # reading is the first half of the work
        percent = min(49, read * 50 // job.rows) if job.rows else 0
        _update(job, percent=percent, current=_("%(rows)s행 읽음") % {"rows": f"{read:,}"})

    resource_class = import_string(job.resource)
    if not issubclass(resource_class, DepartmentResource):  # only our own, scoped imports
        raise TypeError(job.resource)
    try:
        dataset = import_string(job.file_format)().create_dataset(
            bytes(job.data), progress=progress
        )
        _update(job, percent=50, current=_("확인하고 저장하는 중"))
        with transaction.atomic():
            result = resource_class().import_data(dataset, user=job.user, file_name=job.file_name)
            refused = refusal(result)
            if not refused:
                totals = result.totals
                _finish(
                    job,
                    ImportJob.Status.DONE,
                    percent=100,
                    added=totals[RowResult.IMPORT_TYPE_NEW],
                    changed=totals[RowResult.IMPORT_TYPE_UPDATE],
                    unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
                )
    except ValidationError as error:  # read at its preview, the file cannot fail here
        _finish(job, ImportJob.Status.FAILED, error=" ".join(error.messages))
        return
    except Exception as error:
        _finish(job, ImportJob.Status.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    if refused:
        # The preview passed but the data changed before the worker ran (e.g. the period
        # was approved meanwhile); nothing was saved.
        _finish(job, ImportJob.Status.FAILED, error=refused)


def _finish(job, status, **fields):
    # The file goes with the job's end; the counts and the message stay for the page.
    _update(job, status=status, current="", data=b"", finished_at=timezone.now(), **fields)
