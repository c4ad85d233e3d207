"""The web UI in a real browser: headless Debian Chromium driven by Selenium against a real
``lcgraph serve`` on 127.0.0.1.

These tests never skip: without ``chromium`` and ``chromedriver`` they fail and say how to get
them (``make test`` installs Debian's ``chromium`` and ``chromium-driver``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

import pytest
from lcserver import running_server

from lcgraph.web import chromium

pytestmark = pytest.mark.browser

MAX_ROWS = 200
TIMEOUT_S = 5  # the server's query time limit: short, so that the timeout test is quick
WAIT_S = 20


def chromium_paths() -> tuple[str, str]:
    browser, driver = chromium.chromium_paths()
    if not browser or not driver:
        pytest.fail(
            "the browser tests need Debian's chromium and chromium-driver "
            f"(found chromium: {browser}, chromedriver: {driver}); "
            "`make test` installs them (`make browser-deps`)"
        )
    return browser, driver


def new_driver(width: int = 1280, height: int = 1000):
    """A headless Chromium with a fresh profile and nothing that phones home."""
    browser, driver = chromium_paths()
    profile = tempfile.mkdtemp(prefix="lcgraph-chromium-")
    extra = ("--disable-extensions", "--no-default-browser-check")
    chrome = chromium.new_driver(browser, driver, width, height, profile, extra)
    chrome.set_page_load_timeout(60)
    chrome._lcgraph_profile = profile  # removed when the driver quits (see the fixture)
    return chrome


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real ``lcgraph serve`` on the seed graph (built in memory), with a small row cap."""
    absent = tmp_path_factory.mktemp("ui") / "no-store"
    env = {"LCGRAPH_MAX_ROWS": str(MAX_ROWS), "LCGRAPH_QUERY_TIMEOUT": str(TIMEOUT_S)}
    with running_server("--store", str(absent), "--workers", "1", env=env) as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    chrome = new_driver()
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(chrome._lcgraph_profile, ignore_errors=True)


def wait(browser, condition, timeout: float = WAIT_S):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def visible(selector: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return ec.visibility_of_element_located((By.CSS_SELECTOR, selector))


def css(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def css_all(browser, selector: str):
    from selenium.webdriver.common.by import By

    return browser.find_elements(By.CSS_SELECTOR, selector)


def test_search_a_city_by_alias_and_open_its_page(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/")
    assert "lcgraph" in browser.title
    box = css(browser, "#home-q")
    assert css(browser, "label[for=home-q]").text  # the field has a visible label
    box.send_keys("Kwangju", Keys.ENTER)
    wait(browser, visible("ol.results"))
    link = browser.find_element(By.LINK_TEXT, "Gwangju")
    assert "Kwangju" in css(browser, "ol.results").text  # the alias that matched
    link.click()
    wait(browser, lambda b: b.current_url.endswith("/page/city/gwangju"))
    assert css(browser, "h1").text == "Gwangju"
    assert "Kwangju" in css(browser, ".keyfacts").text
    assert css_all(browser, "figure.map svg")  # a city with coordinates gets its map
    assert css_all(browser, "ul.sources blockquote.quote")  # sources with their quotes
    # a statement's source badge leads to its document and the quotes from it
    badge = css(browser, "table.statements .source a[href^='#src-']")
    fragment = badge.get_attribute("href").split("#", 1)[1]
    badge.click()
    wait(browser, lambda b: b.current_url.endswith("#" + fragment))
    assert css(browser, f"li#{fragment} blockquote.quote").is_displayed()


def test_run_a_saved_query_with_a_parameter_and_read_the_table(server, browser):
    browser.get(server + "/query#saved-search")  # the link opens that query's form
    field = wait(browser, visible("#p-search-text"))
    field.clear()
    field.send_keys("Kwangju")
    css(browser, "#saved-search button[type=submit]").click()
    table = wait(browser, visible("#results tbody tr"))
    headers = [th.text for th in css_all(browser, "#results thead th")]
    assert headers[:2] == ["entity", "label"]
    cells = [td.text for td in table.find_elements("css selector", "td")]
    assert "city/gwangju" in cells and "Gwangju" in cells and "Kwangju" in cells
    assert re.fullmatch(r"\d+ rows?\.", css(browser, "#status").text)
    assert "format=csv" in css(browser, "#dl-csv").get_attribute("href")
    assert "text=Kwangju" in css(browser, "#dl-json").get_attribute("href")


def test_results_sort_and_show_truncation(server, browser):
    browser.get(server + "/query")
    editor = css(browser, "#query")
    editor.clear()
    editor.send_keys("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    css(browser, "#run").click()
    note = wait(browser, visible("#note"))
    assert "Truncated" in note.text and str(MAX_ROWS) in note.text
    assert len(css_all(browser, "#results tbody tr")) == MAX_ROWS
    # numbers sort as numbers (10 after 3), each click flips the order, aria-sort says which
    editor.clear()
    editor.send_keys("SELECT ?n ?name WHERE { VALUES (?n ?name) { (3 'c') (10 'a') (2 'b') } }")
    css(browser, "#run").click()
    wait(browser, lambda b: css(b, "#status").text == "3 rows.")
    header = css(browser, "#results thead th:first-child")

    def column() -> list[str]:
        return [
            r.find_element("css selector", "td").text for r in css_all(browser, "#results tr")[1:]
        ]

    header.find_element("css selector", "button").click()
    assert column() == ["2", "3", "10"] and header.get_attribute("aria-sort") == "ascending"
    header.find_element("css selector", "button").click()
    assert column() == ["10", "3", "2"] and header.get_attribute("aria-sort") == "descending"
    # the highlighter colours the editor's text
    assert css_all(browser, "#highlight .tok-keyword")


def test_a_syntax_error_shows_its_message_and_position(server, browser):
    browser.get(server + "/query")
    editor = css(browser, "#query")
    editor.clear()
    editor.send_keys("SELECT * WHERE { ?s ?p }")
    css(browser, "#run").click()
    error = wait(browser, visible("#error"))
    assert "syntax error at line 1, column" in error.text
    assert "At line 1, column" in css(browser, "#error-position").text
    assert error.get_attribute("role") == "alert"
    assert not css(browser, "#results").is_displayed()


def test_a_query_past_the_time_limit_says_so(server, browser):
    browser.get(server + "/query")
    editor = css(browser, "#query")
    editor.clear()
    editor.send_keys("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    css(browser, "#run").click()
    error = wait(browser, visible("#error"), timeout=TIMEOUT_S + 30)
    assert error.text.startswith("Time limit:"), error.text
    assert css(browser, "#status").text == "The query timed out."


def test_peer_match_shows_ranked_candidates_with_reasons(server, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/match")
    Select(css(browser, "#city")).select_by_value("tokyo")
    slider = css(browser, "#w_topics")
    slider.send_keys(Keys.RIGHT)  # weights are tuned with the keyboard too
    assert css(browser, "output[for=w_topics]").text == "1.5"
    css(browser, "#run-match").click()
    wait(browser, visible("#candidates"))
    candidates = css_all(browser, "li.candidate")
    assert candidates
    reasons = [r.text for r in css_all(browser, "li.reason")]
    assert any("Kuala Lumpur" in r for r in reasons), reasons[:5]
    assert css_all(browser, "li.reason .source a")  # each reason cites its sources
    assert "w_topics=1.5" in browser.current_url


def test_network_page_shows_the_figure_and_tables(server, browser):
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/network")
    Select(css(browser, "#group")).select_by_value("network")
    css(browser, "form.inline button").click()
    wait(browser, lambda b: "group=network" in b.current_url)
    # the figure is drawn on the first request: wait until the image has loaded
    wait(
        browser,
        lambda b: b.execute_script(
            "const i = document.getElementById('network-figure');"
            "return i.complete && i.naturalWidth > 0;"
        ),
        timeout=60,
    )
    assert len(css_all(browser, "#centrality tbody tr")) > 3
    assert len(css_all(browser, "#brokerage tbody tr")) > 3
    assert "Brokerage by network" in css(browser, "#h-brok").text


def test_api_docs_render_from_local_files(server, browser):
    # the browser has no network beyond 127.0.0.1 here: a CDN-hosted Swagger UI stays blank
    browser.get(server + "/docs")
    wait(browser, visible(".opblock-summary-path"), timeout=60)
    paths = {e.text.replace("\u200b", "") for e in css_all(browser, ".opblock-summary-path")}
    assert "/api/match/{slug}" in paths and "/sparql" in paths


def test_the_dataset_description_is_a_page_in_a_browser(server, browser):
    """Chromium's own Accept header (HTML first, application/xml at 0.9) gets the page, whose
    links reach the class partitions, the dumps and the machine-readable forms."""
    from selenium.webdriver.common.by import By

    browser.get(server + "/.well-known/void")
    wait(browser, visible("h1"))
    assert css(browser, "h1").text == "Dataset description (VoID, DCAT)"
    partition = browser.find_element(By.PARTIAL_LINK_TEXT, "lcc:City:")
    target = partition.get_attribute("href").rsplit("#", 1)[1]
    assert css(browser, f"section#{target} h2").text == partition.text
    dump = browser.find_element(By.LINK_TEXT, "https://w3id.org/lcc/download/lcgraph.nq.gz")
    assert dump.get_attribute("href") == server + "/download/lcgraph.nq.gz"
    turtle = browser.find_element(By.LINK_TEXT, "Turtle").get_attribute("href")
    assert turtle == server + "/.well-known/void?format=ttl"


def test_pages_fit_a_narrow_screen_and_start_with_a_skip_link(server):
    from selenium.webdriver.common.keys import Keys

    chrome = new_driver(width=390, height=844)
    try:
        for path in (
            "/",
            "/search?q=tokyo",
            "/query",
            "/match?city=tokyo",
            "/network",
            "/page/city/tokyo",
        ):
            chrome.get(server + path)
            overflow = chrome.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
        chrome.get(server + "/")
        css(chrome, "body").send_keys(Keys.TAB)
        active = chrome.switch_to.active_element
        assert active.get_attribute("class") == "skip" and active.is_displayed()
    finally:
        chrome.quit()
        shutil.rmtree(chrome._lcgraph_profile, ignore_errors=True)


def test_screenshot_script_writes_every_page(tmp_path):
    """docs/make_screenshots.py (``make screenshots``) still drives every page."""
    import subprocess
    import sys

    from lcserver import ROOT

    chromium_paths()
    script = ROOT / "docs" / "make_screenshots.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCGRAPH_")}
    env["LCGRAPH_STORE"] = str(tmp_path / "no-store")  # the seed graph, built in memory
    proc = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path / "shots"), "--width", "1000"],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = sorted(p.name for p in (tmp_path / "shots").glob("*.png"))
    expected = sorted(name for name, _ in _shots(script))
    assert written == expected
    for name in written:
        assert (tmp_path / "shots" / name).read_bytes()[:4] == b"\x89PNG"


def _shots(script):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_screenshots", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SHOTS
