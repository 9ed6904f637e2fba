"""Benchmark: peerkg serve against Oxigraph's own server and a bare Flask route, driven by wrk on loopback.

Prints, per query, throughput and p50 / p99 latency for peerkg (with its result cache, and with the cache
off so that every request runs the query) and for `oxigraph serve-read-only` on the same store, the ratios
peerkg / Oxigraph, and for small queries the ratios to the bare Flask ceiling measured in the same run
(sync workers; the same route under gthread, peerkg's worker class, is printed beside it). One ad-hoc row
sends a new text on every request (a numbered comment, bench/new_text.lua): no cache answers it, and each
is read by the guard.
Then the latency of a tiny query (a new text each time, so never a cached answer) sent every 0.5 s, alone
and with six runaway queries in flight from six other clients, and the ratio of the two.
Then peerkg on a remote engine (Oxigraph's server, the graph built into it) against that server's own
endpoint, same queries, uncached, with the ratio and the time the remote path adds to a request.
Run it with `make bench` (it installs wrk and the oxigraph CLI when they are missing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
THEMES = "PREFIX pkg: <https://w3id.org/peerkg/ontology#> SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pkg:Theme }"
# Heavy queries: 10-80 ms each in Oxigraph on this graph.
HEAVY = {
    "heavy: two-hop join": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?q ?x } GROUP BY ?p ORDER BY DESC(?n)",
    "heavy: shared references": (
        "PREFIX pkg: <https://w3id.org/peerkg/ontology#> SELECT ?a (COUNT(DISTINCT ?b) AS ?shared) WHERE { "
        "?a pkg:backedBy/pkg:referenceNumber ?n . ?b pkg:backedBy/pkg:referenceNumber ?n . FILTER (?a != ?b) } "
        "GROUP BY ?a ORDER BY DESC(?shared) ?a"
    ),
    "heavy: text scan": (
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER (isLiteral(?o) && CONTAINS(LCASE(STR(?o)), 'stigma')) } ORDER BY ?s ?o"
    ),
}

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def start(command: list[str], probe: str, env=None) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    wait(probe, process)
    return process


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(15)


def wrk(url: str, seconds: int, connections: int, new_text: str | None = None) -> tuple[float, float, float]:
    """Requests per second and p50 / p99 latency in ms, as wrk reports them. With ``new_text``, ``url``
    ends in ``query=`` and each request sends that query with a comment numbering it (new_text.lua)."""
    script, env = [], None
    if new_text is not None:
        base, _, path = url.partition("//")[2].partition("/")
        url, script = f"http://{base}/", ["-s", str(ROOT / "bench" / "new_text.lua")]
        env = {**os.environ, "BENCH_QUERY": new_text, "BENCH_PATH": "/" + path}
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *script, url],
        check=True, capture_output=True, text=True, env=env,
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rps, _latency(output, "50%"), _latency(output, "99%")


def warm(url: str, connections: int) -> None:
    """Load a server as the measurement will, unmeasured: each worker thread starts its query process on
    its first query, and a run that includes those starts measures them, not the steady state."""
    subprocess.run(["wrk", "-t2", f"-c{connections}", "-d2s", url], check=True, capture_output=True)


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def ensure_tools() -> None:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if not (BIN / "oxigraph").exists():
        subprocess.run([str(BIN / "pip"), "install", "--quiet", "oxigraph==0.5.13"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for peerkg and the Flask ceiling (one per core)")
    args = parser.parse_args()
    ensure_tools()
    subprocess.run([str(BIN / "peerkg"), "--quiet", "build", "--if-needed"], check=True)
    store = (Path(os.environ.get("PEERKG_DATA") or ROOT / "data") / "current").resolve()

    hello_port, threaded_port, peerkg_port, uncached_port, oxigraph_port = (free_port() for _ in range(5))
    peerkg = [str(BIN / "peerkg"), "--quiet", "serve", "--workers", str(args.workers), "--port"]
    servers = [
        start([str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{hello_port}", "--chdir", str(ROOT / "bench"), "hello:app"],
              f"http://127.0.0.1:{hello_port}/hello"),
        # The same route under peerkg's worker class (gthread, 8 threads): what threads cost by themselves.
        start([str(BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{threaded_port}",
               "--chdir", str(ROOT / "bench"), "hello:app"], f"http://127.0.0.1:{threaded_port}/hello"),
        start([*peerkg, str(peerkg_port)], f"http://127.0.0.1:{peerkg_port}/queries",
              env={**os.environ, "PEERKG_QUERIES_PER_CLIENT": "0"}),
        # The same server with its result cache off: every request runs the query. wrk is one client with
        # many connections: the per-client cap on queries in flight is off for the throughput runs.
        start([*peerkg, str(uncached_port)], f"http://127.0.0.1:{uncached_port}/queries",
              env={**os.environ, "PEERKG_RESULT_CACHE_ENTRIES": "0", "PEERKG_QUERIES_PER_CLIENT": "0"}),
        start([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{oxigraph_port}"],
              f"http://127.0.0.1:{oxigraph_port}/query?query=" + urllib.parse.quote("ASK {}")),
    ]
    try:
        ceiling = wrk(f"http://127.0.0.1:{hello_port}/hello", args.seconds, args.connections)
        threaded = wrk(f"http://127.0.0.1:{threaded_port}/hello", args.seconds, args.connections)
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; wrk -t2 -c{args.connections} -d{args.seconds}s; "
              f"gunicorn workers {args.workers}")
        print(f"bare Flask ceiling: {ceiling[0]:.0f} req/s, p50 {ceiling[1]:.2f} ms, p99 {ceiling[2]:.2f} ms; under gthread "
              f"(8 threads, as peerkg): {threaded[0]:.0f} req/s ({threaded[0] / ceiling[0]:.2f} of it)\n")
        canned = {name: (ROOT / "queries" / f"{name}.rq").read_text() for name in ("table3", "table6", "role_activities")}
        # (label, kind, path, query, new text each time)
        cases = [(f"canned {name}", "small", f"/queries/{name}.json", _body(text), False) for name, text in canned.items()]
        cases.append(("ad-hoc theme count", "small", "/sparql?query=" + urllib.parse.quote(THEMES), THEMES, False))
        cases.append(("ad-hoc, new text each time", "small", "/sparql?query=", THEMES, True))
        cases += [(label, "heavy", "/sparql?query=" + urllib.parse.quote(text), text, False) for label, text in HEAVY.items()]
        header = (f"{'query':26} {'peerkg req/s':>12} {'p50':>6} {'p99':>7} {'uncached':>9} {'p50':>6} {'p99':>7} "
                  f"{'oxigraph':>9} {'p50':>6} {'p99':>7} {'vs oxigraph':>11} {'uncached vs ox':>14} {'vs flask':>9} "
                  f"{'uncached vs flask':>17}")
        print(header + "\n" + "-" * len(header) + "   (latencies in ms)")
        for port in (peerkg_port, uncached_port):
            warm(f"http://127.0.0.1:{port}{cases[0][2]}", args.connections)
        for label, kind, path, sparql, new in cases:
            text = sparql if new else None
            for port in (peerkg_port, uncached_port):  # and the cache
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}" + (urllib.parse.quote(sparql) if new else ""), timeout=60).read()
            ours = wrk(f"http://127.0.0.1:{peerkg_port}{path}", args.seconds, args.connections, text)
            cold = wrk(f"http://127.0.0.1:{uncached_port}{path}", args.seconds, args.connections, text)
            # Oxigraph's default graph is its own unless asked for the union, which is what peerkg serves.
            theirs = wrk(f"http://127.0.0.1:{oxigraph_port}/query?union-default-graph&query=" + ("" if new else urllib.parse.quote(sparql)),
                         args.seconds, args.connections, text)
            flask = f"{ours[0] / ceiling[0]:9.2f} {cold[0] / ceiling[0]:17.2f}" if kind == "small" else ""
            print(f"{label:26} {ours[0]:12.0f} {ours[1]:6.2f} {ours[2]:7.2f} {cold[0]:9.0f} {cold[1]:6.2f} {cold[2]:7.2f} "
                  f"{theirs[0]:9.0f} {theirs[1]:6.2f} {theirs[2]:7.2f} {ours[0] / theirs[0]:11.2f} {cold[0] / theirs[0]:14.2f} {flask}")
    finally:
        for server in servers:
            stop(server)
    remote(args, cases)
    runaways(args.seconds)


def remote(args, cases: list[tuple[str, str, str, str, bool]]) -> None:
    """peerkg with Oxigraph's server as its backend (cache off) against the server's own endpoint."""
    with tempfile.TemporaryDirectory(prefix="peerkg-bench-") as scratch:
        engine_port, peerkg_port = free_port(), free_port()
        engine = start([str(BIN / "oxigraph"), "serve", "--location", f"{scratch}/oxigraph", "--bind", f"127.0.0.1:{engine_port}"],
                       f"http://127.0.0.1:{engine_port}/query?query=" + urllib.parse.quote("ASK {}"))
        env = {**os.environ, "PEERKG_DATA": f"{scratch}/data", "PEERKG_BACKEND": f"http://127.0.0.1:{engine_port}/query",
               "PEERKG_BACKEND_UPDATE": f"http://127.0.0.1:{engine_port}/update"}
        servers = [engine]
        try:
            subprocess.run([str(BIN / "peerkg"), "--quiet", "build"], check=True, env=env)
            servers.append(start([str(BIN / "peerkg"), "--quiet", "serve", "--workers", str(args.workers), "--port", str(peerkg_port)],
                                 f"http://127.0.0.1:{peerkg_port}/queries",
                                 env={**env, "PEERKG_RESULT_CACHE_ENTRIES": "0", "PEERKG_QUERIES_PER_CLIENT": "0"}))
            print("\npeerkg on Oxigraph's server (oxigraph serve; cache off) against that server's own endpoint")
            header = (f"{'query':26} {'peerkg req/s':>12} {'p50':>6} {'p99':>7} {'server req/s':>12} {'p50':>6} {'p99':>7} "
                      f"{'peerkg / server':>15} {'added ms (p50)':>14}")
            print(header + "\n" + "-" * len(header) + "   (latencies in ms)")
            warm(f"http://127.0.0.1:{peerkg_port}{cases[0][2]}", args.connections)
            for label, _, path, sparql, new in cases:
                text = sparql if new else None
                ours = wrk(f"http://127.0.0.1:{peerkg_port}{path}", args.seconds, args.connections, text)
                theirs = wrk(f"http://127.0.0.1:{engine_port}/query?union-default-graph&query=" + ("" if new else urllib.parse.quote(sparql)),
                             args.seconds, args.connections, text)
                print(f"{label:26} {ours[0]:12.0f} {ours[1]:6.2f} {ours[2]:7.2f} {theirs[0]:12.0f} {theirs[1]:6.2f} "
                      f"{theirs[2]:7.2f} {ours[0] / theirs[0]:15.2f} {ours[1] - theirs[1]:14.2f}")
        finally:
            for server in servers:
                stop(server)


# Every triple with every triple, three times over: minutes of work, stopped at the time limit.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def runaways(seconds: int, count: int = 6, timeout: int = 5) -> None:
    """A tiny query's latency alone and with ``count`` runaways in flight, on a server as configured by
    default (4 workers, per-client cap on), the runaways each from a loopback address of its own."""
    port = free_port()
    server = start([str(BIN / "peerkg"), "--quiet", "serve", "--query-timeout", str(timeout), "--port", str(port)],
                   f"http://127.0.0.1:{port}/queries")
    url = f"http://127.0.0.1:{port}/sparql?query="
    rounds = max(seconds * 4, 20)
    try:
        alone = _tiny_latencies(url, rounds)
        stop_at = time.monotonic() + rounds * 0.5 + timeout
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            for n in range(count):
                pool.submit(_keep_running, url + urllib.parse.quote(RUNAWAY), f"127.0.0.{n + 2}", stop_at)
            time.sleep(1)
            loaded = _tiny_latencies(url, rounds)
    finally:
        stop(server)
    print(f"\ntiny query (new text each time) every 0.5 s, {rounds} times; --query-timeout {timeout}, {count} runaways "
          f"from {count} other clients, each sent again as soon as it is stopped")
    for label, values in (("alone", alone), (f"with {count} runaways", loaded)):
        print(f"  {label:18} p50 {_percentile(values, 50):7.1f} ms  p95 {_percentile(values, 95):7.1f} ms  max {max(values):7.1f} ms")
    print(f"  p95 with runaways / alone: {_percentile(loaded, 95) / _percentile(alone, 95):.1f}  (target: p95 below 1000 ms)")


def _tiny_latencies(url: str, rounds: int) -> list[float]:
    latencies = []
    for n in range(rounds):
        query = f'ASK {{ ?s ?p "tiny {time.time_ns()} {n}" }}'
        started = time.monotonic()
        with urllib.request.urlopen(url + urllib.parse.quote(query), timeout=60) as answer:
            answer.read()
        latencies.append((time.monotonic() - started) * 1000)
        time.sleep(max(0.5 - (time.monotonic() - started), 0))
    return latencies


def _keep_running(url: str, source: str, stop_at: float) -> None:
    """Send the runaway from ``source`` again and again until ``stop_at``."""
    import http.client

    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    path = url.split(f":{port}", 1)[1]
    while time.monotonic() < stop_at:
        connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(source, 0))
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        except OSError:
            pass
        finally:
            connection.close()


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def _body(text: str) -> str:
    """A canned query without its #+ header, as Oxigraph is sent it."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+"))


if __name__ == "__main__":
    main()
