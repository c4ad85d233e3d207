"""Screenshots of every page of the web UI, taken in headless Chromium: ``docs/screenshots/``.

Starts a real ``lcgraph serve`` on 127.0.0.1 (the seed graph; the built store when there is
one), drives Debian's ``chromium`` with Selenium through each page (running a saved query, a
peer match...) and writes one PNG per page, then stops the server. ``make screenshots`` runs it
(and installs chromium first when it is missing).

    python docs/make_screenshots.py [--out docs/screenshots] [--width 1280]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (file name, what the README says about it)
SHOTS = [
    ("home.png", "Home: what the graph holds, sources, search"),
    ("search.png", "Search by name or alias (Kwangju finds Gwangju)"),
    ("entity.png", "An entity page: key facts, targets as sentences and a table, map, sources"),
    ("query.png", "Query: a saved query run from its form, sortable results, downloads"),
    ("query-error.png", "Query: a syntax error with its position"),
    ("match.png", "Peer match: weights, ranked candidates, reasons and sources"),
    ("network.png", "Network: the figure, centrality and brokerage tables"),
    ("ontology.png", "The ontology's documentation"),
    ("phone.png", "The home page on a narrow (phone) screen"),
]


def start_server() -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "lcgraph", "serve", "--host", "127.0.0.1", "--port", "0"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if not found and line.startswith("serving on "):
                found.append(line.split()[-1].strip())
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(120)
    if not found:
        stop(proc)
        raise SystemExit("lcgraph serve did not start")
    return proc, found[0]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def new_driver(width: int, height: int, profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        raise SystemExit("chromium and chromedriver are needed: `make browser-deps` installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def snap(chrome, path: Path, width: int, max_height: int = 2200) -> None:
    """The page down to ``max_height`` pixels (the window grows to the page's height)."""
    height = chrome.execute_script("return document.documentElement.scrollHeight")
    chrome.set_window_size(width, min(max(height, 600), max_height))
    time.sleep(0.2)
    chrome.save_screenshot(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def wait_for(chrome, predicate, timeout: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(chrome, timeout).until(predicate)


def take(base: str, out: Path, width: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    profile = tempfile.mkdtemp(prefix="lcgraph-shots-")
    chrome = new_driver(width, 900, profile)
    try:
        chrome.get(base + "/")
        snap(chrome, out / "home.png", width)

        chrome.get(base + "/search?q=kwangju")
        snap(chrome, out / "search.png", width)

        chrome.get(base + "/page/city/tokyo")
        snap(chrome, out / "entity.png", width)

        chrome.set_window_size(width, 900)
        chrome.get(base + "/query")
        chrome.find_element(By.CSS_SELECTOR, "#saved-targets-by-threshold summary").click()
        chrome.find_element(By.CSS_SELECTOR, "#saved-targets-by-threshold button").click()
        wait_for(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "#results tbody tr"))
        chrome.find_element(By.CSS_SELECTOR, "#results thead th:nth-child(2) button").click()
        chrome.execute_script("window.scrollTo(0, 0)")
        snap(chrome, out / "query.png", width)

        chrome.set_window_size(width, 900)
        chrome.get(base + "/query")
        editor = chrome.find_element(By.ID, "query")
        editor.send_keys(Keys.CONTROL, "a")
        editor.send_keys(Keys.DELETE)
        editor.send_keys("PREFIX lcc: <https://w3id.org/lcc/ontology#>\nSELECT ?city WHERE {\n")
        editor.send_keys("  ?city a lcc:City ; lcc:hasTarget\n}")
        chrome.find_element(By.ID, "run").click()
        wait_for(chrome, lambda c: c.find_element(By.ID, "error").is_displayed())
        snap(chrome, out / "query-error.png", width)

        chrome.set_window_size(width, 900)
        chrome.get(base + "/match")
        Select(chrome.find_element(By.ID, "city")).select_by_value("tokyo")
        chrome.find_element(By.ID, "w_topics").send_keys(Keys.RIGHT, Keys.RIGHT)
        chrome.find_element(By.ID, "run-match").click()
        wait_for(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "li.reason"))
        snap(chrome, out / "match.png", width)

        chrome.set_window_size(width, 900)
        chrome.get(base + "/network?group=country")
        wait_for(
            chrome,
            lambda c: c.execute_script(
                "const i = document.getElementById('network-figure');"
                "return i.complete && i.naturalWidth > 0;"
            ),
            timeout=90,
        )
        snap(chrome, out / "network.png", width)

        chrome.set_window_size(width, 900)
        chrome.get(base + "/ontology")
        snap(chrome, out / "ontology.png", width, max_height=1400)
    finally:
        chrome.quit()
    phone = new_driver(390, 844, profile + "-phone")
    try:
        phone.get(base + "/")
        phone.save_screenshot(str(out / "phone.png"))
        print(f"wrote {out / 'phone.png'}")
    finally:
        phone.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(profile + "-phone", ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    proc, base = start_server()
    try:
        take(base, args.out, args.width)
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
