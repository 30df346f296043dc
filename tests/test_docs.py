"""Docs and public API stay in step with the code."""

from __future__ import annotations

import re

import click

import storyline
from storyline.serve.cli import cli
from tests.conftest import REPO


def test_cli_docs_are_current() -> None:
    from scripts.update_cli_docs import render

    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render(), "run: python scripts/update_cli_docs.py"


def test_every_cli_command_and_option_is_documented() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = [(name, command) for name, command in cli.commands.items()]
    for name, command in list(commands):
        if isinstance(command, click.Group):
            commands += [(f"{name} {sub}", subcommand) for sub, subcommand in command.commands.items()]
    for name, command in commands:
        assert f"## storyline {name}" in text, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in text for opt in param.opts), f"{name} {param.opts}"


def test_public_api_matches_all() -> None:
    exported = {name for name in dir(storyline) if not name.startswith("_")}
    modules = {"api", "clean", "analyze", "errors", "ingest", "match", "model", "pipeline", "serve", "store", "stories", "words"}
    assert set(storyline.__all__) == exported - modules


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.MULTILINE)
    assert len(commands) == 2
    assert "storyline ingest examples/corpus" in commands[0] and "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "grep -m2 '^python3 -m venv' README.md" in ci  # CI runs the README's second command itself


def test_every_http_route_and_page_is_documented() -> None:
    from storyline.serve import pages
    from storyline.serve.app import create_app

    http = (REPO / "docs" / "http.md").read_text(encoding="utf-8")
    web = (REPO / "docs" / "web.md").read_text(encoding="utf-8")
    with storyline.open(":memory:") as sl:
        paths = create_app(sl).openapi()["paths"]
    operations = [(method.upper(), path) for path, methods in paths.items() for method in methods]
    assert len(operations) >= 6
    for method, path in operations:
        assert f"`{method} {path}" in http, f"{method} {path} is not in docs/http.md"
    page_paths = [route.path for route in pages.router.routes]  # type: ignore[attr-defined]
    assert len(page_paths) == 6
    for path in page_paths:
        assert f"`{path}" in web, f"{path} is not in docs/web.md"
