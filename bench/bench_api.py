"""Benchmark: GET /api/events with a date and type filter over 10,000 stored events (acceptance 4).

    python bench/bench_api.py                       # in-process (TestClient), pinned to one CPU core
    python bench/bench_api.py --server              # through a real uvicorn server on 127.0.0.1
    python bench/bench_api.py --events 50000 --n 500 --db sqlite:////tmp/b.db

Fills a fresh SQLite database with synthetic events (marsad.store.synthetic: made-up
sentences, 16 PLOVER types, 12 places, dates over two years), then times N requests of
GET /api/events?start=2024-03-01&end=2024-05-31&plover_type=ASSAULT (limit 100)
and prints the median and p95 in milliseconds. Target: median < 50 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=300, help="timed requests")
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file in a temp dir)")
    ap.add_argument("--server", action="store_true", help="time a real uvicorn server over HTTP")
    ap.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU core")
    args = ap.parse_args()

    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    from marsad.api.app import create_app
    from marsad.store.store import Store
    from marsad.store.synthetic import make_records

    tmp = tempfile.mkdtemp(prefix="marsad-bench-")
    url = args.db or f"sqlite:///{tmp}/bench.db"
    store = Store(url)
    if store.counts()["events"] == 0:
        t0 = time.perf_counter()
        with store.Session.begin() as s:
            for rec in make_records(args.events):
                store.ingest_record(rec, session=s)
        print(f"filled {url}: {store.counts()['events']} events in {time.perf_counter() - t0:.1f} s")
    store.close()

    app = create_app(url)
    params = {"start": "2024-03-01", "end": "2024-05-31", "plover_type": "ASSAULT"}
    if args.server:
        import httpx
        import uvicorn

        import socket

        with socket.socket() as sock:  # a free port
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                print("uvicorn did not start", file=sys.stderr)
                return 1
            time.sleep(0.05)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
    else:
        from fastapi.testclient import TestClient

        client = TestClient(app)
    r = client.get("/api/events", params=params)
    r.raise_for_status()
    body = r.json()
    for _ in range(20):  # warm-up
        client.get("/api/events", params=params)
    times = []
    for _ in range(args.n):
        t0 = time.perf_counter()
        r = client.get("/api/events", params=params)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"GET /api/events?start=2024-03-01&end=2024-05-31&plover_type=ASSAULT "
          f"({'uvicorn' if args.server else 'in-process'}; {cores} core{'s' if cores != 1 else ''}; "
          f"{body['total']} matching, {len(body['items'])} returned)")
    print(f"n={args.n}  median {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  min {times[0]:.1f} ms")
    print("command: python bench/bench_api.py " + " ".join(sys.argv[1:]))
    if args.server:
        server.should_exit = True
    app.state.store.close()
    if not args.db:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
