"""Regenerate docs/story-page.png: the story page of the seeds, in headless Chromium.

    python scripts/story_screenshot.py

Ingests ../shared/seeds into a temporary store, serves it on a free loopback port
and photographs the story page with the system's Chromium (playwright; no download).
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import storyline  # noqa: E402
from storyline.serve.app import create_app  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, SEEDS  # noqa: E402

OUT = REPO / "docs" / "story-page.png"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="storyline-screenshot-") as tmp, storyline.open(Path(tmp) / "seeds.db") as sl:
        report = sl.ingest([SEEDS])
        if not report.ok or report.added == 0:
            sys.exit(f"could not ingest {SEEDS}: {report.problems}")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(sl), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    user_data_dir=Path(tmp) / "profile", executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
                    viewport={"width": 1000, "height": 700},
                )
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.locator("ol.river h2 a").first.click()
                page.screenshot(path=str(OUT), full_page=True)
                context.close()
        finally:
            server.should_exit = True
            thread.join()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
