"""Regenerate the screenshots of docs/web.md: one of each page type, in headless Chromium.

    python scripts/screenshots.py

Ingests the sample corpus and ../shared/seeds into a temporary store, serves it on a free
loopback port with a write token, and photographs with the system's Chromium (playwright;
nothing downloaded) the river, the seeds' story, an article, an entity, a search, and the
edit log after an analyst logged in and split an article off a story and undid it.
Writes docs/screenshots/*.png.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import uvicorn
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import storyline  # noqa: E402
from storyline.serve.app import ServeSettings, create_app  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, CORPUS, SEEDS  # noqa: E402

OUT = REPO / "docs" / "screenshots"
TOKEN = "screenshot-token"


def seeds_story_and_query(sl: storyline.Storyline) -> tuple[str, str]:
    """The seeds' story, and a spelling of the person its articles write in most ways (the search page shows the others)."""
    seeds = str(SEEDS.resolve())
    story = next(s for s in sl.stories(limit=None) if any(Path(a.source).resolve().is_relative_to(seeds) for a in s.articles))
    people = {m.entity_id for a in story.articles for m in a.mentions if m.type == "PERSON" and m.entity_id}
    entities = [e for e in map(sl.entity, sorted(people)) if e is not None]
    person = max(entities, key=lambda e: (len(e.aliases), e.mentions))
    return story.id, min(person.aliases, key=lambda a: (a == person.name, -person.aliases[a]))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="storyline-screenshots-") as tmp, storyline.open(Path(tmp) / "news.db") as sl:
        report = sl.ingest([CORPUS, SEEDS])
        if not report.ok or report.added == 0:
            sys.exit(f"could not ingest {CORPUS} and {SEEDS}: {report.problems}")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(sl, ServeSettings(token=TOKEN)), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    user_data_dir=Path(tmp) / "profile", executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                    viewport={"width": 1000, "height": 700},
                )
                page = context.new_page()

                def shoot(name: str) -> None:
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                    print(f"wrote {OUT / f'{name}.png'}")

                page.goto(base + "/")
                shoot("river")
                story_id, query = seeds_story_and_query(sl)
                page.goto(f"{base}/search?q={quote(query)}")
                shoot("search")
                page.goto(f"{base}/stories/{story_id}")
                shoot("story")
                page.locator("#articles td.headline a").first.click()
                shoot("article")
                page.locator("section.text a.name.person").first.click()
                shoot("entity")
                # An analyst logs in, splits the first article off a story, then undoes it from the log.
                page.goto(f"{base}/login?next=/")
                page.fill("input[name=token]", TOKEN)
                page.click("form.login button")
                page.locator("ol.river h2 a").first.click()
                page.locator("#articles input[type=checkbox]").first.check()
                page.click("#checked button[type=submit]:not([formaction])")
                page.goto(base + "/edits")
                page.locator("table.edits button").first.click()
                shoot("edits")
                context.close()
        finally:
            server.should_exit = True
            thread.join()


if __name__ == "__main__":
    main()
