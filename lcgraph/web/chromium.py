"""Headless Debian Chromium for the browser tests and the screenshot script (needs selenium).

One set of flags for both: headless, no sandbox (CI runs as root), a fresh profile, and nothing
that phones home (no background networking, component updates or sync).
"""

from __future__ import annotations

import shutil

__all__ = ["CHROMIUM_ARGS", "chromium_paths", "new_driver"]

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_paths() -> tuple[str | None, str | None]:
    """Debian's ``chromium`` and ``chromedriver`` on the PATH (None where missing)."""
    return shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which(
        "chromedriver"
    )


def new_driver(
    browser: str, driver: str, width: int, height: int, profile: str, extra: tuple[str, ...] = ()
):
    """A Selenium Chrome driver for ``browser`` with the profile folder ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (*CHROMIUM_ARGS, *extra, f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)
