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
