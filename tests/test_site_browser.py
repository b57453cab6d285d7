"""The site of the real corpus (655 KEPs) in headless Chromium, opened from file://.

What a person does: open index.html, see every KEP, type in the filter, click a column
header, open KEP 753, follow one of its links. The expected rows come from a PyYAML scan
of the corpus, apart from keps. Chromium runs with no network of its own (no QUIC, no
background requests, every host name unresolvable) and Selenium is given the driver, so
Selenium Manager never downloads anything; each resource a page loaded is checked to
be a file of the site. Screenshots go to ``$KEPS_TEST_ARTIFACTS`` (else
``build/test-artifacts/``).

Skipped, saying why, where Chromium, chromedriver or selenium is absent; the tests of
the corpus's site also where ../shared is.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "enhancements-2026"
KEPS = 655

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs Chromium at {CHROMIUM}"),
    pytest.mark.skipif(not CHROMEDRIVER.exists(), reason=f"needs chromedriver at {CHROMEDRIVER}"),
]

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="needs selenium (pip install selenium)"
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

#: The fields the index's filter matches, as kep.yaml names them (and the folder's name).
FILTERED = ("kep-number", "title", "owning-sig", "status", "stage", "latest-milestone")


def artifacts() -> Path:
    """Where screenshots go: $KEPS_TEST_ARTIFACTS, else build/test-artifacts/ of the repository."""
    given = os.environ.get("KEPS_TEST_ARTIFACTS")
    folder = (
        Path(given) if given else Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module", name="corpus_site")
def _corpus_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(checkout, site): a copy of the corpus and its site, built once for the module."""
    import keps
    import keps.site

    if not CORPUS.is_dir():
        pytest.skip(
            f"needs the shared KEP corpus at {CORPUS} (absent in a fresh clone; present in CI)"
        )
    base = tmp_path_factory.mktemp("browser")
    checkout = base / "enhancements"
    shutil.copytree(CORPUS, checkout)
    keps.site.build(keps.load(checkout), base / "site")
    return checkout, base / "site"


def _options(profile: Path, *, javascript: bool) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    return options


@pytest.fixture(scope="module", name="browser")
def _browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = webdriver.Chrome(
        service=Service(str(CHROMEDRIVER)),
        options=_options(tmp_path_factory.mktemp("chromium"), javascript=True),
    )
    try:
        yield driver
    finally:
        driver.quit()


def scanned() -> dict[str, dict[str, str]]:
    """location -> the filtered fields of each KEP, read with PyYAML as text."""
    found = {}
    for path in sorted((CORPUS / "keps").rglob("kep.yaml")):
        if path.parent.name == "NNNN-kep-template":
            continue
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        fields = {name: str(data.get(name) or "") for name in FILTERED}
        fields["folder"] = path.parent.name
        found[path.parent.relative_to(CORPUS).as_posix()] = fields
    return found


def visible_rows(driver: Any) -> list[dict[str, str]]:
    """The rows of the index a person can see, top to bottom: location, number, title."""
    rows: list[dict[str, str]] = driver.execute_script(
        """
        return Array.from(document.querySelectorAll('#keps tbody tr'))
          .filter(row => row.offsetParent !== null)
          .map(row => ({location: row.dataset.location,
                        number: row.cells[0].innerText.trim(),
                        title: row.cells[1].querySelector('a').innerText.trim()}));
        """
    )
    return rows


def loaded_from_elsewhere(driver: Any) -> list[str]:
    """Every resource the page loaded that is not a file: URL."""
    urls: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name);"
    )
    return [url for url in urls if not url.startswith("file://")]


def screenshot(driver: Any, name: str) -> Path:
    path = artifacts() / name
    driver.save_screenshot(str(path))
    return path


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, (path, len(data))


@pytest.mark.corpus
def test_the_index_filters_as_you_type_and_sorts(
    corpus_site: tuple[Path, Path], browser: Any
) -> None:
    _, site = corpus_site
    browser.get((site / "index.html").as_uri())
    rows = visible_rows(browser)
    assert len(rows) == KEPS
    assert {row["location"] for row in rows} == set(scanned())
    assert browser.find_element(By.ID, "shown").text == f"{KEPS} KEPs"
    assert loaded_from_elsewhere(browser) == []
    assert_png(screenshot(browser, "site-index.png"))

    # the filter: exactly the KEPs with 'sidecar' in a field it matches
    expected = {
        location
        for location, fields in scanned().items()
        if any("sidecar" in value.lower() for value in fields.values())
    }
    assert 0 < len(expected) < KEPS
    browser.find_element(By.ID, "filter").send_keys("sidecar")
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "shown").text == f"{len(expected)} of {KEPS} KEPs"
    )
    assert {row["location"] for row in visible_rows(browser)} == expected
    assert_png(screenshot(browser, "site-index-sidecar.png"))

    # sorting: by title, then back by number, then numbers the other way round
    browser.find_element(By.ID, "filter").clear()
    browser.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'));")
    browser.find_element(By.CSS_SELECTOR, "#keps th.title button").click()
    titles = [row["title"].lower() for row in visible_rows(browser)]
    assert len(titles) == KEPS and titles == sorted(titles)
    header = browser.find_element(By.CSS_SELECTOR, "#keps th.title")
    assert header.get_attribute("aria-sort") == "ascending"
    header.find_element(By.TAG_NAME, "button").click()
    titles = [row["title"].lower() for row in visible_rows(browser)]
    assert titles == sorted(titles, reverse=True)
    number = browser.find_element(By.CSS_SELECTOR, "#keps th.number button")
    number.click()
    numbers = [int(row["number"]) for row in visible_rows(browser) if row["number"]]
    assert numbers == sorted(numbers) and numbers[0] == 0
    number.click()
    numbers = [int(row["number"]) for row in visible_rows(browser) if row["number"]]
    assert numbers == sorted(numbers, reverse=True)


@pytest.mark.corpus
def test_a_kep_page_and_its_links(corpus_site: tuple[Path, Path], browser: Any) -> None:
    import keps
    from keps.site.names import PageNames

    checkout, site = corpus_site
    collection = keps.load(checkout)
    pages = PageNames(entry.location for entry in collection)
    entry = collection[753]
    browser.get((site / pages[entry.location]).as_uri())
    assert browser.title.startswith("KEP-753: ")
    headings = browser.find_elements(By.CSS_SELECTOR, "article.readme h1, article.readme h2")
    assert len(headings) > 5
    assert all(heading.get_attribute("id") for heading in headings)
    assert "Sidecar" in headings[0].text
    assert loaded_from_elsewhere(browser) == []

    linked = collection.links.of(753)
    expected = {
        (site / pages[other.location]).as_uri()
        for kind in (
            "replaces",
            "replaced_by",
            "supersedes",
            "superseded_by",
            "see_also",
            "seen_from",
        )
        for other in getattr(linked, kind)
    }
    assert expected, "KEP 753 is linked with other KEPs in the corpus"
    anchors = browser.find_elements(By.CSS_SELECTOR, "section.links a")
    assert {anchor.get_attribute("href") for anchor in anchors} == expected
    assert_png(screenshot(browser, "site-kep-753.png"))

    # follow the first link: it lands on that KEP's page
    first = anchors[0]
    text, href = first.text, first.get_attribute("href")
    first.click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url == href)
    assert browser.find_element(By.TAG_NAME, "h1").text == text
    assert Path(href.removeprefix("file://")).is_file()


@pytest.mark.corpus
def test_without_javascript_every_row_is_there(
    corpus_site: tuple[Path, Path], tmp_path: Path
) -> None:
    _, site = corpus_site
    driver = webdriver.Chrome(
        service=Service(str(CHROMEDRIVER)), options=_options(tmp_path / "profile", javascript=False)
    )
    try:
        driver.get((site / "index.html").as_uri())
        assert len(visible_rows(driver)) == KEPS
        assert not driver.find_element(By.ID, "filter-box").is_displayed()
        assert driver.find_elements(By.CSS_SELECTOR, "th button") == []  # nothing to click
    finally:
        driver.quit()


def test_an_image_of_a_kep_shows(browser: Any, tmp_path: Path) -> None:
    """A PNG in a 2018 KEP's folder is copied and loads, the page's own policy allowing it."""
    import struct
    import zlib

    import keps.site
    from tests.kep_factory import make_kep

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 40 for _ in range(20))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 20, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    root = tmp_path / "root"
    kep = make_kep(root, "sig-node/pictures")
    (kep.path / "assets").mkdir(exist_ok=True)
    (kep.path / "assets" / "red.png").write_bytes(png)
    summary = kep.path / "summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\n![red](assets/red.png)\n")
    keps.site.build(root, tmp_path / "site", workers=1)
    browser.get((tmp_path / "site" / "keps" / "sig-node" / "sig-wide" / "pictures.html").as_uri())
    image = browser.find_element(By.CSS_SELECTOR, "article.readme img")
    assert browser.execute_script("return arguments[0].naturalWidth;", image) == 40
    assert image.get_attribute("alt") == "red"
    assert loaded_from_elsewhere(browser) == []
