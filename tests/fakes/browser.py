"""The console in a real browser: Debian's Chromium, the screenshot folder, signing in as staff (Playwright)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# `make screenshots` sets USULKAN_CONSOLE_SHOTS=1 to refresh docs/screenshots/console-*.png; an
# ordinary test run takes the same screenshots into a temporary folder and leaves the docs as they are.
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("USULKAN_CONSOLE_SHOTS")
         else Path(tempfile.gettempdir()) / f"usulkan-console-shots-{os.getpid()}")
PASSWORD = "rahasia-dinsos-123"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                                reason="Debian's chromium is not installed (apt install chromium)")



def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


def sign_in(browser, url: str, username: str, *, shot_login: bool = False):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    page.goto(f"{url}/console/")
    assert page.url.endswith("/console/login")
    if shot_login:
        shot(page, "login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "salah" if shot_login else PASSWORD)
    page.click("button[type=submit].primary")
    if shot_login:
        assert "Nama pengguna atau kata sandi salah" in page.inner_text("main")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit].primary")
    page.wait_for_url("**/console/inbox")
    return page
