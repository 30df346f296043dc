"""Docs and public API stay in step with the code, and the examples in the README and docs/ work.

The examples are run for real (issue 16): every ```bash and ```python block of the README,
docs/http.md and docs/python-api.md, unless a ``<!-- not run: why -->`` line
comes right before it. Each document gets a sandbox of its own: HOME holds ~/news/ (the
sample corpus and the seeds), the working directory holds news.db (both ingested) and
examples/. Python blocks and ``storyline`` lines run in this process (the models load
once); ``storyline serve`` lines start a real server (on a free loopback port, never the
port written) and must answer; ``curl`` lines go to a server started with the token the
docs use, and must succeed (``--fail-with-body``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner
import httpx
import pytest

import storyline
from storyline.serve.cli import cli
from tests.conftest import CORPUS, REPO, SEEDS, copy_db, need, running_server


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
    modules = {"api", "backfill", "clean", "analyze", "errors", "ingest", "match", "model", "pipeline", "serve", "store", "stories", "words"}
    assert set(storyline.__all__) == exported - modules


def test_readme_opens_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m venv .*$", readme, flags=re.MULTILINE)
    assert len(commands) == 2
    assert "storyline ingest examples/corpus" in commands[0] and "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "grep -m2 '^python3 -m venv' README.md" in ci  # CI runs the README's second command itself


def test_every_http_route_and_page_is_documented() -> None:
    from storyline.serve import feeds, pages
    from storyline.serve.app import create_app

    http = (REPO / "docs" / "http.md").read_text(encoding="utf-8")
    web = (REPO / "docs" / "web.md").read_text(encoding="utf-8")
    with storyline.open(":memory:") as sl:
        paths = create_app(sl).openapi()["paths"]
    operations = [(method.upper(), path) for path, methods in paths.items() for method in methods]
    assert len(operations) >= 6
    for method, path in operations:
        assert f"`{method} {path}" in http, f"{method} {path} is not in docs/http.md"
    page_paths = {route.path for route in pages.router.routes}  # type: ignore[attr-defined]
    assert len(page_paths) >= 12
    for path in page_paths:
        assert f"`{path}" in web, f"{path} is not in docs/web.md"
    for path in {route.path for route in feeds.router.routes}:  # type: ignore[attr-defined]
        assert f"`GET {path}" in http, f"{path} is not in docs/http.md"


# ---- the examples of the docs, run ---------------------------------------------------

EXAMPLE_DOCS = ["README.md", "docs/http.md", "docs/python-api.md"]
NOT_RUN = re.compile(r"<!--\s*not run:\s*[^>]+-->\s*$")
DOCS_TOKEN = "s3cret"  # the token the docs write
DOCS_PORT = "127.0.0.1:8000"


def example_blocks(doc: str) -> list[tuple[int, str, str]]:
    """(line, language, code) of each bash or python block of ``doc`` that is to be run."""
    lines = (REPO / doc).read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = re.match(r"^```(\w+)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        end = lines.index("```", i + 1)
        skipped = i > 0 and NOT_RUN.match(lines[i - 1].strip() or (lines[i - 2] if i > 1 else ""))
        if fence.group(1) in {"bash", "python"} and not skipped:
            blocks.append((i + 1, fence.group(1), "\n".join(lines[i + 1 : end])))
        i = end + 1
    return blocks


def shell_commands(code: str) -> list[str]:
    """The commands of a bash block, continuation lines joined, comments and blank lines left out."""
    commands, pending = [], ""
    for line in code.splitlines():
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quotation goes on over the next line
            pending += "\n"
            continue
        if pending.strip() and not pending.strip().startswith("#"):
            commands.append(pending.strip())
        pending = ""
    return commands


@pytest.fixture
def sandbox(news_db: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working directory with news.db and examples/, and a HOME whose ~/news/ holds the articles in it."""
    home = tmp_path / "home"
    shutil.copytree(CORPUS, home / "news" / "corpus")
    shutil.copytree(need(SEEDS), home / "news" / "seeds")
    work = tmp_path / "work"
    work.mkdir()
    copy_db(news_db, work)
    (work / "examples").symlink_to(REPO / "examples")
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_TOKEN"}
    env.update(HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(REPO))
    return work, env


def _serve_args(command: str) -> list[str]:
    """The arguments of a ``storyline serve`` line, bound to the loopback and a port the test picks."""
    words = shlex.split(command, comments=True)
    args = words[words.index("serve") + 1 :]
    for option in ("--host", "--port"):
        if option in args:
            del args[args.index(option) : args.index(option) + 2]
    if "--token" in args:
        del args[args.index("--token") : args.index("--token") + 2]
    return args


def run_shell_block(code: str, work: Path, env: dict[str, str], base: str, where: str) -> None:
    for command in shell_commands(code):
        if re.search(r"(^|\s)storyline serve(\s|$)", command):
            args = _serve_args(command)
            db = work / args[args.index("--db") + 1]
            token = DOCS_TOKEN if "STORYLINE_TOKEN=" in command or "--token" in command else None
            extra = tuple(a for i, a in enumerate(args) if a != "--db" and (i == 0 or args[i - 1] != "--db"))
            with running_server(db, token=token, extra=extra) as url:
                assert httpx.get(url + "/healthz", timeout=30).status_code == 200, where
            continue
        if command.startswith("storyline "):
            run_storyline(command, work, env, where)
            continue
        if command.startswith("curl "):
            command = "curl --fail-with-body -sS " + command[len("curl ") :].replace(f"http://{DOCS_PORT}", base)
        result = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{where}: {command}\nexit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


def run_storyline(command: str, work: Path, env: dict[str, str], where: str) -> None:
    """A ``storyline`` line run by the command itself in this process (models load once for all the lines),
    as the shell would: ``~`` expanded against HOME, ``> FILE`` written in the working directory (the current one)."""
    words = shlex.split(command, comments=True)[1:]
    target = None
    if ">" in words:
        words, target = words[: words.index(">")], words[words.index(">") + 1]
    words = [w.replace("~", env["HOME"], 1) if w.startswith("~/") else w for w in words]
    result = CliRunner().invoke(cli, words, catch_exceptions=True)
    assert result.exit_code == 0, f"{where}: {command}\nexit {result.exit_code}\n{result.output[-3000:]}\n{result.exception!r}"
    if target:
        (work / target).write_text(result.stdout, encoding="utf-8")


@pytest.mark.parametrize("doc", EXAMPLE_DOCS)
def test_the_examples_of_the_docs_run(doc: str, sandbox: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    work, env = sandbox
    blocks = example_blocks(doc)
    assert blocks, f"{doc} has no example to run"
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", env["HOME"])
    with running_server(work / "news.db", token=DOCS_TOKEN) as base:
        for line, language, code in blocks:
            where = f"{doc}:{line}"
            if language == "python":  # run here, as a script would run it; later blocks go on from the first's import
                exec(compile("import storyline\n" + code, where, "exec"), {"__name__": "__main__"})  # noqa: S102 - the docs' own code
            else:
                run_shell_block(code, work, env, base, where)
