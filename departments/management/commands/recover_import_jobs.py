"""Start again the import jobs whose worker died (django-tasks leaves them RUNNING).

A dead job saved nothing (its checks, writes and "done" commit together), so running it
again imports the file once.
"""

from departments.import_jobs import enqueue
from departments.models import ImportJob
from departments.stale_jobs import RecoverJobsCommand


class Command(RecoverJobsCommand):
    help = "하트비트가 끊긴 가져오기 작업을 다시 대기열에 넣습니다."

    def jobs(self):
        return ImportJob.objects.defer("data").filter(status=ImportJob.Status.RUNNING)

    def enqueue(self, job):
        enqueue(job)

    def describe(self, job):
        return job.file_name
