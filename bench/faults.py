"""Faults on the production stack (bench/stack.py), each scripted, each printing what happened.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/briefing_bench   # load_reports --prepare
    export CACHE_URL=redis://127.0.0.1:6379/7 MEDIA_ROOT=/path/to/the/bench/media
    uv run python bench/faults.py kill db disk

- kill: a worker is killed (SIGKILL) in the middle of a booklet; a new worker starts (as
  systemd's Restart=always does) and `manage.py stuck_jobs --requeue` (the timer's
  command) is run every 10 s until it requeues the job; the booklet is then finished and
  the session has one booklet edition, not two.
- db: the database goes away during load: DATABASE_URL points through a TCP proxy
  (bench/tcp_proxy.py) that is killed for 20 s, then started again; readers run through
  nginx all along, /healthz is asked every second, and a 5,000-row import is running in a
  worker when the database goes. The machine's PostgreSQL is never touched.
- disk: the media folder is a 64 MB tmpfs, filled up: publishing a briefing and making a
  booklet fail with the disk-full message, no edition row or partial file is left, and
  /healthz answers 503; with space again both succeed.

Each case runs in a process of its own (the disk case with MEDIA_ROOT on the small mount).
"""

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import load_reports  # noqa: E402
import scaleout  # noqa: E402
from stack import HTTP_PORT, ROOT, Stack  # noqa: E402

PROXY_PORT = 55432


def manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def group_alive(pgid):
    """Processes still in the process group (a killed worker's render processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.append(int(entry.name))
            except ProcessLookupError:
                pass
    return found


# kill -9 a worker mid-booklet -------------------------------------------------------------


def case_kill(out):
    from django_tasks_db.models import DBTaskResult

    from reports_site.models import PartClaim

    stack = Stack(out, web_ports=(), nginx=False, worker_ids=True)
    try:
        stack.start()
        session = scaleout.newest_session()
        job = scaleout.cold_booklet(session)
        scaleout.wait_running(job)
        while scaleout.job_state(job)[1] < 20:
            time.sleep(0.5)
        task = DBTaskResult.objects.get(id=job.task_id)
        victim = next(n for n, wid in stack.worker_id.items() if wid == task.worker_ids[-1])
        process = stack.workers[victim]
        percent = scaleout.job_state(job)[1]
        killed_at = time.monotonic()
        os.kill(process.pid, signal.SIGKILL)  # the worker alone, as the kernel's OOM killer
        process.wait()
        time.sleep(3)
        left = group_alive(process.pid)
        print(f"killed worker {victim} (pid {process.pid}) at {percent} %; its render "
              f"processes left after 3 s: {left or 'none'}")  # fmt: skip
        stack.start_worker(victim + 10)  # systemd starts it again, under a new id
        print("stuck_jobs right after:", manage(stack.env, "stuck_jobs").strip())
        requeued = None
        while requeued is None and time.monotonic() - killed_at < 300:
            time.sleep(10)
            said = manage(stack.env, "stuck_jobs", "--requeue").strip()
            if "다시 대기열에 넣었습니다" in said:
                requeued = time.monotonic() - killed_at
                print(f"after {requeued:.0f} s: {said}")
        status = scaleout.wait_done(job)
        job.refresh_from_db()
        running = DBTaskResult.objects.filter(status="RUNNING").count()
        print(
            f"booklet: {status} after {time.monotonic() - killed_at:.0f} s from the kill, "
            f"attempts {job.attempts}; booklet editions of the session: "
            f"{scaleout.booklet_count(session)}; tasks still RUNNING: {running}; part claims "
            f"left: {PartClaim.objects.count()}"
        )
        print("stuck_jobs at the end:", manage(stack.env, "stuck_jobs").strip())
    finally:
        stack.stop()


# the database goes away -------------------------------------------------------------------


def start_proxy(target_port):
    command = [sys.executable, str(HERE / "tcp_proxy.py"), str(PROXY_PORT), "127.0.0.1"]
    process = subprocess.Popen(command + [str(target_port)], start_new_session=True)
    time.sleep(0.5)
    return process


async def readers_and_health(base, urls, seconds, events, rows, health):
    """Visitors for `seconds` and /healthz every second; the events (at second: callable)
    run in a thread at their time."""
    started = time.monotonic()
    until = started + seconds

    async def visitor(n):
        import random

        rng = random.Random(n)
        options = load_reports.CLIENT_OPTIONS
        async with httpx.AsyncClient(base_url=base, timeout=30, **options) as client:
            while time.monotonic() < until:
                url = rng.choice(urls)[1]
                start = time.perf_counter()
                try:
                    status = (await client.get(url)).status_code
                except httpx.HTTPError:
                    status = -1
                rows.append((time.monotonic() - started, time.perf_counter() - start, status))
                await asyncio.sleep(0.1)

    async def healthz():
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < until:
                start = time.perf_counter()
                try:
                    response = await client.get(f"http://127.0.0.1:{HTTP_PORT}/healthz")
                    status, body = response.status_code, response.text
                except httpx.HTTPError as error:
                    status, body = -1, str(error)
                health.append(
                    (time.monotonic() - started, time.perf_counter() - start, status, body)
                )
                await asyncio.sleep(1)

    async def timeline():
        for at, action in sorted(events):
            await asyncio.sleep(max(0, started + at - time.monotonic()))
            await asyncio.to_thread(action)

    await asyncio.gather(*(visitor(n) for n in range(10)), healthz(), timeline())


def case_db(out):
    from budgets.models import BudgetLine
    from departments.models import ImportJob

    url = os.environ["DATABASE_URL"]
    target = int(url.rsplit(":", 1)[1].split("/")[0])
    proxy = {"process": start_proxy(target)}
    env = os.environ | {"DATABASE_URL": url.replace(f":{target}/", f":{PROXY_PORT}/")}
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]  # the stack copies os.environ
    stack = Stack(out, worker_ids=True)
    load_reports.CLIENT_OPTIONS.update(verify=False)
    urls = [u for u in load_reports.pages() if not u[2]]
    os.environ["DATABASE_URL"] = url
    marks = {}
    serial = int(time.time()) % 30_000

    def cut():
        # A 5,000-row import queued now, and the database cut while it is being saved (the
        # second half of its progress), when the check sees it there in time.
        job = scaleout.start_import(serial, rows=5000)
        marks["import"] = job.pk
        for _ in range(600):
            job = ImportJob.objects.get(pk=marks["import"])
            if job.status != "queued" and (job.percent >= 50 or job.status != "running"):
                break
            time.sleep(0.02)
        marks["import at cut"] = (job.status, job.percent, job.current)
        marks["cut"] = time.monotonic()
        proxy["process"].kill()  # SIGKILL: every connection through it drops
        proxy["process"].wait()

    def restore():
        marks["restored"] = time.monotonic()  # the proxy listens about 0.5 s later
        proxy["process"] = start_proxy(target)

    rows, health = [], []
    try:
        stack.start()
        started = time.monotonic()
        events = [(15, cut), (40, restore)]
        asyncio.run(readers_and_health(stack.base, urls, 70, events, rows, health))
        cut_at, back_at = marks["cut"] - started, marks["restored"] - started
        print(
            f"database cut at {cut_at:.1f} s, back at {back_at:.1f} s (import then: "
            f"{marks['import at cut']})"
        )
        for name, part in (
            ("before", [r for r in rows if r[0] < cut_at]),
            ("during", [r for r in rows if cut_at + 1 <= r[0] < back_at]),
            ("after", [r for r in rows if r[0] >= back_at + 5]),
        ):
            if not part:
                continue
            codes = {}
            for _t, _took, status in part:
                codes[status] = codes.get(status, 0) + 1
            times = [took * 1000 for _t, took, _s in part]
            print(
                f"{name}: {len(part)} requests {codes}, p50 {statistics.median(times):.0f} ms, "
                f"p95 {load_reports.percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms"
            )
        recovered = next((r[0] - back_at for r in rows if r[0] >= back_at and r[2] == 200), None)
        print(f"first page answered 200 {recovered:.1f} s after the database came back")
        for at, took, status, body in health:
            if cut_at - 2 <= at <= back_at + 6:
                print(f"  healthz at {at:5.1f} s: {status} in {took * 1000:.0f} ms {body[:150]}")
        alive = {n: p.poll() is None for n, p in stack.workers.items()}
        print("workers alive after the outage:", alive)
        for n, process in list(stack.workers.items()):
            if process.poll() is not None:
                stack.start_worker(n + 10)  # systemd's Restart=always
        job = ImportJob.objects.get(pk=marks["import"])
        year = 2100 + serial % 30_000
        print(
            f"import after the outage: {job.status}, {job.error[:120]!r}; lines of its year: "
            f"{BudgetLine.objects.filter(year=year).count()}"
        )
        until = time.monotonic() + 240
        while job.status not in ("done", "failed") and time.monotonic() < until:
            # As the timer runs it, but a minute without progress counts as stuck here (a
            # worker that lived through the outage still beats; the default is 5 minutes).
            said = manage(stack.env, "stuck_jobs", "--requeue", "--stale-after", "60").strip()
            if said:
                print("stuck_jobs --requeue:", said[:300])
            time.sleep(10)
            job.refresh_from_db()
        lines = BudgetLine.objects.filter(year=year).count()
        print(
            f"import at the end: {job.status}, attempts {job.attempts}, added {job.added}; "
            f"lines of its year: {lines} (of 5000)"
        )
    finally:
        stack.stop()
        if proxy["process"].poll() is None:
            proxy["process"].kill()
            proxy["process"].wait()


# the media disk fills up -----------------------------------------------------------------


def case_disk(out):
    from django.conf import settings

    from reports_site import editions, files, health
    from reports_site.models import Briefing, Edition

    media = Path(settings.MEDIA_ROOT)
    filler = media / "filler.bin"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 2**20)
                handle.flush()
        except OSError:
            pass
    stat = os.statvfs(media)
    print(
        f"media on a {stat.f_blocks * stat.f_frsize // 2**20} MB tmpfs, "
        f"{stat.f_bavail * stat.f_frsize} bytes free"
    )
    print("healthz checks:", health.run_checks())
    session = scaleout.newest_session()
    # A briefing changed since its edition (its title corrected), so publishing renders and
    # stores a new edition.
    briefing = (
        Briefing.objects.filter(session=session, department__code__startswith="SYN-D")
        .select_related("session", "department")
        .order_by("department__code")
        .first()
    )
    briefing.title = f"{briefing.title} (수정 {int(time.time())})"
    briefing.save(update_fields=["title"])
    before = Edition.objects.count()
    try:
        editions.publish(briefing)
        print("publish: no error?")
    except Exception as error:
        said = files.disk_full_message() if files.disk_full(error) else repr(error)
        print(
            f"publish {briefing.department.code} {briefing.session}: {type(error).__name__} "
            f"errno {getattr(error, 'errno', None)} → the clerk reads: {said}"
        )
    briefing.refresh_from_db()
    left = [p.name for p in media.rglob("*") if p.is_file() and p != filler]
    print(f"editions {before} → {Edition.objects.count()}; briefing status {briefing.status}; "
          f"files in media besides the filler: {left}")  # fmt: skip
    stack = Stack(out, web_ports=(), nginx=False)
    try:
        stack.start()
        job = scaleout.cold_booklet(session)
        status = scaleout.wait_done(job, timeout=300)
        job.refresh_from_db()
        print(
            f"booklet in a worker: {status}, error shown on the booklet page: {job.error!r}; "
            f"booklet editions: {scaleout.booklet_count(session)}"
        )
        left = [p.name for p in media.rglob("*") if p.is_file() and p != filler]
        print(f"files in media besides the filler: {left}")
        filler.unlink()
        print("space again; healthz checks:", health.run_checks())
        edition = editions.publish(briefing)
        print(
            f"publish again: edition {edition.number}, {edition.pages} pages, "
            f"{edition.pdf.size} bytes"
        )
        job = scaleout.cold_booklet(session)
        status = scaleout.wait_done(job, timeout=600)
        print(f"booklet again: {status}; booklet editions: {scaleout.booklet_count(session)}")
    finally:
        stack.stop()


CASES = {"kill": case_kill, "db": case_db, "disk": case_disk}


def main():
    names = sys.argv[1:] or list(CASES)
    if os.environ.get("FAULT_CASE"):
        load_reports.setup_django()
        name = os.environ["FAULT_CASE"]
        CASES[name](Path(os.environ["FAULT_OUT"]))
        return
    for name in names:
        out = Path(f"/tmp/faults-{name}-{int(time.time())}")
        out.mkdir(parents=True)
        env = os.environ | {"FAULT_CASE": name, "FAULT_OUT": str(out)}
        mount = None
        if name == "disk":
            mount = out / "media"
            mount.mkdir()
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)])
            if done.returncode:
                print("disk: cannot mount a tmpfs here; case skipped")
                continue
            env["MEDIA_ROOT"] = str(mount)
        print(f"\n=== {name} ({time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.2f})",
              flush=True)  # fmt: skip
        try:
            subprocess.run([sys.executable, __file__], env=env, check=False)
        finally:
            if mount:
                subprocess.run(["umount", str(mount)])


if __name__ == "__main__":
    main()
