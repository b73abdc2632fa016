"""Start again the booklet jobs whose worker died (django-tasks leaves them RUNNING)."""

from departments.stale_jobs import RecoverJobsCommand
from reports_site.models import BookletJob
from reports_site.tasks import enqueue


class Command(RecoverJobsCommand):
    help = "하트비트가 끊긴 책자 작업을 다시 대기열에 넣습니다."

    def jobs(self):
        return BookletJob.objects.filter(status=BookletJob.Status.RUNNING)

    def enqueue(self, job):
        enqueue(job)

    def describe(self, job):
        return str(job.session)
