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
