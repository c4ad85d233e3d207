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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's lcgraph, also when it is not installed

from lcgraph.web import chromium  # noqa: E402
from lcgraph.web.launch import running_server  # noqa: E402

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


def new_driver(width: int, height: int, profile: str):
    browser, driver = chromium.chromium_paths()
    if not browser or not driver:
        raise SystemExit("chromium and chromedriver are needed: `make browser-deps` installs them")
    return chromium.new_driver(browser, driver, width, height, profile, ("--hide-scrollbars",))


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
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    with running_server(env=env, cwd=ROOT, start_timeout=120) as (base, _proc, _lines):
        take(base, args.out, args.width)


if __name__ == "__main__":
    main()
