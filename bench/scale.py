"""Scale: a synthetic corpus of 10^4, 10^5 and 10^6 triples validated, committed, built and served.

The corpus is studies shaped like examples/curated-study.ttl (30 triples each, in the project's own
vocabulary, all conforming, each citing Mowbray et al. 1996: its page gets one incoming link per study).
For each size it prints time and peak memory of each step beside a reference measured in the same run:

- parse: pyoxigraph and rdflib reading the file;
- validate in context (``peerkg validate``), and commit (``peerkg ingest``), against Oxigraph's bulk load
  of the same file (targets: validation within 10x and under 1 GB at 150,000 triples; 10^6 in under 2
  minutes and 2 GB; the commit within 2x of the validation);
- build (seeds, carried curated graph, validation, publish) against a bulk load of its result (target 5x);
- canned queries, the pages and a dump on the grown store, against the same on the seed store (target 10x).

Each step runs in a process of its own, so its peak memory is its own. Run with ``make bench-scale``
(``--sizes 10000,100000`` for fewer).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLE = ROOT / "examples" / "curated-study.ttl"
TRIPLES_PER_STUDY = 30
# (page on the grown store, the same kind of page on the seed store)
PAGES = [(path, path) for path in ("/", "/dataset", "/download/", "/evidence-map", "/queries", "/queries/table3",
                                   "/id/work/mowbray-1996", "/id/study/mowbray-1996")]
PAGES.append(("/id/study/study-0-2024", "/id/study/mowbray-1998"))  # a small study's page
PAGES.append(("/id/study/no-such-2024",) * 2)  # a 404, which names the IRIs beside the missing one
QUERIES = ["table3", "role_activities", "evidence_map"]


def corpus(path: Path, studies: int) -> int:
    """``studies`` copies of the example study, each its own study, work, document and passage."""
    text = EXAMPLE.read_text()
    head, _, body = text.partition("@base <https://w3id.org/peerkg/id/> .\n")
    with open(path, "w", encoding="utf-8") as out:
        out.write(head + "@base <https://w3id.org/peerkg/id/> .\n")
        for n in range(studies):
            out.write(body.replace("example-2024", f"study-{n}-2024").replace("Example et al. 2024", f"Study {n} et al. 2024"))
    return studies * TRIPLES_PER_STUDY


def measured(code: str, env: dict | None = None) -> tuple[float, float, str]:
    """Run ``code`` in a new Python process: its wall time in s, its peak memory in MB, and what it printed."""
    script = textwrap.dedent(code) + "\nimport resource, sys\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"step failed:\n{code}\n{done.stderr[-3000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024, done.stdout


def row(label: str, seconds: float, mb: float, reference: float | None = None, target: str = "") -> None:
    ratio = f"{seconds / reference:8.1f}x" if reference else f"{'':9}"
    print(f"  {label:44} {seconds:9.2f} s {mb:8.0f} MB {ratio} {target}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def served(data_dir: Path):
    """``peerkg serve`` on ``data_dir`` (cache off: every request does its work), with its URL."""
    port = free_port()
    process = subprocess.Popen([str(BIN / "peerkg"), "--quiet", "--data-dir", str(data_dir), "serve", "--workers", "2",
                                "--query-timeout", "120", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PEERKG_RESULT_CACHE_ENTRIES": "0", "PEERKG_QUERIES_PER_CLIENT": "0"},
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/queries", timeout=2).read()
            return process, url
        except OSError:
            time.sleep(0.2)
    raise SystemExit("peerkg serve did not start")


def fetch(url: str) -> tuple[float, float, int, int]:
    """Seconds of the first GET (it may make per-version files) and the best of three more, status and size."""
    times = []
    for _ in range(4):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=300) as response:
                size, status = len(response.read()), response.status
        except urllib.error.HTTPError as error:
            size, status = len(error.read()), error.code
        times.append(time.perf_counter() - started)
    return times[0], min(times[1:]), status, size


def pages(seed_dir: Path, grown_dir: Path) -> None:
    seed, seed_url = served(seed_dir)
    grown, grown_url = served(grown_dir)
    try:
        print(f"  {'page (first request, then again)':44} {'first':>11} {'again':>11} {'ratios':>15}")
        for path, seed_path in [*PAGES, *((f"/queries/{name}.json",) * 2 for name in QUERIES)]:
            base_first, base_again, base_status, base_size = fetch(seed_url + seed_path)
            first, again, status, size = fetch(grown_url + path)
            note = f"{status} {size / 1024:,.0f} KB (seed: {base_status} {base_size / 1024:,.0f} KB)"
            print(f"  GET {path:40} {first:9.3f} s {again:9.3f} s {first / base_first:6.1f}x {again / base_again:6.1f}x  "
                  f"{note}   target 10x", flush=True)
    finally:
        for process in (seed, grown):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes in triples, comma-separated")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory(prefix="peerkg-scale-") as scratch:
        scratch = Path(scratch)
        seed_dir = scratch / "seed"
        subprocess.run([str(BIN / "peerkg"), "--quiet", "--data-dir", str(seed_dir), "build"], check=True, stdout=subprocess.DEVNULL)
        for size in (int(n) for n in args.sizes.split(",")):
            studies = max(size // TRIPLES_PER_STUDY, 1)
            file = scratch / f"corpus-{size}.ttl"
            triples = corpus(file, studies)
            data = scratch / f"data-{size}"
            shutil.copytree(seed_dir, data, symlinks=True, ignore=shutil.ignore_patterns("downloads"))
            print(f"\n{triples:,} triples ({studies:,} studies, {file.stat().st_size / 1024**2:,.1f} MB of Turtle)", flush=True)
            print(f"  {'step':44} {'time':>11} {'peak':>11} {'ratio':>9}")
            load, load_mb, _ = measured(f"""
                import pyoxigraph as ox
                store = ox.Store({str(scratch / f'bulk-{size}')!r})
                store.bulk_load(path={str(file)!r}, format=ox.RdfFormat.TURTLE)
                store.flush()""")
            row("reference: Oxigraph bulk load of the file", load, load_mb)
            parsed, parsed_mb, _ = measured(f"import pyoxigraph as ox\nn = sum(1 for _ in ox.parse(path={str(file)!r}, format=ox.RdfFormat.TURTLE))")
            row("parse with pyoxigraph", parsed, parsed_mb, load)
            if size <= 200000:
                rdf, rdf_mb, _ = measured(f"import rdflib\nrdflib.Graph().parse({str(file)!r}, format='turtle')")
                row("parse with rdflib", rdf, rdf_mb, load)
            cli = [str(BIN / "peerkg"), "--quiet", "--data-dir", str(data)]
            validate, validate_mb = timed_child([*cli, "validate", str(file)])
            row("validate in context (peerkg validate)", validate, validate_mb, load, "target 10x, 1 GB at 150k")
            ingest, ingest_mb, committed = timed_child([*cli, "ingest", str(file), "--graph", "scale", "--curator", "bench"],
                                                       until="writing the downloads")
            row("commit (peerkg ingest, until it is published)", committed, ingest_mb, validate, "target 2x of validate")
            row("  then writing the version's downloads", ingest - committed, ingest_mb, validate)
            built, built_mb, published = timed_child([*cli, "build"], until="writing the downloads")
            result = scratch / f"result-{size}.nq"
            subprocess.run([*cli, "export", "-f", "nquads", "-o", str(result)], check=True, stderr=subprocess.DEVNULL)
            reload_s, _, _ = measured(f"""
                import pyoxigraph as ox
                store = ox.Store({str(scratch / f'reload-{size}')!r})
                store.bulk_load(path={str(result)!r}, format=ox.RdfFormat.N_QUADS)
                store.flush()""")
            row("build (seeds + curated graph, validate, publish)", published, built_mb, reload_s, "target 5x of bulk load")
            row("  then writing the version's downloads", built - published, built_mb, reload_s)
            dump, dump_mb = timed_child([*cli, "export", "-f", "nquads", "-o", str(scratch / "dump.nq")])
            row("dump (peerkg export -f nquads)", dump, dump_mb, reload_s)
            pages(seed_dir, data)
            for leftover in (scratch / f"bulk-{size}", scratch / f"reload-{size}", data, file, result):
                shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)


def timed_child(command: list[str], until: str | None = None) -> tuple[float, float] | tuple[float, float, float]:
    """Seconds and peak MB of a command (its peak read from the rusage of its own child); with ``until``,
    also the seconds until it logged a line starting so (the command runs without --quiet)."""
    started = time.perf_counter()
    if until is not None:
        command = [part for part in command if part != "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE if until else subprocess.DEVNULL,
                               text=True)
    reached = None
    for line in process.stderr if until else ():
        if reached is None and line.startswith(until):
            reached = time.perf_counter() - started
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{command[3:]} failed ({status})")
    elapsed = time.perf_counter() - started
    return (elapsed, usage.ru_maxrss / 1024) if until is None else (elapsed, usage.ru_maxrss / 1024, reached or elapsed)


if __name__ == "__main__":
    main()
