"""Benchmark of the council-briefing PDF: one department, the session booklet, re-downloads.

    uv run python bench/pdf_bench.py [--departments 60] [--runs 5]

Builds its own database in a temporary folder (the demo data plus `manage.py synth`), so it
never touches yours. Every case runs in a fresh process, so peak memory (max RSS) is that
case's alone. Prints a Markdown table; docs/performance.md keeps the last results.

Cases:
- demo / synthetic department: one department's PDF rendered from its data, cache off.
- booklet: the whole session booklet, departments rendered in parallel and merged (cold:
  no cached part), against the naive peer: the same HTML rendered by WeasyPrint in one pass.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


CASES = {
    "demo": lambda: case_department("demo"),
    "synthetic": lambda: case_department("synthetic"),
    "booklet": case_booklet,
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
    return json.loads(out.stdout.strip().splitlines()[-1])


def manage(env, *args):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--case")
    parser.add_argument("--only", choices=["departments"], help="just the one-department cases")
    args = parser.parse_args()
    if args.case:
        setup_django()
        print(json.dumps(CASES[args.case]()))
        return

    folder = tempfile.mkdtemp(prefix="briefing-bench-")
    env = os.environ | {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"),
        "MEDIA_ROOT": f"{folder}/media",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
    manage(env, "demo", "--no-serve")
    manage(env, "synth", "--departments", str(args.departments), "--years", "2")

    def medians(name, key="seconds"):
        results = []
        for _ in range(args.runs):
            env["MEDIA_ROOT"] = tempfile.mkdtemp(dir=folder)  # no cached parts
            results.append(run_case(name, env))
        return statistics.median(r[key] for r in results), results[-1]

    print(f"| case | median of {args.runs} | notes |\n| --- | --- | --- |", flush=True)
    rows = Rows()
    for name, label in [
        ("demo", "demo department (총무과)"),
        ("synthetic", "synthetic department"),
    ]:
        seconds, last = medians(name)
        rows.append((label, f"{seconds:.2f} s", f"{last['pages']} pages"))
    if args.only:
        return
    booklet, last = medians("booklet")
    naive, peer = medians("naive")
    rows.append(
        (
            f"booklet, {last['departments']} departments, cold",
            f"{booklet:.1f} s",
            f"{last['pages']} pages; peak {last['peak_mb']} MB main + "
            f"{last['worker_peak_mb']} MB largest worker",
        )
    )
    rows.append(
        (
            "naive single pass (peer)",
            f"{naive:.1f} s",
            f"{peer['pages']} pages; peak {peer['peak_mb']} MB",
        )
    )
    rows.append(("booklet / naive", f"{booklet / naive:.2f}", "lower is better"))
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
