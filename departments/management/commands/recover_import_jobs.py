"""Start again the import jobs whose worker died (django-tasks leaves them RUNNING).

A dead job saved nothing (its checks, writes and "done" commit together), so running it
again imports the file once.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from departments.import_jobs import enqueue
from departments.models import ImportJob


class Command(BaseCommand):
    help = "하트비트가 끊긴 가져오기 작업을 다시 대기열에 넣습니다."

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
        stale = (
            ImportJob.objects.select_for_update()
            .defer("data")
            .filter(status=ImportJob.Status.RUNNING, heartbeat_at__lt=cutoff)
        )
        for job in stale:
            # The dead worker's task stays RUNNING in the queue table; close it as failed.
            DBTaskResult.objects.filter(
                id=job.task_id or None, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
            enqueue(job)
            self.stdout.write(f"{job.file_name}: 다시 대기열에 넣었습니다 (시도 {job.attempts}회).")
        if not stale:
            self.stdout.write("멈춘 작업이 없습니다.")
