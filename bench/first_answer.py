"""Benchmark: the first answer of a fresh worker against the same request warm, for several kinds of request.

For each kind (a canned query's page, an ad-hoc query at /sparql, the ontology page, a resource page) a
new `peerkg serve --workers 1` is started with its result cache off (so a warm request does the work the
first did, not a lookup); once it serves a static file (the worker is up, and no query, page or ontology
has been asked for) the kind's request is timed, then the same request again, warm (the median of
several). Then the worker is stopped and gunicorn forks another from its master (a respawned worker), and
its first answer is timed too. Printed: the times, the difference first - warm for each, and whether it
is within the 100 ms target.
Run it with `make bench-first`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import BIN, THEMES, free_port, stop  # noqa: E402 - bench/ is not a package

TARGET_MS = 100
PROBE = "/static/site.css"  # served by the worker's app, and touching nothing a first answer needs
KINDS = {
    "canned query page": ("/queries/table3", "text/html"),
    "ad-hoc query (/sparql)": ("/sparql?query=" + urllib.parse.quote(THEMES), "application/sparql-results+json"),
    "ontology page": ("/ontology.html", "text/html"),
    "resource page": ("/id/study/mowbray-1996.html", "text/html"),
}


def timed(port: int, path: str, accept: str) -> float:
    """Milliseconds from connecting to the last byte of a 200."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def serving(port: int, process: subprocess.Popen, seconds: float = 120) -> float:
    """Seconds until the server answers the probe."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            raise SystemExit(f"peerkg serve exited with {process.returncode}")
        try:
            timed(port, PROBE, "*/*")
            return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)
    raise SystemExit(f"peerkg serve did not answer within {seconds} s")


def workers(master: int) -> set[int]:
    listed = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return {int(pid) for pid in listed.split()}


def respawn(master: int, port: int, process: subprocess.Popen) -> None:
    """Stop the one worker and wait until the one gunicorn forks in its place answers."""
    (old,) = workers(master)
    os.kill(old, 15)
    deadline = time.monotonic() + 60
    while not (workers(master) - {old}) and time.monotonic() < deadline:
        time.sleep(0.02)
    serving(port, process)


def measure(path: str, accept: str, repeats: int) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "PEERKG_RESULT_CACHE_ENTRIES": "0"}
    process = subprocess.Popen([str(BIN / "peerkg"), "--quiet", "serve", "--workers", "1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        ready = serving(port, process)
        first = timed(port, path, accept)
        warm = statistics.median(timed(port, path, accept) for _ in range(repeats))
        respawn(process.pid, port, process)
        respawned = timed(port, path, accept)
        again = statistics.median(timed(port, path, accept) for _ in range(repeats))
    finally:
        stop(process)
    return {"ready": ready, "first": first, "warm": warm, "respawned": respawned, "respawned warm": again}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="warm requests per kind (their median is the warm time)")
    args = parser.parse_args()
    subprocess.run([str(BIN / "peerkg"), "--quiet", "build", "--if-needed"], check=True)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; peerkg serve --workers 1, result cache off; "
          f"times in ms, target: first - warm <= {TARGET_MS}")
    header = (f"{'request':24} {'ready s':>7} {'first':>8} {'warm':>7} {'first-warm':>10} {'':3} "
              f"{'respawned':>9} {'warm':>7} {'first-warm':>10} {'':3}")
    print(header + "\n" + "-" * len(header))
    for label, (path, accept) in KINDS.items():
        t = measure(path, accept, args.repeats)
        fresh, respawned = t["first"] - t["warm"], t["respawned"] - t["respawned warm"]
        print(f"{label:24} {t['ready']:7.2f} {t['first']:8.1f} {t['warm']:7.1f} {fresh:10.1f} {_verdict(fresh):3} "
              f"{t['respawned']:9.1f} {t['respawned warm']:7.1f} {respawned:10.1f} {_verdict(respawned):3}")


def _verdict(difference: float) -> str:
    return "ok" if difference <= TARGET_MS else "NO"


if __name__ == "__main__":
    main()
