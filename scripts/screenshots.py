"""Take the README's screenshots of every page from the built-in demo.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Loads the demo into a temporary SQLite file (the same path as ``finops demo``) and
runs the allocation over it,
serves it with uvicorn on a free loopback port, and drives Debian's Chromium with
Playwright. Needs ``/usr/bin/chromium``; takes about a minute.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import uvicorn
from rich.console import Console

from app.allocation.store import allocate_days
from app.context import AppContext
from app.demo_loader import load_demo
from app.settings import load_settings
from app.web.app import create_app
from collectors.demo import DemoCollector

PAGES = [
    ("overview", "/?window=14d"),
    ("allocation", "/allocation?group_by=team&window=30d"),
    ("services", "/services"),
    ("service", "/services/tacos/reservation-api"),
    ("recommendations", "/recommendations"),
    ("chargeback", "/chargeback?by=cost_center"),
    ("workloads", "/workloads"),
    ("system", "/system"),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        ctx = AppContext.create(load_settings(database_url=url, demo=True))
        load_demo(ctx, Console(stderr=True))
        window = DemoCollector().full_window()
        last = (window.end - timedelta(seconds=1)).date()
        allocate_days(ctx.sessions, ctx.settings, window.start.date(), last)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for name, path in PAGES:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                    print(f"{args.out / name}.png")
                phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
                phone.goto(base + "/")
                phone.wait_for_load_state("networkidle")
                phone.screenshot(path=str(args.out / "overview-phone.png"), full_page=False)
                print(f"{args.out / 'overview-phone'}.png")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            ctx.close()


if __name__ == "__main__":
    main()
