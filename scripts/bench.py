"""The measuring half of `make bench` (scripts/bench.sh starts the server and calls this).

Signs in as each demo role through the login form (stdlib http.client: CSRF cookie and token from
/login/, then the session cookie), checks that every page answers 200 with its role's session and
every write succeeds once (counting the SQL queries of each in this process), then for each page
and write runs wrk (a warm-up, then the measured run, with a Lua `done` hook for p95) and prints
req/s, p50, p95, p99, the server's CPU per request, queries per request and the ratio to /healthz
against the goals; then times each document (PDFs, .docx, .xlsx), the first request included.

A benchmark, not a test: it exits non-zero only when it cannot measure (no login, a page not 200).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

DEMO = "demo"

# What `make bench` loads, each as the role that lives on it: (label, user, URL name, kwargs keys).
# Paths are resolved with the demo's own rows (resolve_targets), so they follow the demo wherever
# it is built. The user names are the demo logins (org.demo.LOGIN_ROLES; "district" is the supervisor).
READS = [
    ("园长首页", "principal", "home", {}),
    ("后勤主任首页", "director", "home", {}),
    ("晨检（班级）", "teacher", "health:check", {"code": "own_class"}),
    ("班级列表", "principal", "org:class_list", {}),
    ("幼儿名册", "principal", "org:child_list", {}),
    ("教职工", "principal", "org:staff_list", {}),
    ("本周食谱", "health", "canteen:menu_detail", {"code": "menu"}),
    ("食谱营养分析", "health", "canteen:menu_analysis", {"code": "menu"}),
    ("厨房今日", "canteen", "foodsafety:kitchen", {}),
    ("库存台账（一种物品）", "storekeeper", "stock:item_detail", {"code": "item"}),
    ("库存现存", "storekeeper", "stock:on_hand", {}),
    ("隐患列表", "director", "safety:hazard_list", {}),
    ("接送查找（拼音）", "guard", "safety:pickup_list", {"?": "q=yy"}),
    ("家长园地", "parent", "reports:family", {}),
    ("区域对比", "district", "reports:district_compare", {"district": "district"}),
    ("API 幼儿", "principal", "/api/k/{kg}/children", {}),
    ("API 班级", "principal", "/api/k/{kg}/classes", {}),
    ("API 隐患", "director", "/api/k/{kg}/safety/hazards", {}),
    ("API 通知", "parent", "/api/k/{kg}/notices", {}),
]
# The writes people do most, through the API (the same services and audit rows as the pages).
WRITES = ["morning_check", "visitor", "stock_issue", "hazard", "notice_read"]
# Documents: time per document, the first one of a fresh worker included.
DOCUMENTS = [
    ("食谱 PDF", "health", "canteen:menu_pdf", {"code": "menu"}),
    ("资产标签 PDF", "director", "assets:asset_labels", {}),
    ("学期总结 .docx", "director", "reports:summary_docx", {"code": "summary"}),
    ("学期总结 PDF", "director", "reports:summary_pdf", {"code": "summary"}),
    ("幼儿名册 .xlsx", "director", "org:roster_export_children", {}),
]
GOAL_READ_RATIO, GOAL_READ_P99_MS, GOAL_WRITE_RATIO, GOAL_DOC_S = 8.0, 150.0, 15.0, 1.5

LUA = """
done = function(summary, latency, requests)
  io.write(string.format(
    "HQ requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50=%d p95=%d p99=%d max=%d\\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def login(base: str, username: str, password: str) -> tuple[str, str]:
    """(sessionid, csrftoken) of `username`, signed in through the login form (Django rotates the
    CSRF token at sign-in: the new cookie is the one writes must send)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf_cookie = _cookies(response).get("csrftoken")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if response.status != 200 or not csrf_cookie or not match:
        sys.exit(f"GET /login/ gave HTTP {response.status} without a CSRF cookie and token")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1), "username": username,
                                   "password": password, "next": ""})
    conn.request("POST", "/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf_cookie}",
        "Origin": base,
        "Referer": base + "/login/",
    })
    response = conn.getresponse()
    response.read()
    cookies = _cookies(response)
    session = cookies.get("sessionid")
    conn.close()
    if response.status != 302 or not session:
        sys.exit(f"login as {username} failed: HTTP {response.status} (locked out, or no demo data?)")
    return session, cookies.get("csrftoken", csrf_cookie)


def status_of(base: str, path: str, session: str) -> int:
    url = urllib.parse.urlsplit(base)
    # long: after a run of a slow page the server first works off the requests wrk left queued
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=180)
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _tree_cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children (gunicorn's master and workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = {pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            pids.add(int(stat.parent.name))
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_until_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (at most max_wait s) until other processes use < threshold of a core; the busy cores seen last."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + max_wait
    while True:
        b0, _ = _machine_busy()
        time.sleep(1)
        b1, _ = _machine_busy()
        busy = (b1 - b0) / tick
        if busy < threshold or time.monotonic() >= deadline:
            return busy


def wrk(url: str, session: str | None, *, duration: int, threads: int, connections: int, script: str) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", script]
    if session:
        cmd += ["-H", f"Cookie: sessionid={session}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^HQ (.*)$", out, re.M)
    if not match:
        raise RuntimeError(f"no summary from wrk:\n{out}")
    r = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["socket_errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


OTHER_MAX = 0.15  # cores used by other processes above which a run counts as disturbed


def measure(url: str, cookie: str | None, args, script: str) -> dict:
    """One measured wrk run, with the server's CPU, wrk's CPU and other processes' CPU over it."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu0 = _tree_cpu_seconds(args.server_pid) if args.server_pid else None
    busy0, _ = _machine_busy()
    wrk0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = wrk(url, cookie, duration=args.duration, threads=args.threads, connections=args.connections, script=script)
    wall = time.monotonic() - t0
    wrk1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, _ = _machine_busy()
    wrk_cpu = (wrk1.ru_utime + wrk1.ru_stime) - (wrk0.ru_utime + wrk0.ru_stime)
    r["wrk_cores"] = wrk_cpu / wall
    if cpu0 is not None:
        server_cpu = _tree_cpu_seconds(args.server_pid) - cpu0
        r["cpu_ms"] = 1000 * server_cpu / max(1, r["requests"])
        r["other_cores"] = max(0.0, (busy1 - busy0) / tick - server_cpu - wrk_cpu) / wall
    return r


def _django_facts() -> dict:
    """Rows in the demo and the database in use, read with the server's own settings."""
    import django

    django.setup()
    from django.db import connection

    from houqin.org.models import Child, SchoolClass

    return {
        "children_demo": Child.objects.filter(kindergarten__slug=DEMO).count(),
        "children_all": Child.objects.count(),
        "classes_demo": SchoolClass.objects.filter(kindergarten__slug=DEMO).count(),
        "db": f"{connection.vendor} {'.'.join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == 'sqlite' else connection.pg_version}",
        "django": django.get_version(),
    }


def _demo_rows() -> dict:
    """The demo's rows the measured URLs and writes need (codes, not primary keys)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from houqin.canteen.models import Menu, MenuStatus
    from houqin.org.models import Child, Kindergarten, SchoolClass
    from houqin.reports.models import Summary
    from houqin.stock.models import Batch

    kg = Kindergarten.objects.select_related("district").get(slug=DEMO)
    today = timezone.localdate()
    own_class = SchoolClass.objects.filter(kindergarten=kg, name="中一班").order_by("pk").first()
    menus = Menu.objects.filter(kindergarten=kg, status=MenuStatus.PUBLISHED)
    menu = menus.filter(week_start__lte=today).order_by("-week_start").first() or menus.order_by("week_start").first()
    batch = (Batch.objects.filter(item__kindergarten=kg, quantity__gt=100).select_related("item", "warehouse")
             .order_by("-quantity").first())
    summary = Summary.objects.filter(kindergarten=kg).order_by("-pk").first()
    parent = Client(HTTP_HOST="127.0.0.1")  # a notice the parent reads: the one at the top of their list
    parent.force_login(get_user_model().objects.get(username="parent"))
    notices = parent.get(f"/api/k/{kg.slug}/notices").json()
    return {
        "kg": kg.slug, "district": kg.district.slug,
        "own_class": own_class.code if own_class else None,
        "children": [str(c) for c in Child.objects.active().filter(school_class=own_class).values_list("code", flat=True)],
        "menu": menu.code if menu else None,
        "item": batch.item.code if batch else None, "warehouse": batch.warehouse.code if batch else None,
        "summary": summary.code if summary else None,
        "notice": notices[0]["code"] if notices else None,
    }


def _path(rows: dict, name: str, keys: dict) -> str | None:
    """A measured URL from its name (or a literal path) and the demo's rows; None when a row is missing."""
    from django.urls import reverse

    query = keys.get("?")
    if name.startswith("/"):
        path = name.format(kg=rows["kg"])
    else:
        kwargs = {} if name.startswith("reports:district") else {"kg": rows["kg"]}
        for arg, key in keys.items():
            if arg == "?":
                continue
            if rows.get(key) is None:
                return None
            kwargs[arg] = rows[key]
        path = reverse(name, kwargs=kwargs)
    return f"{path}?{query}" if query else path


def _writes(rows: dict) -> list[tuple[str, str, str, str, str]]:
    """(label, user, path, content type, body) of each measured write."""
    import json

    kg = rows["kg"]
    out = []
    if rows["own_class"]:
        body = {"entries": [{"child_code": c, "temperature": "36.6"} for c in rows["children"]]}
        out.append((f"晨检提交（{len(rows['children'])} 名幼儿）", "teacher",
                    f"/api/k/{kg}/health/classes/{rows['own_class']}/check", "application/json", json.dumps(body)))
    out.append(("来访登记", "guard", f"/api/k/{kg}/safety/visitors", "application/json",
                json.dumps({"name": "张明", "reason": "维修空调", "host": "后勤主任", "phone": "13800000000"})))
    if rows["item"]:
        out.append(("库存领用", "storekeeper", f"/api/k/{kg}/stock/issues", "application/json",
                    json.dumps({"warehouse_code": str(rows["warehouse"]), "item_code": str(rows["item"]),
                                "quantity": "0.01", "reason": "性能测试"})))
    out.append(("隐患上报", "director", f"/api/k/{kg}/safety/hazards", "application/x-www-form-urlencoded",
                urllib.parse.urlencode({"location": "大门口", "description": "地面湿滑", "severity": "normal"})))
    if rows["notice"]:
        out.append(("通知已读", "parent", f"/api/k/{kg}/notices/{rows['notice']}/read", "application/json", ""))
    return out


def _queries(user: str, path: str, method: str = "GET", content_type: str = "", body: str = "") -> tuple[int, int]:
    """(HTTP status, SQL queries) of one request served in this process, signed in as `user`."""
    from django.db import connection
    from django.test import Client
    from django.contrib.auth import get_user_model
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=user))
    with CaptureQueriesContext(connection) as ctx:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=body, content_type=content_type)
    return response.status_code, len(ctx.captured_queries)


def _write_lua(session: str, csrf: str, content_type: str, body: str) -> str:
    """A wrk script that POSTs `body` with the session, the CSRF token and the summary hook."""
    return (f'wrk.method = "POST"\nwrk.body = [==[{body}]==]\n'
            f'wrk.headers["Content-Type"] = "{content_type}"\n'
            f'wrk.headers["X-CSRFToken"] = "{csrf}"\n'
            f'wrk.headers["Cookie"] = "sessionid={session}; csrftoken={csrf}"\n' + LUA)


def _fetch_seconds(base: str, path: str, session: str) -> tuple[int, float, int]:
    """(status, seconds, bytes) of one GET."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}"})
    response = conn.getresponse()
    data = response.read()
    seconds = time.perf_counter() - t0
    conn.close()
    return response.status, seconds, len(data)


def _run(url, cookie, args, script_text) -> dict:
    """Warm-up, then the measured run, redone while other processes disturbed it."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script_text)
        script = f.name
    try:
        if args.warmup > 0:
            wrk(url, cookie, duration=args.warmup, threads=args.threads, connections=args.connections, script=script)
        r = None
        for attempt in range(1, args.attempts + 1):  # a run disturbed by other processes is redone
            if args.quiet_wait > 0:
                wait_until_quiet(args.quiet_wait)
            run = measure(url, cookie, args, script)
            run["attempt"] = attempt
            if r is None or run.get("other_cores", 0) < r.get("other_cores", 0):
                r = run
            if r.get("other_cores", 0) <= OTHER_MAX:
                break
        return r
    finally:
        os.unlink(script)


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> None:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)] if rows else [len(h) for h in header]

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in
                                 enumerate(zip(cells, widths, strict=True))) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--server-pid", type=int, help="gunicorn master PID, to report server CPU per request")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "32")))
    parser.add_argument("--quiet-wait", type=float, default=float(os.environ.get("BENCH_QUIET_WAIT", "15")),
                        help="before each run, wait up to this many seconds for other processes to go quiet")
    parser.add_argument("--attempts", type=int, default=int(os.environ.get("BENCH_ATTEMPTS", "3")),
                        help="runs per URL at most, redone while other processes used > 0.15 core")
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                        help="comma-separated labels (or parts of them) to measure; empty: everything")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    facts = _django_facts()
    from houqin.org.demo import DEMO_PASSWORD

    rows = _demo_rows()
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]

    def picked(label: str) -> bool:
        return not wanted or any(w in label for w in wanted)

    missing = []
    reads = [("/healthz", None, "/healthz")]
    for label, user, name, keys in READS:
        path = _path(rows, name, keys)
        if path is None:
            missing.append(label)
        elif picked(label):
            reads.append((label, user, path))
    writes = [w for w in _writes(rows) if picked(w[0])]
    documents = []
    for label, user, name, keys in DOCUMENTS:
        path = _path(rows, name, keys)
        if path is None:
            missing.append(label)
        elif picked(label):
            documents.append((label, user, path))

    users = sorted({u for _, u, _ in reads if u} | {w[1] for w in writes} | {u for _, u, _ in documents})
    sessions = {u: login(args.base, u, DEMO_PASSWORD) for u in users}

    # Every URL answers as its reader expects before anything is timed; queries per request are
    # counted in this process with the same code and data.
    queries, bad = {}, {}
    for label, user, path in reads[1:] + documents:
        if (s := status_of(args.base, path, sessions[user][0])) != 200:
            bad[label] = f"{path}: HTTP {s}"
        queries[label] = _queries(user, path)[1]
    for label, user, path, content_type, body in writes:
        status, count = _queries(user, path, "POST", content_type, body)
        if status not in (200, 201):
            bad[label] = f"POST {path}: HTTP {status}"
        queries[label] = count
    if bad:
        sys.exit("not answered as expected: " + "; ".join(f"{k} ({v})" for k, v in bad.items()))

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"machine: nproc={nproc}, {platform.processor() or platform.machine()}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} before the runs")
    print(f"software: Python {platform.python_version()}, Django {facts['django']}, {facts['db']}, "
          "gunicorn -w 2 -k sync, production settings (DEBUG off)")
    print(f"demo data: {facts['children_demo']} children in /k/{DEMO}/ ({facts['classes_demo']} classes), "
          f"{facts['children_all']} children in all")
    print(f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
          f"after a {args.warmup} s warm-up per URL; each URL signed in as the role that uses it")
    if missing:
        print(f"not measured (no such row in this demo): {', '.join(missing)}")
    print()

    results = []
    for label, user, path in reads:
        cookie = sessions[user][0] if user else None  # /healthz: the bare reference, no session to load
        r = _run(args.base + path, cookie, args, LUA)
        r.update(label=label, path=path, user=user or "-", kind="read",
                 status_after=status_of(args.base, path, cookie) if cookie else 200)
        results.append(r)
        print(f"  {label:<24} {r['rps']:8.1f} req/s (attempt {r['attempt']})", file=sys.stderr, flush=True)
        time.sleep(0.5)
    for label, user, path, content_type, body in writes:
        session, csrf = sessions[user]
        r = _run(args.base + path, None, args, _write_lua(session, csrf, content_type, body))
        r.update(label=label, path="POST " + path, user=user, kind="write", status_after=200)
        results.append(r)
        print(f"  {label:<24} {r['rps']:8.1f} req/s (attempt {r['attempt']})", file=sys.stderr, flush=True)
        time.sleep(0.5)

    ref = results[0]["rps"] or 1
    header = ["页面 / 写入", "角色", "req/s", "p50 ms", "p95 ms", "p99 ms", "CPU ms/req", "查询/次", "vs /healthz",
              "目标", "other CPU", "errors"]
    table = []
    for r in results:
        errors = r["non2xx"] + r["socket_errors"]
        note = f"{r['non2xx']} non-2xx" if r["non2xx"] else ""
        if r["socket_errors"]:
            note += f"{', ' if note else ''}{r['socket_errors']} socket"
        if r["status_after"] != 200:
            note += f"{', ' if note else ''}HTTP {r['status_after']} after the run"
        ratio = 100 * r["rps"] / ref
        if r["label"] == "/healthz":
            goal = "-"
        elif r["kind"] == "read":
            ok = ratio >= GOAL_READ_RATIO and r["p99"] / 1000 <= GOAL_READ_P99_MS
            goal = "ok" if ok else "MISSED"
        else:
            goal = "ok" if ratio >= GOAL_WRITE_RATIO else "MISSED"
        table.append([
            r["label"], r["user"], f"{r['rps']:.0f}", f"{r['p50'] / 1000:.1f}", f"{r['p95'] / 1000:.1f}",
            f"{r['p99'] / 1000:.1f}", f"{r['cpu_ms']:.2f}" if "cpu_ms" in r else "-",
            str(queries.get(r["label"], "-")), f"{ratio:.1f}%", goal,
            f"{r['other_cores']:.2f}" if "other_cores" in r else "-", note or str(errors),
        ])
    _table(header, table, {2, 3, 4, 5, 6, 7, 8})

    if documents:
        print("\nDocuments: one GET at a time; 'first' is the first request for it on this server, "
              "then the median of 4 more.")
        doc_rows = []
        for label, user, path in documents:
            session = sessions[user][0]
            status, first, size = _fetch_seconds(args.base, path, session)
            more = sorted(_fetch_seconds(args.base, path, session)[1] for _ in range(4))
            median = (more[1] + more[2]) / 2
            goal = "ok" if status == 200 and max(first, median) <= GOAL_DOC_S else "MISSED"
            doc_rows.append([label, user, f"{first:.2f}", f"{median:.2f}", f"{size / 1024:.0f}",
                             str(queries.get(label, "-")), goal])
        _table(["文档", "角色", "first s", "median s", "KiB", "查询/次", "目标"], doc_rows, {2, 3, 4, 5})

    print(f"\nGoals: reads >= {GOAL_READ_RATIO:g}% of /healthz and p99 <= {GOAL_READ_P99_MS:g} ms; writes >= "
          f"{GOAL_WRITE_RATIO:g}% of /healthz; documents <= {GOAL_DOC_S:g} s (first included).")
    print("/healthz is requested without a session (the bare reference); every other URL with its role's session.")
    print("CPU ms/req: gunicorn's master and workers (utime+stime) over the measured run, per request served;")
    print("  2 cores / CPU ms/req is the ceiling whatever wrk costs.")
    print("查询/次: SQL queries of one request served in this process (Django's test client, same data).")
    print("other CPU: cores used by processes other than gunicorn and wrk during the run (other sessions, tests);")
    print("  above ~0.15 the row is disturbed (on PostgreSQL it includes the database's own backends).")
    print("wrk itself shares the same cores as the server.")


if __name__ == "__main__":
    main()
