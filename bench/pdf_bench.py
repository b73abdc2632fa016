"""Benchmark of the council-briefing PDF: the session booklet against headless Chromium, with
one and two background workers; one department, the booklet after an edit, re-downloads.

    uv run python bench/pdf_bench.py [--departments 60] [--runs 3]      # the comparison
    uv run python bench/pdf_bench.py --only departments --runs 5       # one department
    uv run python bench/pdf_bench.py --only rest                       # edit, re-download

Builds its own database in a temporary folder (the demo data plus `manage.py synth`), so it
never touches yours. Every case runs in a fresh process, so peak memory (max RSS) is that
case's alone. Prints a Markdown table; docs/performance.md keeps the last results.

Cases of the comparison, A/B interleaved (each round runs every case once, in turn, so a
change in the machine's load falls on all of them alike):
- product: `briefing_pdf --session` in the foreground (a render process per core), cold (no
  cached part) then warm (every part cached: the front, overlay and merge only).
- chromium: /usr/bin/chromium --headless --print-to-pdf of the same booklet HTML (every
  department's part under the same stylesheets), cold (first launch) then warm (again).
- workers 1 / 2: the booklet job in the background with one and with two `manage.py
  db_worker` processes (cold, then warm: the booklet made again from the cached parts).
Wall and CPU time (the case's process and all its children), pages, the largest process's
peak memory, and the load average while the case ran.
Other cases:
- demo / synthetic department: one department's PDF rendered from its data, cache off.
- booklet after one edit: one department's figure changed, the booklet made again.
- re-download: GET of a published edition's PDF through Django (served from storage).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WORKER = ["db_worker", "--no-reload", "--interval", "0.1"]


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reports_site.settings")
    import django

    django.setup()


def peak_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own), round(workers)


# Cases, each run in its own process -------------------------------------------------------


def cold():
    """Forget every rendered part, so the case renders everything."""
    from reports_site.models import RenderedPart

    RenderedPart.objects.all().delete()


def synthetic_session():
    from reports_site.models import CouncilSession

    return CouncilSession.objects.filter(council__startswith="합성").order_by("-starts_on")[0]


def case_department(which):
    from reports_site import pdf
    from reports_site.models import Briefing
    from reports_site.report import build_report

    if which == "demo":
        briefing = Briefing.objects.get(session__number=261, department__code="YDP-GA")
    else:
        briefing = synthetic_session().briefings.order_by("department__order")[0]
    data = build_report(briefing)
    pdf.briefing_pdf(data)  # load WeasyPrint and the fonts once, as a running server has
    times = []
    for _ in range(3):
        cold()
        started = time.perf_counter()
        document, _pages = pdf.briefing_pdf(data)
        times.append(time.perf_counter() - started)
    return {"seconds": statistics.median(times), "pages": _count(document)}


def case_booklet():
    from reports_site import editions, pdf

    session = synthetic_session()
    reports = editions.booklet_reports(session)
    cold()
    started = time.perf_counter()
    document, _pages = pdf.booklet_pdf(session, reports)
    seconds = time.perf_counter() - started
    own, workers = peak_mb()
    return {
        "seconds": seconds,
        "pages": _count(document),
        "departments": len(reports),
        "peak_mb": own,
        "worker_peak_mb": workers,
    }


def case_naive():
    """The peer: every part's HTML in one document, one WeasyPrint pass, no parallelism."""
    from django.template.loader import render_to_string

    from reports_site import editions, pdf

    session = synthetic_session()
    reports = editions.booklet_reports(session)
    body = "".join(
        render_to_string("reports/part.html", {"report": r, "pdf": True}) for r in reports
    )
    html = f'<!DOCTYPE html><html lang="ko"><body class="pdf">{body}</body></html>'
    started = time.perf_counter()
    document = pdf._render(html).write_pdf()
    seconds = time.perf_counter() - started
    own, _workers = peak_mb()
    return {"seconds": seconds, "pages": _count(document), "peak_mb": own}


def case_publish_then_edit():
    """Publish the booklet (cold), edit one department's figure, publish again."""
    from budgets.models import BudgetSnapshot
    from reports_site import editions

    session = synthetic_session()
    cold()
    started = time.perf_counter()
    editions.publish_booklet(session)
    full = time.perf_counter() - started
    first = session.briefings.order_by("department__order")[0]
    snapshot = BudgetSnapshot.objects.filter(line__department=first.department).latest("as_of")
    BudgetSnapshot.objects.filter(pk=snapshot.pk).update(executed=snapshot.executed + 1)
    started = time.perf_counter()
    editions.publish_booklet(session)
    again = time.perf_counter() - started
    started = time.perf_counter()
    editions.publish_booklet(session)
    unchanged = time.perf_counter() - started
    return {"full": full, "after_edit": again, "unchanged": unchanged}


def case_redownload():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from reports_site import editions

    session = synthetic_session()
    session.editions.all().delete()  # earlier cases stored theirs in other media folders
    edition = editions.publish_booklet(session)
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("admin:reports_site_booklet_pdf", args=[session.pk, edition.number])
    times = []
    for _ in range(21):
        started = time.perf_counter()
        response = client.get(url)
        size = len(b"".join(response.streaming_content))
        times.append(time.perf_counter() - started)
    return {"median_ms": statistics.median(times) * 1000, "bytes": size}


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class ProcessTree(threading.Thread):
    """Samples a process and its descendants (every 0.1 s, from /proc): their CPU time, the
    largest one's peak memory and the most they held at once. For programs whose children
    rusage cannot see (Chromium's zygote) and for long-running workers."""

    def __init__(self, *roots):
        super().__init__(daemon=True)
        self.roots, self.cpu, self.largest, self.together = set(roots), {}, 0, 0
        self.running = True
        self.start()

    def sample(self):
        ticks, parents, stats = os.sysconf("SC_CLK_TCK"), {}, {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{name}/status") as status:
                    memory = {
                        line.split(":")[0]: int(line.split()[1]) // 1024
                        for line in status
                        if line.startswith(("VmHWM", "VmRSS"))
                    }
            except (OSError, IndexError, ValueError):
                continue
            pid = int(name)
            parents[pid] = int(fields[1])
            stats[pid] = ((int(fields[11]) + int(fields[12])) / ticks, memory)
        tree = set(self.roots) & set(stats)
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        together = 0
        for pid in tree:
            cpu, memory = stats[pid]
            self.cpu[pid] = max(self.cpu.get(pid, 0), cpu)
            self.largest = max(self.largest, memory.get("VmHWM", 0))
            together += memory.get("VmRSS", 0)
        self.together = max(self.together, together)

    def run(self):
        while self.running:
            self.sample()
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join()
        self.sample()
        return sum(self.cpu.values())


def case_product():
    """briefing_pdf --session, cold then warm, in the foreground."""
    from reports_site import editions, pdf

    session = synthetic_session()
    reports = editions.booklet_reports(session)
    pdf.render_part(reports[0])  # load WeasyPrint and the fonts, as the command does too
    cold()
    tree = ProcessTree(os.getpid())
    cpu, started = _cpu(), time.perf_counter()
    document, _pages = pdf.booklet_pdf(session, reports)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    tree.stop()
    own, workers = peak_mb()
    warm_cpu, started = _cpu(), time.perf_counter()
    pdf.booklet_pdf(session, reports)
    warm, warm_cpu = time.perf_counter() - started, _cpu() - warm_cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "warm": warm,
        "warm_cpu": warm_cpu,
        "pages": _count(document),
        "departments": len(reports),
        "peak_mb": max(own, workers),
        "together_mb": tree.together,
    }


def booklet_html():
    """The booklet's HTML as one document, for a browser: every part, the same stylesheets."""
    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string
    from django.utils import translation

    from reports_site import editions, pdf

    session = synthetic_session()
    with translation.override("ko"):
        body = "".join(
            render_to_string("reports/part.html", {"report": r, "pdf": True})
            for r in editions.booklet_reports(session)
        )
    links = "".join(
        f'<link rel="stylesheet" href="file://{finders.find(name)}">' for name in pdf.STYLESHEETS
    )
    return (
        f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">{links}</head>'
        f'<body class="pdf">{body}</body></html>'
    )


def case_chromium():
    """Headless Chromium printing the booklet HTML: cold (first launch), then warm."""
    folder = Path(tempfile.mkdtemp(prefix="chromium-"))
    page = folder / "booklet.html"
    page.write_text(booklet_html(), encoding="utf-8")
    results = []
    for _ in range(2):
        out = folder / "booklet.pdf"
        command = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        started = time.perf_counter()
        browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tree = ProcessTree(browser.pid)
        if browser.wait():
            sys.exit(f"chromium failed: {browser.returncode}")
        seconds = time.perf_counter() - started
        results.append((seconds, tree.stop(), tree.largest, tree.together))
    return {
        "seconds": results[0][0],
        "cpu": results[0][1],
        "warm": results[1][0],
        "warm_cpu": results[1][1],
        "pages": _count(out.read_bytes()),
        "peak_mb": results[0][2],
        "together_mb": results[0][3],
    }


def _job_done(job, timeout=1800):
    from reports_site.models import BookletJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == BookletJob.Status.DONE:
            return
        if job.status == BookletJob.Status.FAILED:
            sys.exit(f"the booklet job failed: {job.error}")
        time.sleep(0.1)
    sys.exit("the booklet job never ended")


def case_workers(count):
    """The booklet made in the background by `count` db_worker processes (cold, then warm)."""
    from reports_site import tasks
    from reports_site.models import BookletJob

    session = synthetic_session()
    session.editions.filter(briefing=None).delete()  # no stored booklet to return
    BookletJob.objects.all().delete()
    cold()
    workers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *WORKER],
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        time.sleep(3)  # the workers have started (Django loaded), as in production
        tree = ProcessTree(*(w.pid for w in workers))
        time.sleep(0.3)
        base = sum(tree.cpu.values())
        results = []
        for _ in range(2):
            started = time.perf_counter()
            job = tasks.start_booklet(session)
            _job_done(job)
            results.append(time.perf_counter() - started)
            if not results[1:]:
                cold_cpu = sum(tree.cpu.values()) - base
            session.editions.filter(briefing=None).delete()  # warm: parts cached, made again
        tree.stop()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
    return {
        "seconds": results[0],
        "warm": results[1],
        "cpu": cold_cpu,
        "peak_mb": tree.largest,
        "together_mb": tree.together,
    }


CASES = {
    "demo": lambda: case_department("demo"),
    "synthetic": lambda: case_department("synthetic"),
    "booklet": case_booklet,
    "product": case_product,
    "chromium": case_chromium,
    "workers1": lambda: case_workers(1),
    "workers2": lambda: case_workers(2),
    "naive": case_naive,
    "edit": case_publish_then_edit,
    "redownload": case_redownload,
}


def _count(document):
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(document)).pages)


class Rows:
    """Prints each result row as soon as it is known."""

    def append(self, row):
        print("| " + " | ".join(row) + " |", flush=True)


# The driver --------------------------------------------------------------------------------


def run_case(name, env):
    out = subprocess.run(
        [sys.executable, __file__, "--case", name], env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"case {name} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = os.getloadavg()[0]  # the 1-minute load average as the case ended
    return result


def manage(env, *args):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def case_freeze():
    """An edition for each published briefing without one (synth publishes none): what a
    booklet is made of, without rendering anything."""
    from reports_site.models import Briefing, Edition
    from reports_site.report import build_report, content_hash

    made = 0
    for briefing in Briefing.objects.filter(status="published", editions__isnull=True):
        data = build_report(briefing)
        Edition.objects.create(
            session=briefing.session,
            briefing=briefing,
            number=1,
            data=data,
            content_hash=content_hash(data),
            pdf="",
            pdf_hash="",
            pages=0,
            page_map={},
        )
        made += 1
    return {"editions": made}


CASES["freeze"] = case_freeze
COMPARED = ["product", "chromium", "workers1", "workers2"]


def median(rounds, case, key):
    return statistics.median(r[case][key] for r in rounds)


def compare(args, env, folder):
    print(f"machine: {os.cpu_count()} cores; load average before: {os.getloadavg()}", flush=True)
    rounds = []
    for number in range(args.runs):
        order = args.cases[number % len(args.cases) :] + args.cases[: number % len(args.cases)]
        row = {}
        for name in order:
            env["MEDIA_ROOT"] = tempfile.mkdtemp(dir=folder)  # no cached parts
            row[name] = run_case(name, env)
        rounds.append(row)
        print(f"round {number + 1}: " + json.dumps(row), flush=True)
    loads = [r[name]["load"] for r in rounds for name in args.cases]
    print(
        f"\n{args.runs} rounds, A/B interleaved; load average (1 min) at the end of the cases: "
        f"median {statistics.median(loads):.1f}, {min(loads):.1f}–{max(loads):.1f} "
        f"on {os.cpu_count()} cores\n"
    )
    print(
        f"| case | cold, median of {args.runs} | warm | CPU cold | pages "
        "| largest process MB | all processes MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    labels = {
        "product": "product, briefing_pdf --session",
        "chromium": "headless Chromium, same HTML",
        "workers1": "product, background, 1 worker",
        "workers2": "product, background, 2 workers",
    }
    for name in args.cases:
        pages = rounds[0][name].get("pages", "")
        print(
            f"| {labels[name]} | {median(rounds, name, 'seconds'):.1f} s | "
            f"{median(rounds, name, 'warm'):.1f} s | {median(rounds, name, 'cpu'):.1f} s | "
            f"{pages} | {max(r[name]['peak_mb'] for r in rounds)} | "
            f"{max(r[name].get('together_mb', 0) for r in rounds) or '–'} |"
        )

    def ratio(label, a, b):  # the median of the ratios of each round (paired)
        if a in args.cases and b in args.cases:
            for key in ("seconds", "warm"):
                value = statistics.median(r[a][key] / r[b][key] for r in rounds)
                print(f"- {label}, {'cold' if key == 'seconds' else 'warm'}: {value:.2f}")

    print()
    ratio("product / Chromium", "product", "chromium")
    ratio("1 worker / Chromium", "workers1", "chromium")
    ratio("2 workers / Chromium", "workers2", "chromium")
    ratio("2 workers' speed-up over 1 (1 worker / 2 workers)", "workers1", "workers2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case")
    parser.add_argument(
        "--only",
        choices=["compare", "departments", "rest"],
        default="compare",
        help="compare: the booklet against Chromium and with 1 and 2 workers (default); "
        "departments: one department; rest: edit, unchanged, re-download",
    )
    parser.add_argument(
        "--cases", nargs="+", choices=COMPARED, default=COMPARED, help="of the comparison"
    )
    parser.add_argument("--database", help="a bench database made before (kept, not rebuilt)")
    args = parser.parse_args()
    if args.case:
        setup_django()
        print(json.dumps(CASES[args.case]()))
        return

    folder = tempfile.mkdtemp(prefix="briefing-bench-")
    database = args.database or f"{folder}/bench.sqlite3"
    env = os.environ | {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{database}"),
        "MEDIA_ROOT": f"{folder}/media",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
    if not (args.database and Path(args.database).exists()):
        manage(env, "demo", "--no-serve", "--no-publish")
        manage(env, "synth", "--departments", str(args.departments), "--years", "2")
    manage(env, "migrate", "-v0")
    run_case("freeze", env)
    if args.only == "compare":
        compare(args, env, folder)
        return

    def medians(name, key="seconds"):
        results = []
        for _ in range(args.runs):
            env["MEDIA_ROOT"] = tempfile.mkdtemp(dir=folder)  # no cached parts
            results.append(run_case(name, env))
        return statistics.median(r[key] for r in results), results[-1]

    print(f"| case | median of {args.runs} | notes |\n| --- | --- | --- |", flush=True)
    rows = Rows()
    if args.only == "departments":
        for name, label in [
            ("demo", "demo department (총무과)"),
            ("synthetic", "synthetic department"),
        ]:
            seconds, last = medians(name)
            rows.append((label, f"{seconds:.2f} s", f"{last['pages']} pages"))
        return
    edit = [
        run_case("edit", env | {"MEDIA_ROOT": tempfile.mkdtemp(dir=folder)})
        for _ in range(max(1, args.runs // 2))
    ]
    after = statistics.median(e["after_edit"] for e in edit)
    full = statistics.median(e["full"] for e in edit)
    rows.append(
        (
            "booklet after one department's edit",
            f"{after:.1f} s",
            f"{after / full:.2f} of the full {full:.1f} s",
        )
    )
    unchanged = statistics.median(e["unchanged"] for e in edit)
    rows.append(("booklet, nothing changed", f"{unchanged * 1000:.0f} ms", "served from storage"))
    download = run_case("redownload", env)
    rows.append(
        (
            "re-download of a published booklet",
            f"{download['median_ms']:.0f} ms",
            f"median of 21; {download['bytes']:,} bytes",
        )
    )


if __name__ == "__main__":
    main()
