"""Where a report page's time goes: queries and a cProfile of warm requests, in-process.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/briefing_bench   # load_reports --prepare
    uv run python bench/profile_pages.py                 # every page type, 50 warm requests each
    uv run python bench/profile_pages.py --kind "section programs" --top 30

Each page type of bench/load_reports.py is fetched once (cold, to fill the cache), then
`--requests` times warm through Django's test client (DEBUG off, the settings' cache:
CACHE_URL's Redis when set), counting queries and the wall time per request; with
`--profile` (or `--kind`) the warm requests run under cProfile and the top functions by
cumulative time are printed.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import load_reports  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--kind", default="", help="only this page type (profiled)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    load_reports.setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    by_kind = {}
    for kind, url, signed_in in load_reports.pages():
        by_kind.setdefault((kind, signed_in), url)
    visitor, member = Client(), Client()
    from django.contrib.auth.models import User

    member.force_login(User.objects.get(username=load_reports.MEMBER))
    print("| page | queries | ms per request (median) |")
    print("| --- | ---: | ---: |")
    for (kind, signed_in), url in sorted(by_kind.items()):
        if options.kind and kind != options.kind:
            continue
        client = member if signed_in else visitor
        assert client.get(url).status_code == 200, url
        queries = []

        def count(run, sql, *args, queries=queries):
            queries.append(sql)
            return run(sql, *args)

        with connection.execute_wrapper(count):
            client.get(url)
        profile = cProfile.Profile() if options.profile or options.kind else None
        times = []
        for _ in range(options.requests):
            start = time.perf_counter()
            if profile:
                profile.enable()
            client.get(url)
            if profile:
                profile.disable()
            times.append((time.perf_counter() - start) * 1000)
        print(f"| {kind} | {len(queries)} | {statistics.median(times):.1f} |")
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(options.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
