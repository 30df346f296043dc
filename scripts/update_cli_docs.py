"""Regenerate docs/cli.md from the commands' own --help (tests/test_docs.py checks it is current).

    python scripts/update_cli_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyline.serve.cli import cli  # noqa: E402

CLI_MD = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
INTRO = """# Command line

Every command takes `--help`; this page is generated from it by `scripts/update_cli_docs.py`.
The store is `$STORYLINE_DB`, else `./storyline.db`; pass `--db FILE` to use another SQLite
file, or `--db postgresql://user@host/database` for PostgreSQL ([scale.md](scale.md)).

Exit codes: 0 success; 1 an error, or (for `ingest`, `backfill` and `cluster`) some inputs
could not be read, or (for `fetch`) a source could not be polled, which are listed on
standard error; 2 a usage mistake. Watching feeds, sitemaps and pages: [sources.md](sources.md).
"""


def render() -> str:
    runner = CliRunner()
    sections = [INTRO]
    commands: list[list[str]] = [[]]
    for name in sorted(cli.commands):
        commands.append([name])
        group = cli.commands[name]
        if isinstance(group, click.Group):  # `storyline sources add`, ...: each subcommand gets its section
            commands.extend([name, sub] for sub in sorted(group.commands))
    for words in commands:
        result = runner.invoke(cli, [*words, "--help"], prog_name="storyline", terminal_width=100)
        sections.append(f"## {' '.join(['storyline', *words])}\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    CLI_MD.write_text(render(), encoding="utf-8")
    print(f"wrote {CLI_MD}")
