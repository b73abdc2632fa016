"""Start again the booklet jobs whose worker died (django-tasks leaves them RUNNING)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from reports_site.models import BookletJob
from reports_site.tasks import enqueue


class Command(BaseCommand):
    help = "하트비트가 끊긴 책자 작업을 다시 대기열에 넣습니다."

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
        stale = BookletJob.objects.select_for_update().filter(
            status=BookletJob.Status.RUNNING, heartbeat_at__lt=cutoff
        )
        for job in stale:
            # The dead worker's task stays RUNNING in the queue table; close it as failed.
            DBTaskResult.objects.filter(
                id=job.task_id or None, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
            enqueue(job)
            self.stdout.write(f"{job.session}: 다시 대기열에 넣었습니다 (시도 {job.attempts}회).")
        if not stale:
            self.stdout.write("멈춘 작업이 없습니다.")
