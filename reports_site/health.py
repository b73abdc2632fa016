"""`/healthz` for load balancers and monitoring: is this installation able to serve and to
finish its background work?

Three checks, each cheap: the database answers a SELECT, a background worker
(`manage.py db_worker`) beat within the last minute (`WorkerHeartbeat`: django-tasks keeps
no record of its workers, so our worker writes one every 10 s), and the media folder (or
the S3 bucket) takes a file. No session, no login, no database write: a load balancer asks
every few seconds.
"""

import logging
import tempfile
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class Unhealthy(Exception):
    """A check that failed for a reason it names itself."""


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_worker():
    if not WorkerHeartbeat.objects.alive().exists():
        seconds = int(WorkerHeartbeat.ALIVE_FOR.total_seconds())
        raise Unhealthy(
            _("최근 %(seconds)s초 동안 작업 처리기(db_worker)의 신호가 없습니다.")
            % {"seconds": seconds}
        )


def check_media():
    # A real file, created and removed: a read-only mount or a full disk fails here, where
    # a permission test (os.access) would pass. The file never outlives the check.
    try:
        location = default_storage.path("")
    except NotImplementedError:  # an object store (S3): no folder on this machine
        return check_bucket()
    with tempfile.TemporaryFile(dir=location, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()


def check_bucket():
    # An object written and deleted, under a name of its own so that app servers checking
    # at once never meet: wrong keys, a missing bucket or a read-only policy fail here.
    name = default_storage.save(f".healthz/{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {"database": check_database, "worker": check_worker, "media": check_media}


def run_checks():
    """{name: None when it passed, else what failed}; after a database failure the worker
    check (which reads the database) is not tried, so the answer names the real cause."""
    results = {}
    for name, check in CHECKS.items():
        if name == "worker" and results.get("database"):
            results[name] = _("데이터베이스에 연결할 수 없어 확인하지 못했습니다.")
            continue
        try:
            check()
            results[name] = None
        except Unhealthy as error:
            results[name] = str(error)
        except Exception as error:  # any failure is the answer, never a 500
            results[name] = f"{type(error).__name__}: {error}"
    return results


@never_cache
@require_safe
def healthz(request):
    results = run_checks()
    failing = [name for name, problem in results.items() if problem]
    body = {
        "status": "fail" if failing else "ok",
        "checks": {name: problem or "ok" for name, problem in results.items()},
    }
    if failing:
        body["failing"] = failing
    response = JsonResponse(
        body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False}
    )
    if failing:
        # One warning naming the checks, instead of Django's error line for every 503
        # (a load balancer asks every few seconds).
        logger.warning("healthz: %s", "; ".join(f"{n}: {results[n]}" for n in failing))
        response._has_been_logged = True
    return response
