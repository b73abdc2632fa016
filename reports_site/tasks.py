"""The session booklet, made in the background by `manage.py db_worker`.

django-tasks keeps no progress and leaves a task RUNNING forever when its worker dies, so
the job row (`BookletJob`) carries the progress the page shows and a heartbeat that
`manage.py recover_booklet_jobs` reads to start a dead job again.

The parts the booklet lacks are tasks of their own (`render_part`), so every worker process
of the installation renders some of them: the booklet's own worker renders them one at a
time too, waits for those another worker took, and assembles the booklet. A part is
rendered once whoever asks for it (the claims of reports_site.pdf); the part tasks nobody
took by then are withdrawn.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from . import files, pdf
from .editions import publish_booklet
from .models import BookletJob, Edition
from .report import upgrade

PART_PRIORITY = 10  # before any booklet: a free worker helps the booklet being made


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


@task(priority=PART_PRIORITY)
def render_part(session_id, department_code, key):
    """Render one department's part of a booklet, unless it is done or being done.

    The part is the one of the department's latest edition in the session; when that is no
    longer the content the booklet asked for (key), there is nothing to do."""
    edition = (
        Edition.objects.filter(session_id=session_id, briefing__department__code=department_code)
        .order_by("-number")
        .first()
    )
    if edition is None:
        return "gone"
    data = upgrade(edition.data)
    if pdf.part_key(data) != key:
        return "changed"
    return "rendered" if pdf.render_claimed(key, data) else "not needed"


def _hand_out(job, handed):
    """hand_out for pdf.shared_with_workers: a part task per missing part."""

    def hand_out(reports):
        # Queued from the last: the booklet's own worker renders from the first, so the
        # two meet in the middle instead of asking for the same parts one after the other.
        with transaction.atomic():
            for data in reversed(reports):
                result = render_part.enqueue(
                    job.session_id, data["department"]["code"], pdf.part_key(data)
                )
                handed.append(str(result.id))

    return hand_out


def _withdraw(handed):
    """The part tasks of the booklet no worker took, or that ended: of no use any more."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id__in=handed).exclude(status=TaskResultStatus.RUNNING).delete()


def run(job):
    _update(job, status=BookletJob.Status.RUNNING, attempts=F("attempts") + 1, error="")

    def progress(done, total, department):
        _update(job, percent=min(99, done * 100 // total) if total else 0, current=department)

    handed = []
    try:
        with pdf.shared_with_workers(_hand_out(job, handed)):
            edition = publish_booklet(job.session, job.requested_by, progress)
    except Exception as error:
        _update(
            job,
            status=BookletJob.Status.FAILED,
            error=_failure(error),
            finished_at=timezone.now(),
        )
        raise
    finally:
        _withdraw(handed)
    _update(
        job,
        status=BookletJob.Status.DONE,
        percent=100,
        current="",
        edition=edition,
        finished_at=timezone.now(),
    )
    return edition.pk
