"""Time the documents a fresh web worker makes: the weekly menu PDF and the asset label sheet, the
first and the second of each, in a new process as a gunicorn worker is, with and without the worker's
warm-up (houqin.core.pdf.warm, run by config/wsgi.py when settings.HOUQIN_PDF_WARM).

    HOUQIN_DATA_DIR=/tmp/houqin-profile .venv/bin/python scripts/profile_documents.py [--profile]

HOUQIN_DATA_DIR holds a demo database (scripts/profile_pages.py --build makes one). --profile also
prints the top functions of each first document (cProfile). A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["食谱 PDF", "资产标签 PDF"]  # labels of scripts/bench.py DOCUMENTS


def _child(warm: bool, profile: bool) -> None:
    """In a new process: optionally warm, then each document twice; one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HOUQIN_DEBUG", "0")
    os.environ.setdefault("HOUQIN_HTTPS", "0")
    os.environ["HOUQIN_2FA_ROLES"] = ""
    sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
    started = time.perf_counter()
    import django

    django.setup()
    import bench
    from django.contrib.auth import get_user_model
    from django.test import Client

    out = {"warm": warm, "setup_s": time.perf_counter() - started, "docs": []}
    rows = bench._demo_rows()
    if warm:
        from houqin.core.pdf import warm as warm_up

        out["warm_s"] = warm_up()
    for label, user, name, keys in bench.DOCUMENTS:
        if label not in DOCUMENTS:
            continue
        path = bench._path(rows, name, keys)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=user))
        times = []
        for i in range(2):
            profiler = cProfile.Profile() if profile and i == 0 else None
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.get(path)
            b"".join(response.streaming_content) if response.streaming else response.content
            if profiler:
                profiler.disable()
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
                print(f"--- {label}, first, {'warm' if warm else 'cold'} worker:\n{text.getvalue()}", file=sys.stderr)
            times.append(time.perf_counter() - t0)
        out["docs"].append({"label": label, "path": path, "status": response.status_code,
                            "kib": len(response.content) // 1024, "first_s": times[0], "second_s": times[1]})
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", choices=["warm", "cold"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("HOUQIN_DATA_DIR"):
        sys.exit("set HOUQIN_DATA_DIR to the folder of a demo database")
    if args.child:
        _child(args.child == "warm", args.profile)
        return
    print(f"{'document':<14} {'worker':<28} {'first s':>8} {'second s':>9} {'KiB':>6}")
    for mode in ("cold", "warm"):
        cmd = [sys.executable, __file__, "--child", mode] + (["--profile"] if args.profile else [])
        result = json.loads(subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE).stdout.strip().splitlines()[-1])
        worker = "cold (HOUQIN_PDF_WARM=0)" if mode == "cold" else f"warmed at start ({result['warm_s']:.2f} s)"
        for d in result["docs"]:
            print(f"{d['label']:<14} {worker:<28} {d['first_s']:8.2f} {d['second_s']:9.2f} {d['kib']:6d}"
                  + ("" if d["status"] == 200 else f"  HTTP {d['status']}"))


if __name__ == "__main__":
    main()
