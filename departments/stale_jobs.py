"""Start again the background jobs whose worker died: django-tasks leaves their task
RUNNING, and nothing else would ever pick them up. The booklet and the import job share
this (`manage.py recover_booklet_jobs`, `manage.py recover_import_jobs`), and
`manage.py stuck_jobs` restarts them the same way."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def restart(job, enqueue):
    """Queue a job again whose worker died. The dead worker's task stays RUNNING in the
    queue table: it is closed as failed, so its row tells what happened."""
    DBTaskResult.objects.filter(id=job.task_id or None, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )
    enqueue(job)


class RecoverJobsCommand(BaseCommand):
    """A command that queues again the jobs of `jobs()` without progress for a while."""

    def jobs(self):
        """The job model's rows, RUNNING; to be named by the command."""
        raise NotImplementedError

    def enqueue(self, job):
        raise NotImplementedError

    def describe(self, job):
        return str(job)

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=300,
            help="이 초 동안 진행이 없으면 멈춘 것으로 봅니다",
        )

    @transaction.atomic
    def handle(self, *args, stale_after, **options):
        cutoff = timezone.now() - dt.timedelta(seconds=stale_after)
        stale = self.jobs().select_for_update().filter(heartbeat_at__lt=cutoff)
        for job in stale:
            restart(job, self.enqueue)
            self.stdout.write(
                f"{self.describe(job)}: 다시 대기열에 넣었습니다 (시도 {job.attempts}회)."
            )
        if not stale:
            self.stdout.write("멈춘 작업이 없습니다.")
