"""Page tests in a real browser: Debian's Chromium driven by Playwright (skipped where the
machine has none). Test modules set `pytestmark = NEEDS_CHROMIUM` and take the `chromium`
fixture (tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
# Playwright's sync API runs an event loop in the test's thread; the ORM calls there are
# plain setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def launch() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def login(page: Any, base: str, username: str, password: str = "pw") -> None:
    """Sign in through the login form and wait for the landing page (the order list)."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/orders/")
