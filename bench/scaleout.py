"""Scale-out run and soak: two app servers and two workers behind nginx, readers at the
front door while the workers make a session booklet.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/briefing_bench   # load_reports --prepare
    export CACHE_URL=redis://127.0.0.1:6379/7 MEDIA_ROOT=/path/to/the/bench/media
    uv run python bench/scaleout.py --seconds 60 --users 20          # the scale-out run
    uv run python bench/scaleout.py --soak 1800 --users 20 --think 1  # 30 minutes, mixed

The stack (bench/stack.py): gunicorn × 2 on 127.0.0.1:8741 and :8742 (3 workers each, the
unit's flags), `manage.py db_worker` × 2, nginx on :8743 (HTTPS, self-signed) and :8780
(plain HTTP: /healthz) with deploy/nginx.conf; PostgreSQL and Redis as given. It is
started, used and stopped by this script (also on Ctrl-C).

Scale-out run: every page fetched once through nginx (the shared cache warm), then a
booklet of the newest synthetic session is started from cold and `--seconds` of readers
run against nginx while the workers make it. To make it cold, the script removes from
its own database the session's booklet editions and every rendered part (a booklet of
unchanged editions would otherwise be found already made, and its parts reused).

Soak (`--soak SECONDS`): the same readers with a pause between pages, plus downloads of
section tables as xlsx, a 1,000-row budget-line import through the workers every 5
minutes and a cold booklet every 10 minutes. The resident memory of every app server and
worker process is sampled every `--rss-every` seconds (gunicorn's --max-requests is off,
so that a leak would show rather than be recycled away).
"""

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_reports  # noqa: E402
from import_bench import xlsx_bytes  # noqa: E402
from stack import HTTP_PORT, Stack  # noqa: E402

CLERK, CLERK_PASSWORD = "bench_clerk", "bench-clerk-password"


# Django-side helpers (this process reads and writes the same database) --------------------


def newest_session():
    from reports_site.models import CouncilSession

    sessions = CouncilSession.objects.filter(briefings__department__code__startswith="SYN-")
    return sessions.latest("starts_on")


def cold_booklet(session):
    """A booklet job for the session with nothing made yet: its booklet editions and the
    rendered parts removed (bench database only), then the job queued as the clerk's
    "전체 책자" button queues it."""
    from django.db.models.query import QuerySet

    from reports_site import tasks
    from reports_site.models import BookletJob, Edition, PartClaim, RenderedPart

    BookletJob.objects.filter(session=session).delete()
    QuerySet.delete(Edition.objects.booklets().filter(session=session))
    QuerySet.delete(PartClaim.objects.all())
    QuerySet.delete(RenderedPart.objects.all())
    return tasks.start_booklet(session)


def job_state(job):
    job.refresh_from_db()
    return job.status, job.percent


def booklet_count(session):
    from reports_site.models import Edition

    return Edition.objects.booklets().filter(session=session).count()


def clerk():
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username=CLERK, defaults={"is_staff": True})
    user.is_staff = user.is_superuser = True
    user.set_password(CLERK_PASSWORD)
    user.save()
    return user


def start_import(serial, rows=1000):
    """A budget-line file of `rows` new lines (a year of its own) imported by the workers,
    as the admin's confirm queues a large file."""
    from budgets.resources import BudgetLineResource
    from departments.import_jobs import start_import as queue
    from departments.imports import XLSX
    from departments.models import Department

    code = Department.objects.filter(code__startswith="SYN-D").order_by("code").first().code
    year = 2100 + serial % 30_000  # a year of its own (a small integer column)
    headers = ["부서 코드", "회계연도", "세입·세출", "단계", "상위 사업", "사업명"]
    headers += ["표시 순서", "재원", "전년도 최종예산(천원)"]
    lines = [[code, year, "세출", "단위사업", None, f"사업{n:06d}", n % 100, "구비", n]
             for n in range(rows)]  # fmt: skip
    return queue(
        user=clerk(),
        model="budgets.budgetline",
        resource_class=BudgetLineResource,
        format_class=XLSX,
        file_name=f"soak-{serial}.xlsx",
        data=xlsx_bytes(headers, lines),
        rows=rows,
    )


# Readers ---------------------------------------------------------------------------------


async def reader(base, member, urls, until, think, results, rng):
    options = load_reports.CLIENT_OPTIONS
    async with httpx.AsyncClient(base_url=base, timeout=30, **options) as client:
        if member:
            await load_reports.sign_in(client)
        mine = [u for u in urls if member or not u[2]]
        while time.monotonic() < until:
            kind, url, _ = rng.choice(mine)
            start = time.perf_counter()
            try:
                response = await client.get(url)
                status = response.status_code
                if status == 200 and kind == "xlsx export" and response.content[:2] != b"PK":
                    status = -2  # not a spreadsheet
            except httpx.HTTPError:
                status = -1
            results.append((time.monotonic(), kind, time.perf_counter() - start, status))
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))


async def readers(base, users, seconds, think, urls, results):
    rng = random.Random(1)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(reader(base, i % 4 == 3, urls, until, think, results, rng) for i in range(users))
    )


def xlsx_urls(base, urls, count=30):
    """Table downloads of published sections, as the links under each section give them."""
    found = []
    options = load_reports.CLIENT_OPTIONS
    with httpx.Client(base_url=base, timeout=30, **options) as client:
        for kind, url, _ in urls:
            if not kind.startswith("section"):
                continue
            page = client.get(url).text
            found += [u for u in load_reports.re.findall(r'href="([^"]+\.xlsx)"', page)]
            if len(found) >= count:
                break
    return [("xlsx export", url, False) for url in found[:count]]


def table(results, seconds):
    by_kind = defaultdict(list)
    for _t, kind, took, status in results:
        by_kind[kind].append((took, status))
    return load_reports.table(by_kind, seconds)


def summary(results, seconds):
    times = [took * 1000 for _t, _k, took, _s in results]
    errors = sum(1 for *_, status in results if status != 200)
    return {
        "requests": len(times),
        "rate": len(times) / seconds,
        "p50": statistics.median(times),
        "p95": load_reports.percentile(times, 0.95),
        "max": max(times),
        "errors": errors,
    }


# Memory ----------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Every `every` seconds the RSS of each process of the stack, into a CSV file."""

    def __init__(self, stack, every, path):
        super().__init__(daemon=True)
        self.stack, self.every, self.path = stack, every, path
        self.rows, self.stopped = [], threading.Event()

    def run(self):
        started = time.monotonic()
        while not self.stopped.is_set():
            now = round(time.monotonic() - started)
            load = os.getloadavg()[0]
            for label, (pid, rss) in self.stack.sample().items():
                if rss is not None:
                    self.rows.append((now, label, pid, rss, load))
            self.stopped.wait(self.every)

    def stop(self):
        self.stopped.set()
        self.join()
        with open(self.path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["seconds", "process", "pid", "rss_kb", "load1"])
            writer.writerows(self.rows)

    def report(self):
        """Per process (label and pid): RSS at its first and last sample, and its max."""
        by = defaultdict(list)
        for now, label, pid, rss, _load in self.rows:
            by[(label, pid)].append((now, rss))
        lines = [
            "| process | pid | samples | first s | start MB | end MB | max MB | end − start MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (label, pid), samples in sorted(by.items(), key=lambda item: item[0][0]):
            if len(samples) < 3 and "render" in label:
                continue  # a render process that lived for one booklet
            first, last = samples[0][1] / 1024, samples[-1][1] / 1024
            peak = max(rss for _n, rss in samples) / 1024
            lines.append(
                f"| {label} | {pid} | {len(samples)} | {samples[0][0]} | {first:.0f} | "
                f"{last:.0f} | {peak:.0f} | {last - first:+.0f} |"
            )
        return "\n".join(lines)


# The runs --------------------------------------------------------------------------------


def wait_running(job, timeout=120):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        status, _ = job_state(job)
        if status != "queued":
            return status
        time.sleep(0.5)
    raise SystemExit("no worker took the booklet job")


def wait_done(job, timeout=900):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        status, _ = job_state(job)
        if status in ("done", "failed"):
            return status
        time.sleep(1)
    return "timeout"


def scaleout(stack, options, urls):
    session = newest_session()
    asyncio.run(load_reports.warm(stack.base, urls, 1, options.users))
    load = os.getloadavg()
    job = cold_booklet(session)
    asked = time.monotonic()
    wait_running(job)
    results = []
    started = time.monotonic()
    asyncio.run(readers(stack.base, options.users, options.seconds, options.think, urls, results))
    load_end = os.getloadavg()
    status_at_end, percent_at_end = job_state(job)
    status = wait_done(job)
    job.refresh_from_db()
    made = (job.finished_at - job.created_at).total_seconds() if job.finished_at else None
    print(
        f"\n{options.users} readers, think {options.think} s, {options.seconds} s through "
        f"nginx (HTTPS) to 2 gunicorn × {stack.web_workers} workers, 2 db_workers, "
        f"PostgreSQL, Redis; {os.cpu_count()} cores\n"
    )
    print(table(results, options.seconds))
    stats = summary(results, options.seconds)
    print(
        f"\noverall: {stats['rate']:.1f} requests/s, p95 {stats['p95']:.0f} ms, "
        f"{stats['errors']} errors; load average before {load[0]:.2f}, at the end "
        f"{load_end[0]:.2f}\nbooklet: started {started - asked:.1f} s before the readers; "
        f"at their end {status_at_end} {percent_at_end} %; finished {status} after "
        f"{made and round(made)} s; booklet editions of the session: {booklet_count(session)}"
    )
    return stats | {"booklet": status, "booklet_seconds": made, "load": load, "load_end": load_end}


def soak(stack, options, urls, out):
    session = newest_session()
    urls = urls + xlsx_urls(stack.base, urls)
    asyncio.run(load_reports.warm(stack.base, urls, 1, options.users))
    sampler = Sampler(stack, options.rss_every, out / "rss.csv")
    sampler.start()
    events, stop = [], threading.Event()
    started = time.monotonic()

    def background():
        serial = int(time.time()) % 30_000
        next_import, next_booklet, booklet = 60, 120, None
        while not stop.wait(5):
            now = time.monotonic() - started
            if now >= next_import:
                job = start_import(serial)
                events.append((round(now), "import queued", job.pk))
                serial, next_import = serial + 1, next_import + 300
            if now >= next_booklet and (
                booklet is None or job_state(booklet)[0] in ("done", "failed")
            ):
                if booklet is not None:
                    events.append((round(now), "booklet before", booklet.status))
                booklet = cold_booklet(session)
                events.append((round(now), "booklet queued", booklet.pk))
                next_booklet = now + 600
        if booklet is not None:
            events.append((round(time.monotonic() - started), "booklet last", wait_done(booklet)))

    thread = threading.Thread(target=background, daemon=True)
    thread.start()
    results = []
    try:
        asyncio.run(readers(stack.base, options.users, options.soak, options.think, urls, results))
    finally:
        stop.set()
        thread.join()
        sampler.stop()
    from departments.models import ImportJob

    imports = list(ImportJob.objects.filter(file_name__startswith="soak-").order_by("-pk")
                   .values_list("status", "rows", "added")[:12])  # fmt: skip
    windows = []
    for start in range(0, options.soak, 300):
        part = [r for r in results if start <= r[0] - started < start + 300]
        if part:
            windows.append((start // 60, summary(part, min(300, options.soak - start))))
    print(f"\nsoak {options.soak} s, {options.users} readers, think {options.think} s\n")
    print(table(results, options.soak))
    print(
        "\n| minutes | requests | req/s | p50 ms | p95 ms | errors |"
        "\n| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    for minute, s in windows:
        print(
            f"| {minute}–{minute + 5} | {s['requests']} | {s['rate']:.1f} | {s['p50']:.0f} | "
            f"{s['p95']:.0f} | {s['errors']} |"
        )
    print("\n" + sampler.report())
    print("\nevents:", events)
    print("imports (newest first: status, rows, added):", imports)
    print("booklet editions of the session:", booklet_count(session))
    return summary(results, options.soak) | {"events": events, "imports": imports}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, default=0)
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load")
    parser.add_argument("--rss-every", type=int, default=30)
    parser.add_argument("--web-workers", type=int, default=3, help="per app server")
    parser.add_argument("--out", default="", help="folder for logs and rss.csv")
    options = parser.parse_args()
    out = Path(options.out or f"/tmp/scaleout-{int(time.time())}")
    load_reports.setup_django()
    urls = load_reports.pages()
    stack = Stack(out, web_workers=options.web_workers, recycle=not options.soak)
    load_reports.CLIENT_OPTIONS.update(verify=False, headers={"Referer": f"{stack.base}/login/"})
    try:
        stack.start()
        print(f"stack up: {stack.base} (nginx), healthz on :{HTTP_PORT}; logs in {out}")
        result = soak(stack, options, urls, out) if options.soak else scaleout(stack, options, urls)
        (out / "result.json").write_text(json.dumps(result, default=str, indent=1))
    finally:
        stack.stop()
        print("stack stopped")


if __name__ == "__main__":
    main()
