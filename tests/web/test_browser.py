"""The pages as a person sees them, in Debian's Chromium driven by Selenium, against the real server."""

import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ALLMED = "002_40828a4ac6eca9be"
CHROMIUM = os.environ.get("BERITA_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BERITA_CHROMEDRIVER", "/usr/bin/chromedriver")


def start_browser(tmp_path: Path, javascript: bool = True, size=(1280, 900)) -> webdriver.Chrome:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} not found): "
            "apt-get install chromium chromium-driver (make test does this)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    try:
        return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as exc:
        pytest.fail(f"Chromium did not start: {exc.msg}")


@pytest.fixture
def browser(tmp_path):
    driver = start_browser(tmp_path)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots go: docs/ with `make screenshots`, a scratch folder otherwise."""
    folder = Path(os.environ.get("BERITA_SCREENSHOT_DIR") or "/tmp/berita-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ask(driver, server: str, question: str):
    driver.get(server + "/")
    box = driver.find_element(By.ID, "q")
    box.send_keys(question, Keys.ENTER)
    WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.ID, "results")))


def text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def test_indonesian_question_shows_answer_card_and_citation(browser, server, shots):
    question = "berapa hektare ruang yang disiapkan Pemkab Batang untuk UMKM?"
    ask(browser, server, question)
    assert text(browser, "#answer h2") == "JAWABAN"  # uppercase by CSS; a person reads it so
    assert text(browser, "#answer-level") == "yakin, 9 dari 10 jawaban seperti ini benar"
    assert text(browser, "#answer .span") == "20 hektare"
    assert "Sumber: PojokPantura.Com — paragraf 2–3" in text(browser, "#answer .cite")
    assert text(browser, "#r-1 .citation") == "Sumber: PojokPantura.Com — paragraf 2–3"
    assert browser.find_element(By.ID, "q").get_attribute("value") == question  # kept
    assert "20 hektare" in text(browser, "#r-1 mark.answer")
    assert browser.find_element(By.CSS_SELECTOR, "html").get_attribute("lang") == "id"
    browser.save_screenshot(str(shots / "search-id.png"))


def test_english_question_gets_english_labels(browser, server, shots):
    ask(browser, server, "How much is Allmed investing in Batang?")
    assert text(browser, "#answer h2") in ("ANSWER", "POSSIBLE ANSWER — CHECK THE PASSAGE")  # its calibrated level
    assert text(browser, "#answer .span") == "USD 100 million (USD 100 juta)"  # for an English reader, then the source
    assert text(browser, "#r-1 .citation") == "Source: not stated, 12 June 2025 — paragraph 9"
    assert text(browser, "#detected-lang") == "English"
    page = browser.find_element(By.TAG_NAME, "main").text
    for indonesian_label in ("Jawaban", "Sumber:", "Bahasa pertanyaan", "Saring"):
        assert indonesian_label not in page
    browser.save_screenshot(str(shots / "search-en.png"))


def test_ui_language_toggle_keeps_the_question(browser, server):
    ask(browser, server, "How much is Allmed investing in Batang?")
    browser.find_element(By.ID, "ui-switch").click()
    WebDriverWait(browser, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#answer h2"), "JAWABAN"))
    assert browser.find_element(By.ID, "q").get_attribute("value") == "How much is Allmed investing in Batang?"
    assert text(browser, "#r-1 .citation").startswith("Sumber:")


def test_document_page_marks_scrolls_to_and_copies_the_cited_passage(browser, server, shots):
    browser.get(server + "/?q=How+much+is+Allmed+investing+in+Batang%3F&ui=id")
    browser.find_element(By.CSS_SELECTOR, "#answer .cite a").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "copy-citation")))
    assert browser.current_url.endswith(f"#p-{ALLMED}.p5")
    marked = browser.find_element(By.CSS_SELECTOR, ".passage.marked")
    assert marked.get_attribute("id") == f"p-{ALLMED}.p5" and "USD 100 juta" in marked.text
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;", marked
    )
    assert in_view
    button = browser.find_element(By.ID, "copy-citation")
    assert button.text == "Salin kutipan"
    button.click()
    WebDriverWait(browser, 5).until(EC.text_to_be_present_in_element((By.ID, "copy-status"), "Kutipan disalin"))
    citation = browser.find_element(By.ID, "copy-citation").get_attribute("data-citation")
    assert citation.startswith("“Batang dan Zhijiang China Jajaki Kerja Sama Sister City”") and "paragraf 9" in citation
    assert browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight;", marked
    )
    browser.save_screenshot(str(shots / "document.png"))


def test_search_works_without_javascript(tmp_path, server):
    driver = start_browser(tmp_path, javascript=False)
    try:
        ask(driver, server, "How many workers will KIT Batang need?")
        assert "150.000" in text(driver, "#answer .span")
    finally:
        driver.quit()


def test_phone_sized_screen_has_no_sideways_scrolling(tmp_path, server, shots):
    driver = start_browser(tmp_path, size=(390, 844))
    try:
        ask(driver, server, "siapa bupati Batang?")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        driver.save_screenshot(str(shots / "search-phone.png"))
    finally:
        driver.quit()


def test_empty_page_offers_the_newest_articles_to_search(browser, server):
    browser.get(server + "/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"  # focus starts in the search box
    examples = browser.find_elements(By.CSS_SELECTOR, ".examples a")
    assert len(examples) == 4 and examples[0].text == "Batang dan Zhijiang China Jajaki Kerja Sama Sister City"
    examples[0].click()  # the seeds' newest article (2025-06-12), drawn from the index, not written in the page
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "results")))
    assert text(browser, "#results h3") == "Batang dan Zhijiang China Jajaki Kerja Sama Sister City"


def test_error_and_no_match_states(browser, server):
    browser.get(server + "/?q=" + "x" * 1200)
    assert "1000" in text(browser, ".error") and "Traceback" not in browser.page_source
    browser.get(server + "/?q=Allmed&date_from=2030-01-01")
    assert text(browser, "#empty") == "Tidak ada artikel yang cocok dengan saringan."
    browser.get(server + "/?q=Allmed&source=nowhere")
    assert text(browser, ".error") == "Kesalahan: Tidak ada sumber bernama “nowhere” di arsip ini."
    browser.get(server + "/documents/nope")
    assert "Dokumen tidak ditemukan" in text(browser, ".error")


def test_filters_and_more_results(browser, server):
    browser.get(server + "/?q=kerja+sama+industri&k=10&group=passage")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".result")) == 10
    browser.find_element(By.ID, "more").click()
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".result")) == 20)
    browser.get(server + "/?q=kerja+sama+industri&source=ANTARA")
    citations = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".result .citation")]
    assert citations and all(c.startswith("Sumber: ANTARA") for c in citations)


def test_results_read_as_news_one_article_each_counted_faceted_and_sorted(browser, server, shots):
    browser.get(server + "/?q=kerja+sama+KIT+Batang&k=2")
    titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".result h3")]
    assert len(titles) == 2 and len(set(titles)) == 2  # one result an article by default
    found = int(browser.find_element(By.ID, "found").get_attribute("data-found"))
    assert found > 2 and text(browser, "#found") == f"{found} artikel cocok"
    more = browser.find_element(By.CSS_SELECTOR, "#r-1 .more-in-article")
    assert not more.find_element(By.CSS_SELECTOR, "p.passage").is_displayed()
    more.find_element(By.TAG_NAME, "summary").click()  # the article's next best passages, folded under it
    assert more.find_element(By.CSS_SELECTOR, "p.passage").text.startswith("paragraf ")
    facet = {e.get_attribute("data-value"): e for e in browser.find_elements(By.CSS_SELECTOR, "#facet-source a")}
    assert set(facet) == {"ANTARA", "PojokPantura.Com"} and text(browser, "#facet-month a") == "Juni 2025 1"
    browser.save_screenshot(str(shots / "news-results.png"))
    facet["ANTARA"].click()
    WebDriverWait(browser, 10).until(EC.url_contains("source=ANTARA"))
    citations = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".result .citation")]
    assert citations and all(c.startswith("Sumber: ANTARA") for c in citations)
    assert text(browser, "#found") == "1 artikel cocok"

    browser.get(server + "/?q=kerja+sama+KIT+Batang&k=5")
    assert "12 Juni 2025" not in text(browser, "#r-1 .citation")
    browser.find_element(By.CSS_SELECTOR, ".options summary").click()
    Select(browser.find_element(By.ID, "sort")).select_by_visible_text("Terbaru")
    browser.find_element(By.CSS_SELECTOR, ".search button").click()
    WebDriverWait(browser, 10).until(EC.url_contains("sort=date"))
    assert "12 Juni 2025" in text(browser, "#r-1 .citation")


def reader_with_confidence(folder: Path, bias: float) -> Path:
    """The shipped reader with a confidence of sigmoid(bias) for every answer ("sure" from 0.9, none under 0.3)."""
    from berita import Settings
    from berita.answering import Calibrator
    from berita.answering.confidence import FEATURES

    shipped = Settings().answers.reader_file
    folder.mkdir(parents=True)
    for name in ("reader.npz", "reader.json"):
        (folder / name).symlink_to(shipped.with_name(name))
    weights = [0.0] * len(FEATURES) + [bias]
    Calibrator({"id": weights, "en": weights}, {"id": 0.9, "en": 0.9}, {"id": 0.3, "en": 0.3}).save(
        folder / "confidence.json"
    )
    return folder / "reader.npz"


@pytest.mark.parametrize(
    ("bias", "heading", "words", "green"),
    [
        (5.0, "JAWABAN", "yakin, 9 dari 10 jawaban seperti ini benar", True),
        (0.0, "KEMUNGKINAN JAWABAN — PERIKSA KUTIPANNYA", "belum pasti", False),
    ],
)
def test_a_sure_answer_and_a_possible_one_look_different(browser, seed_settings, tmp_path, bias, heading, words, green):
    import sys

    from tests.conftest import free_port, serving

    reader = reader_with_confidence(tmp_path / "reader", bias)
    port = free_port()
    index = str(seed_settings.storage.index_dir)
    command = [
        "env",
        f"BERITA_READER_FILE={reader}",
        sys.executable,
        "-m",
        "web",
        "--index",
        index,
        "--port",
        str(port),
    ]
    with serving(seed_settings.storage.index_dir, command, port) as server:
        ask(browser, server, "berapa nilai investasi Allmed?")
        card = browser.find_element(By.ID, "answer")
        assert text(browser, "#answer h2") == heading
        assert words in text(browser, "#answer-level")
        assert text(browser, "#answer .span") == "USD 100 juta"
        border = card.value_of_css_property("border-left-color")
        mark = browser.find_element(By.CSS_SELECTOR, "#answer mark.answer").value_of_css_property("background-color")
        is_green = lambda rgba: (lambda r, g, b: g > r + 20 and g > b + 20)(*map(int, rgba[5:-1].split(",")[:3]))  # noqa: E731
        assert is_green(border) == green and is_green(mark) == green


def test_the_api_docs_render_their_operations(browser, server):
    # the page must draw the operations, not only answer 200: a Swagger UI that reads OpenAPI 3.0 only showed
    # "Unable to render this definition" for the 3.1 document FastAPI writes
    browser.get(server + "/docs")
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    paths = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    assert "/api/search" in paths and any(p.startswith("/api/documents/") for p in paths)
    assert "Unable to render" not in browser.find_element(By.TAG_NAME, "body").text


LONG_TITLE = "Pemerintah Kabupaten Batang menyiapkan kawasan industri terpadu " * 6
UNBROKEN = "https://contoh.example/berita/" + "panjangsekali" * 60


@pytest.fixture(scope="module")
def awkward_server(tmp_path_factory, embedder):
    """An index of articles with a 390-character title, an unbroken 800-character string and a long source."""
    import json

    from berita import Settings, build
    from tests.conftest import serving

    folder = tmp_path_factory.mktemp("awkward")
    rows = [
        {
            "doc_id": "panjang-" + "x" * 150,
            "title": LONG_TITLE,
            "text": f"Batang (ANTARA) - Kawasan industri Batang dibuka. Alamatnya {UNBROKEN} di sana.\n"
            "Investasi di kawasan industri Batang mencapai Rp 5 triliun tahun ini menurut pemerintah.",
            "source": "Sumber" * 30,
            "url": UNBROKEN,
        }
    ]
    (folder / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    settings = Settings().replace(index_dir=folder / "index")
    build([folder / "a.jsonl"], settings, embedder)
    with serving(settings.storage.index_dir) as base:
        yield base


def test_no_page_scrolls_sideways_on_a_phone_whatever_the_text(tmp_path, awkward_server):
    driver = start_browser(tmp_path, size=(390, 844))
    try:
        ask(driver, awkward_server, "kawasan industri Batang " + "panjangsekali" * 20)
        pages = {"search": driver.current_url}
        link = driver.find_element(By.CSS_SELECTOR, "#results h3 a").get_attribute("href")
        pages.update(document=link, missing=awkward_server + "/documents/" + "y" * 300, error=awkward_server + "/?k=x")
        for name, url in pages.items():
            driver.get(url)
            fits = driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"the {name} page scrolls sideways at 390 px"
    finally:
        driver.quit()
