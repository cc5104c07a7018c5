"""Profile the pages `make bench` measures, in-process: where a page's time goes.

Each page and document (scripts/bench.py READS and DOCUMENTS, signed in as the role that lives on it) is rendered N times with
Django's test client on a demo database, under cProfile; printed per page: milliseconds per request
(a run without the profiler), SQL queries per request, and the top functions by own time and by
cumulative time (Houqin's code only for the latter). A measuring tool, not a test.

    HOUQIN_DATA_DIR=/tmp/houqin-profile .venv/bin/python scripts/profile_pages.py --build   # once: a demo
    HOUQIN_DATA_DIR=/tmp/houqin-profile .venv/bin/python scripts/profile_pages.py [-n 20] [--top 20] [LABEL ...]

LABEL: parts of the bench labels (e.g. 园长首页 区域对比); none: every page. --summary: the table only.
The settings are production's (DEBUG off) with two-step sign-in off, as `make bench` serves them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HOUQIN_DEBUG", "0")
    os.environ.setdefault("HOUQIN_HTTPS", "0")
    os.environ["HOUQIN_2FA_ROLES"] = ""  # as make bench: the password form signs in
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    import django

    django.setup()


def _build() -> None:
    from django.core.management import call_command

    from houqin.org import demo

    call_command("migrate_fresh", verbosity=0)
    started = time.perf_counter()
    result = demo.build_demo()
    print(f"demo {'built' if result['created'] else 'already there'} in {time.perf_counter() - started:.0f} s")


def _client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def profile_page(label: str, user: str, path: str, n: int, top: int, summary: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(user)
    response = client.get(path)  # warm: templates compiled, caches filled as a running worker has them
    if response.status_code != 200:
        print(f"{label}: {path} answered HTTP {response.status_code}")
        return {"label": label, "status": response.status_code}
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    captured = list(queries.captured_queries)  # now: the next request clears the connection's log
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    result = {"label": label, "user": user, "path": path, "ms": times[len(times) // 2], "min": times[0],
              "queries": len(captured), "bytes": len(response.content)}
    if summary:
        return result
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(path)
    profiler.disable()
    print(f"\n=== {label} ({user}) {path}: median {result['ms']:.1f} ms, min {result['min']:.1f} ms, "
          f"{result['queries']} queries, {result['bytes'] / 1024:.0f} KiB")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(_trim(out.getvalue(), "own time", n))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"houqin/", top)
    print(_trim(out.getvalue(), "cumulative, Houqin's code", n))
    if os.environ.get("PROFILE_SQL"):
        for q in captured:
            print("   ", q["sql"][:200])
    return result


def _trim(text: str, title: str, n: int) -> str:
    """pstats' table without its preamble, the path prefix shortened."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    body = [line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/lib/", "") for line in lines[start:] if line.strip()]
    return f"--- top by {title} (over {n} requests)\n" + "\n".join(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="*")
    parser.add_argument("-n", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--summary", action="store_true", help="only the table of times and queries")
    parser.add_argument("--build", action="store_true", help="build the demo in HOUQIN_DATA_DIR first")
    args = parser.parse_args()
    if not os.environ.get("HOUQIN_DATA_DIR"):
        sys.exit("set HOUQIN_DATA_DIR to a folder of its own (the demo database is built or read there)")
    _setup()
    if args.build:
        _build()
    import bench  # scripts/bench.py: the same pages and the same demo rows

    from houqin.org.models import Kindergarten

    if not Kindergarten.objects.filter(slug=bench.DEMO).exists():
        sys.exit(f"no demo in {os.environ['HOUQIN_DATA_DIR']}: run with --build once")
    rows = bench._demo_rows()
    results = []
    for label, user, name, keys in bench.READS + bench.DOCUMENTS:
        if args.labels and not any(w in label for w in args.labels):
            continue
        path = bench._path(rows, name, keys)
        if path is not None:
            results.append(profile_page(label, user, path, args.n, args.top, args.summary))
    print(f"\n{'page':<24} {'role':<12} {'ms/req':>8} {'min ms':>8} {'queries':>8}")
    for r in results:
        if "ms" in r:
            print(f"{r['label']:<24} {r['user']:<12} {r['ms']:8.1f} {r['min']:8.1f} {r['queries']:8d}")


if __name__ == "__main__":
    main()
