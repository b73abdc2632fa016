"""django-tasks-db's worker, which also records that it is alive (`WorkerHeartbeat`), so
the booklet page can say when no worker would ever make the booklet."""

import threading
import time

from django.db import connections
from django_tasks_db.management.commands import db_worker

from reports_site.models import WorkerHeartbeat


def beat_forever(worker_id):
    while True:
        time.sleep(WorkerHeartbeat.EVERY.total_seconds())
        try:
            WorkerHeartbeat.beat(worker_id)
        except Exception:  # a busy or restarting database: the next beat tells again
            pass
        finally:
            # Hold no connection between beats: the render processes fork from this worker.
            connections.close_all()


class Command(db_worker.Command):
    help = db_worker.Command.help + "; records its heartbeat for the booklet page"

    def handle(self, *args, **options):
        WorkerHeartbeat.beat(options["worker_id"])
        if not options["batch"]:  # a batch run ends when the queue is empty
            threading.Thread(target=beat_forever, args=(options["worker_id"],), daemon=True).start()
        return super().handle(*args, **options)
