"""Load test of the report pages: gunicorn and PostgreSQL on loopback, concurrent readers.

    createdb -h 127.0.0.1 -U postgres briefing_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/briefing_bench
    uv run python bench/load_reports.py --prepare   # migrate, synth 60 × 10, publish (once)
    uv run python bench/load_reports.py --users 20 --seconds 60 --think 0
    uv run python bench/load_reports.py --users 20 --seconds 60 --think 2

It starts gunicorn itself (DEBUG off), lets each simulated reader fetch report pages in a
loop (a visitor's mix of pages; one reader in four signed in as a council member, who also
opens quarter pages and program histories), waits `--think` seconds on average between a
reader's pages (0: as fast as the server answers), and prints requests per second and
latency percentiles per page type as a Markdown table for docs/performance.md.
"""

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MEMBER, PASSWORD = "bench_member", "bench-member-password"
# More httpx.AsyncClient options (bench/scaleout.py: HTTPS through nginx, a Referer).
CLIENT_OPTIONS = {}


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reports_site.settings")
    import django

    django.setup()


def prepare(departments, years):
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from departments.access import Role

    call_command("migrate", interactive=False, verbosity=0)
    call_command("synth", "--departments", departments, "--years", years)
    publish_last_session()
    user, _ = User.objects.get_or_create(username=MEMBER)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=Role.COUNCIL))


def publish_last_session():
    """Editions (frozen data and PDF) of the newest session's briefings, then its booklet
    (made of those editions, reusing their rendered parts), as publishing leaves them in
    production."""
    from reports_site import editions
    from reports_site.models import Briefing, CouncilSession

    session = CouncilSession.objects.filter(briefings__department__code__startswith="SYN-")
    session = session.latest("starts_on")
    started = time.monotonic()
    # The departments' editions first: a booklet is made of published editions.
    for briefing in Briefing.objects.filter(session=session).select_related("session"):
        editions.publish(briefing)
    editions.publish_booklet(session)
    print(f"published {session}: {time.monotonic() - started:.0f} s")


def pages():
    """[(page type, url, signed in only)] over the synthetic district."""
    from django.urls import reverse

    from departments.models import Department
    from programs.models import Program
    from reports_site.models import Briefing

    briefings = list(
        Briefing.objects.filter(department__code__startswith="SYN-", status="published")
        .select_related("department")
        .order_by("-session__starts_on", "department__code")
    )
    if not briefings:
        raise SystemExit("no synthetic briefings: run with --prepare first")
    session = briefings[0].session_id
    divisions = Department.objects.filter(code__startswith="SYN-D", kind="division")
    year = briefings[0].as_of.year
    found = [
        ("home", reverse("council:home"), False),
        ("session", reverse("council:session", args=[session]), False),
        ("departments", reverse("council:departments"), False),
        ("search", reverse("council:search") + "?q=현장 점검", False),
        ("periods", reverse("council:periods"), True),
        ("period", reverse("council:period", args=[year, 1]), True),
    ]
    for briefing in briefings[:60]:
        code = briefing.department.code
        found.append(("briefing", reverse("council:briefing", args=[session, code]), False))
        for kind in ("general", "programs", "new_programs"):
            url = reverse("council:briefing_section", args=[session, code, kind])
            found.append((f"section {kind}", url, False))
        found.append(("department", reverse("council:department", args=[code]), False))
        url = reverse("council:period_section", args=[year, 1, code, "general"])
        found.append(("period general", url, True))
    for code, kind, order in Program.objects.filter(department__in=divisions, year=year - 1)[
        :60
    ].values_list("department__code", "kind", "order"):
        url = reverse("council:program", args=[code, year - 1, kind, order])
        found.append(("program history", url, True))
    return found


def start_server(port, workers, threads, root=ROOT):
    env = os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        # Plain HTTP on loopback: with DEBUG off every page would otherwise be a redirect.
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),
    }
    # As in production: with DEBUG off the pages name the hashed static files.
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, cwd=root, env=env, check=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "reports_site.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)  # the process group this script started
    server.wait(timeout=30)


async def sign_in(client):
    page = await client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    response = await client.post(
        "/login/", data={"username": MEMBER, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    if "sessionid" not in client.cookies:
        raise SystemExit(f"login failed: {response.status_code}")


async def reader(base, member, urls, until, think, results, rng):
    async with httpx.AsyncClient(base_url=base, timeout=30, **CLIENT_OPTIONS) as client:
        if member:
            await sign_in(client)
        mine = [u for u in urls if member or not u[2]]
        while time.monotonic() < until:
            kind, url, _ = rng.choice(mine)
            start = time.perf_counter()
            response = await client.get(url)
            results[kind].append((time.perf_counter() - start, response.status_code))
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))


async def warm(base, urls, passes, users):
    """Every page fetched `passes` times (at least once per worker, most likely), so the
    measurement sees each worker's cache of published editions warm, as in production."""
    queue = [url for _kind, url, signed_in in urls if not signed_in] * passes
    async with httpx.AsyncClient(base_url=base, timeout=60, **CLIENT_OPTIONS) as client:

        async def fetch():
            while queue:
                await client.get(queue.pop())

        await asyncio.gather(*(fetch() for _ in range(users)))


def tree_cpu(pid):
    """CPU seconds used so far by the process and its children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


async def run(base, users, seconds, warm_passes, think, urls, server=None, cpu=None):
    await warm(base, urls, warm_passes, users)
    if server is not None:
        cpu["start"] = tree_cpu(server.pid)
    rng = random.Random(1)
    results = defaultdict(list)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(reader(base, i % 4 == 3, urls, until, think, results, rng) for i in range(users))
    )
    if server is not None:
        cpu["end"] = tree_cpu(server.pid)
    return results


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def table(results, seconds):
    """{page kind: [(seconds, status)]} as a Markdown table, a row per kind and one of all."""
    lines = [
        "| page | requests | req/s | p50 ms | p95 ms | max ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups = sorted(results.items()) + [("**all**", [r for rows in results.values() for r in rows])]
    for kind, rows in groups:
        times = [t * 1000 for t, _ in rows]
        errors = sum(1 for _, status in rows if status != 200)  # a redirect is no page either
        lines.append(
            f"| {kind} | {len(rows)} | {len(rows) / seconds:.1f} | "
            f"{statistics.median(times):.0f} | {percentile(times, 0.95):.0f} | "
            f"{max(times):.0f} | {errors} |"
        )
    return "\n".join(lines)


def report(results, seconds):
    print(table(results, seconds))
    every = [t for rows in results.values() for t, _ in rows]
    return len(every) / seconds, percentile([t * 1000 for t in every], 0.95)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prepare", action="store_true", help="migrate and build the data")
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--warm-passes", type=int, default=0, help="default: one per worker")
    parser.add_argument("--think", type=float, default=0, help="mean seconds between pages")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--app-root", default="", help="serve another checkout (A/B of two versions)"
    )
    parser.add_argument("--only", default="", help='one page type, e.g. "section programs"')
    parser.add_argument(
        "--only-urls",
        type=int,
        default=0,
        help="with --only: the first N of its pages (1: the ceiling)",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database")
    setup_django()
    if options.prepare:
        prepare(options.departments, options.years)
        return
    urls = pages()
    if options.only:
        urls = [u for u in urls if u[0] == options.only] or sys.exit(f"no page {options.only!r}")
        urls = urls[: options.only_urls or len(urls)]
    root = Path(options.app_root).resolve() if options.app_root else ROOT
    server = start_server(options.port, options.workers, options.threads, root)
    load = os.getloadavg()[0]
    client_cpu = time.process_time()
    server_cpu = {}
    try:
        results = asyncio.run(
            run(
                f"http://127.0.0.1:{options.port}",
                options.users,
                options.seconds,
                options.warm_passes or options.workers,
                options.think,
                urls,
                server,
                server_cpu,
            )
        )
        load_end = os.getloadavg()[0]
    finally:
        stop_server(server)
    print(
        f"\n{options.users} readers, think {options.think} s, {options.seconds} s, gunicorn "
        f"{options.workers} workers × {options.threads} threads, {os.cpu_count()} cores\n"
    )
    rate, p95 = report(results, options.seconds)
    client_cpu = time.process_time() - client_cpu
    print(
        f"\noverall: {rate:.1f} requests/s, p95 {p95:.0f} ms; the load generator itself "
        f"used {client_cpu:.0f} s of CPU (warm-up included); load average before: {load:.1f}, "
        f"at the end {load_end:.1f}"
    )
    requests = sum(len(rows) for rows in results.values())
    used = server_cpu["end"] - server_cpu["start"]
    print(
        f"gunicorn's CPU while measured: {used:.1f} s, {used / requests * 1000:.2f} ms per "
        "request (the app's own cost, whatever else the machine runs)"
    )


if __name__ == "__main__":
    main()
