"""The measuring half of `make bench` (scripts/bench.sh starts the server and calls this).

Signs in as the demo principal through the login form (stdlib http.client: CSRF cookie and token
from /login/, then the session cookie), checks that every page answers 200 with that session,
then for each URL runs wrk (a warm-up, then the measured run, with a Lua `done` hook for p95)
and prints req/s, p50, p95, p99, the server's CPU per request and the ratio to /healthz.

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
URLS = [
    "/healthz",
    f"/k/{DEMO}/",
    f"/k/{DEMO}/classes/",
    f"/k/{DEMO}/children/",
    f"/k/{DEMO}/children/?page=5",
    f"/k/{DEMO}/staff/",
    f"/api/k/{DEMO}/children",
    f"/api/k/{DEMO}/classes",
]

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


def login(base: str, username: str, password: str) -> str:
    """The sessionid of `username`, signed in through the login form."""
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
    session = _cookies(response).get("sessionid")
    conn.close()
    if response.status != 302 or not session:
        sys.exit(f"login as {username} failed: HTTP {response.status} (locked out, or no demo data?)")
    return session


def status_of(base: str, path: str, session: str) -> int:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--server-pid", type=int, help="gunicorn master PID, to report server CPU per request")
    parser.add_argument("--username", default="principal")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "2")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "16")))
    parser.add_argument("--quiet-wait", type=float, default=float(os.environ.get("BENCH_QUIET_WAIT", "15")),
                        help="before each run, wait up to this many seconds for other processes to go quiet")
    parser.add_argument("--attempts", type=int, default=int(os.environ.get("BENCH_ATTEMPTS", "3")),
                        help="runs per URL at most, redone while other processes used > 0.15 core")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    facts = _django_facts()
    from houqin.org.demo import DEMO_PASSWORD

    session = login(args.base, args.username, DEMO_PASSWORD)
    bad = {path: s for path in URLS if (s := status_of(args.base, path, session)) != 200}
    if bad:
        sys.exit(f"not 200 with the {args.username}'s session: {bad}")

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"machine: nproc={nproc}, {platform.processor() or platform.machine()}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} before the runs")
    print(f"software: Python {platform.python_version()}, Django {facts['django']}, {facts['db']}, "
          "gunicorn -w 2 -k sync, production settings (DEBUG off)")
    print(f"demo data: {facts['children_demo']} children in /k/{DEMO}/ ({facts['classes_demo']} classes), "
          f"{facts['children_all']} children in all")
    print(f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
          f"after a {args.warmup} s warm-up per URL; signed in as {args.username}\n")

    results = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    try:
        for path in URLS:
            url = args.base + path
            cookie = None if path == "/healthz" else session  # the bare reference: no session to load
            if args.warmup > 0:
                wrk(url, cookie, duration=args.warmup, threads=args.threads, connections=args.connections,
                    script=script)
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
            r["path"] = path
            r["status_after"] = status_of(args.base, path, session)
            results.append(r)
            print(f"  {path:<32} {r['rps']:8.1f} req/s (attempt {r['attempt']})", file=sys.stderr, flush=True)
            time.sleep(0.5)
    finally:
        os.unlink(script)

    ref = results[0]["rps"] or 1
    header = ["URL", "req/s", "p50 ms", "p95 ms", "p99 ms", "CPU ms/req", "vs /healthz", "other CPU", "errors"]
    rows = []
    for r in results:
        errors = r["non2xx"] + r["socket_errors"]
        note = f"{r['non2xx']} non-2xx" if r["non2xx"] else ""
        if r["socket_errors"]:
            note += f"{', ' if note else ''}{r['socket_errors']} socket"
        if r["status_after"] != 200:
            note += f"{', ' if note else ''}HTTP {r['status_after']} after the run"
        rows.append([
            r["path"], f"{r['rps']:.0f}", f"{r['p50'] / 1000:.1f}", f"{r['p95'] / 1000:.1f}", f"{r['p99'] / 1000:.1f}",
            f"{r['cpu_ms']:.2f}" if "cpu_ms" in r else "-", f"{100 * r['rps'] / ref:.1f}%",
            f"{r['other_cores']:.2f}" if "other_cores" in r else "-", note or str(errors),
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    right = {1, 2, 3, 4, 5, 6, 7}

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in
                                 enumerate(zip(cells, widths, strict=True))) + " |"

    print(line(header))
    print("|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))
    print("\n/healthz is requested without a session (the bare reference); every other URL with the principal's.")
    print("CPU ms/req: gunicorn's master and workers (utime+stime) over the measured run, per request served;")
    print("  2 cores / CPU ms/req is the ceiling whatever wrk costs.")
    print("other CPU: cores used by processes other than gunicorn and wrk during the run (other sessions, tests);")
    print("  above ~0.15 the row is disturbed (on PostgreSQL it includes the database's own backends).")
    print("wrk itself shares the same cores as the server.")


if __name__ == "__main__":
    main()
