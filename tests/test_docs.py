"""The README documents every CLI command and canned query, and CI runs the README's test command."""

from __future__ import annotations

import re

import pytest

from peerkg import queries
from peerkg.cli import main
from peerkg.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert f"`peerkg {command}" in README


@pytest.mark.parametrize("name", sorted(queries.load_all(PROJECT_ROOT / "queries")))
def test_every_canned_query_is_documented(name):
    assert f"| `{name}` |" in README


def test_every_command_has_help():
    for name, command in main.commands.items():
        assert command.help, name


def test_ci_runs_the_readme_test_command():
    first_lines = "\n".join(README.splitlines()[:20])
    assert "make serve" in first_lines and "make test" in first_lines
    assert re.search(r"^make test$", (PROJECT_ROOT / ".ci" / "run").read_text(), re.MULTILINE)


def readme_curls() -> list[str]:
    """The curl commands of the README's shell blocks."""
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("curl ")]


def test_the_readme_has_curl_examples():
    curls = readme_curls()
    assert any("/sparql" in line for line in curls) and any("/queries/" in line for line in curls)


@pytest.mark.parametrize("command", readme_curls())
def test_readme_curl_examples_work_as_printed(server, command):
    import shlex
    import subprocess

    args = [arg.replace("http://127.0.0.1:8000", server) for arg in shlex.split(command, comments=True)]
    result = subprocess.run([*args, "--silent", "--show-error", "--fail", "--write-out", "\n%{http_code}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    body, status = result.stdout.rsplit("\n", 1)
    assert status == "200" and body.strip()


def test_the_readme_scaling_out_session_on_oxigraphs_server_works_as_printed(tmp_path):
    """The README's Oxigraph server session, line by line (the servers on free ports, in the background)."""
    import os
    import shlex
    import signal
    import subprocess
    import sys
    import time

    import requests

    from conftest import free_port

    section = README.split("## Scaling out", 1)[1]
    session = re.search(r"```sh\n(.*?)```", section, re.DOTALL)[1]
    engine_port, app_port = free_port(), free_port()
    bin_dir = shlex.quote(str(os.path.dirname(sys.executable))) + "/"
    script = (session.replace(".venv/bin/", bin_dir).replace("data/oxigraph", shlex.quote(str(tmp_path / "oxigraph")))
              .replace("7878", str(engine_port)).replace("--port 8000", f"--port {app_port}"))
    lines = script.strip().splitlines()
    assert lines[-1].endswith(f"peerkg serve --port {app_port}")
    # The engine needs a moment to listen; the app is the last line, left running for the check below.
    script = "\n".join([lines[0], f"until curl -s http://127.0.0.1:{engine_port}/query >/dev/null; do sleep 0.2; done",
                        *lines[1:-1], lines[-1] + " &", "wait"])
    env = os.environ | {"PEERKG_DATA": str(tmp_path / "data")}
    log = tmp_path / "session.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(["bash", "-e", "-c", script], cwd=PROJECT_ROOT, env=env, start_new_session=True,
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{app_port}/queries/table3.csv", timeout=5)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.3)
        assert (answer.status_code, answer.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
        assert len(answer.text.splitlines()) == 1 + 12  # the header and Table 3's twelve informant groups
        health = requests.get(f"http://127.0.0.1:{app_port}/health", timeout=10).json()
        assert health["status"] == "pass" and health["queries"] is True
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


# Read by the code but not settings: the crash tests' hook (a step at which a commit kills itself).
TEST_HOOKS = {"PEERKG_CRASH_AT"}


def test_every_environment_variable_read_in_src_is_documented():
    read = {name for path in (PROJECT_ROOT / "src").rglob("*.py")
            for name in re.findall(r"\bPEERKG_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8"))}
    assert read - TEST_HOOKS and sorted(name for name in read - TEST_HOOKS if f"`{name}`" not in README) == []
