"""The session booklet, made in the background by `manage.py db_worker`.

django-tasks keeps no progress and leaves a task RUNNING forever when its worker dies, so
the job row (`BookletJob`) carries the progress the page shows and a heartbeat that
`manage.py recover_booklet_jobs` reads to start a dead job again.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from . import files
from .editions import publish_booklet
from .models import BookletJob


def start_booklet(session, user=None):
    """The session's job in progress, or a new one put in the queue."""
    job = session.jobs.filter(status__in=[BookletJob.Status.QUEUED, BookletJob.Status.RUNNING])
    job = job.first()
    if job is None:
        job = BookletJob.objects.create(session=session, requested_by=user)
        enqueue(job)
    return job


def enqueue(job):
    job.status, job.percent, job.current, job.error = BookletJob.Status.QUEUED, 0, "", ""
    job.save()
    # Enqueue once the job row is committed, so a fast worker never misses it.
    transaction.on_commit(lambda: _enqueue(job.pk))


def _enqueue(job_id):
    result = make_booklet.enqueue(job_id)
    BookletJob.objects.filter(pk=job_id).update(task_id=str(result.id))


@task()
def make_booklet(job_id):
    run(BookletJob.objects.select_related("session", "requested_by").get(pk=job_id))


def _update(job, **fields):
    BookletJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now(), **fields)


def _failure(error):
    """What the booklet page says of a failed job: the clerk's message where there is one."""
    if files.disk_full(error):
        return files.disk_full_message()
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"{type(error).__name__}: {error}"


def run(job):
    _update(job, status=BookletJob.Status.RUNNING, attempts=F("attempts") + 1, error="")

    def progress(done, total, department):
        _update(job, percent=min(99, done * 100 // total) if total else 0, current=department)

    try:
        edition = publish_booklet(job.session, job.requested_by, progress)
    except Exception as error:
        _update(
            job,
            status=BookletJob.Status.FAILED,
            error=_failure(error),
            finished_at=timezone.now(),
        )
        raise
    _update(
        job,
        status=BookletJob.Status.DONE,
        percent=100,
        current="",
        edition=edition,
        finished_at=timezone.now(),
    )
    return edition.pk
