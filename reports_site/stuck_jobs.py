"""Background work that will never finish by itself, and putting it back in the queue
(`manage.py stuck_jobs`).

django-tasks marks a task RUNNING when a worker takes it and leaves it so when that worker
dies (kill -9, a lost machine, an out-of-memory kill): no other worker takes a RUNNING task.
A task is stuck when

- its worker is gone: the worker that took it has not beaten (`WorkerHeartbeat`) for a
  minute; or
- it made no progress for the threshold: a booklet or import job by its job row's
  heartbeat (a long booklet that advances is not stuck), any other task (a booklet part)
  since it started.

Requeued, a booklet job runs again from the start: its editions are guarded against
duplicates (reports_site.editions: an unchanged content returns the edition already
stored, and two runs meet on the number's unique constraint), parts already rendered are
reused, and an import job saved nothing unless it also marked itself done.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from departments import import_jobs
from departments.models import ImportJob
from departments.stale_jobs import restart

from . import tasks
from .models import BookletJob, WorkerHeartbeat


@dataclass
class Stuck:
    kind: str  # "booklet", "import" or "task"
    task: DBTaskResult | None
    job: BookletJob | ImportJob | None
    since: dt.datetime | None  # the last progress, or the start
    reason: str

    @property
    def name(self):
        if isinstance(self.job, BookletJob):
            return str(self.job.session)
        if isinstance(self.job, ImportJob):
            return self.job.file_name
        return self.task.task_path.rsplit(".", 1)[-1]

    @property
    def worker(self):
        return self.task.worker_ids[-1] if self.task and self.task.worker_ids else ""


# Job rows: the model (RUNNING rows), how to queue one again.
JOBS = {
    "booklet": (BookletJob.objects.select_related("session"), tasks.enqueue),
    "import": (ImportJob.objects.defer("data"), import_jobs.enqueue),
}


def _reason(task, since, cutoff, alive):
    if task is not None and (not task.worker_ids or task.worker_ids[-1] not in alive):
        return _("작업 처리기가 사라졌습니다")
    if since is None or since < cutoff:
        return _("진행이 멈췄습니다")
    return None


def find(stale_after, now=None):
    """The stuck work, job rows first, then the RUNNING tasks that have no job row."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_after)
    alive = set(WorkerHeartbeat.objects.alive(now).values_list("worker_id", flat=True))
    running = {str(task.id): task for task in DBTaskResult.objects.running()}
    found = []
    for kind, (jobs, _enqueue) in JOBS.items():
        for job in jobs.filter(status=jobs.model.Status.RUNNING):
            task = running.pop(job.task_id, None)
            since = job.heartbeat_at or job.created_at
            reason = _reason(task, since, cutoff, alive)
            if reason:
                found.append(Stuck(kind, task, job, since, reason))
    for task in running.values():
        reason = _reason(task, task.started_at, cutoff, alive)
        if reason:
            found.append(Stuck("task", task, None, task.started_at, reason))
    return found


@transaction.atomic
def requeue(stuck):
    """Queue the stuck work again; False when it moved meanwhile (finished, or requeued by
    someone else). The dead worker's task is closed as failed, so its row tells what
    happened; a job gets a new task, a task without a job row is simply made ready again."""
    if stuck.job is not None:
        jobs, enqueue = JOBS[stuck.kind]
        running = jobs.select_for_update().filter(status=jobs.model.Status.RUNNING)
        job = running.filter(pk=stuck.job.pk).first()
        if job is None:
            return False
        restart(job, enqueue)
        return True
    again = DBTaskResult.objects.filter(pk=stuck.task.pk, status=TaskResultStatus.RUNNING)
    return bool(again.update(status=TaskResultStatus.READY, started_at=None))
