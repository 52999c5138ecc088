"""Nothing a user feeds it takes it down: hundreds of bad inputs to the API, the page, the CLI and the indexer,
each answered with a clear error or a correct answer, and the index that was there still answers afterwards.
Everything runs for real: a uvicorn server on loopback, the real model, real index builds."""

import json
import os
import shutil
import subprocess
import sys

import httpx
import pytest

from berita import BuildError, IndexStoreError, SearchEngine, Settings
from berita.ingest import build, read_articles
from tests.conftest import ROOT, SEEDS

ALLMED = "002_40828a4ac6eca9be"
ODD_TEXT = [
    "",
    " ",
    "\t\n",
    "\u200b\u200b",
    "\u0000",
    "a\u0000b",
    "💰" * 300,
    "北京" * 500,
    "\u202eRTL override",
    "ﷺ" * 50,
    "Ａｌｌｍｅｄ",
    "x" * 1000,
    "x" * 1001,
    "x" * 20000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '{"json": [1, 2]}',
    "%00%ff",
    "../../etc/passwd",
    "ÿþ\x7f\x1b[31m",
    "berapa?" * 100,
    "?",
    "siapa",
    "How",
    "\\x00\\n",
    "Allmed\r\nInjected: header",
    "A" * 999 + "é",
    "\U0001f600 berapa nilai investasi Allmed? \U0001f600",
]
BAD_K = ["0", "51", "-1", "1e3", "²", "①", "٣", "9" * 5000, "5.5", "true", "null", "0x10", "١٠", "5 5"]
BAD_LANG = ["fr", "ID", "id ", "xx" * 50, "😀", "en\u0000"]
BAD_DATES = ["2025-13-01", "2025-02-30", "kemarin", "9" * 100, "2025/01/01", "0000-00-00", "2025-1-1", "²⁰²⁵-01-01"]
BAD_OFFSETS = ["-1", "501", "x", "1" * 400]
MISSING_IDS = ["nope", "a/b/c", "%2e%2e%2f", "x" * 3000, "😀", " ", "%00", "news/2025/001", "a%2Fb"]
# a client resolves dot segments before sending: these reach other routes, which must not fail either
DOT_IDS = ["..", "../seeds", "002_40828a4ac6eca9be/..", "./."]


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


def clear(response: httpx.Response) -> None:
    """A bad input gets a clear answer: never a 500, a JSON detail for 4xx on the API, a bounded body, security headers."""
    assert response.status_code < 500, response.text[:300]
    assert len(response.content) < 200_000
    assert (
        response.headers["x-content-type-options"] == "nosniff"
        and "frame-ancestors" in response.headers["content-security-policy"]
    )
    if response.status_code >= 400 and response.request.url.path.startswith("/api/"):
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail and len(response.content) < 20_000


@pytest.mark.parametrize("q", ODD_TEXT)
def test_api_odd_queries(client, q):
    clear(client.get("/api/search", params={"q": q}))


@pytest.mark.parametrize("q", ODD_TEXT)
def test_library_odd_queries(engine, q):
    from berita import QueryError

    try:
        response = engine.search(q)
    except QueryError as exc:
        assert str(exc)  # a message, not a crash
    else:
        assert response.query and all(r.text for r in response.results)


@pytest.mark.parametrize("q", ODD_TEXT)
def test_page_odd_queries(client, q):
    r = client.get("/", params={"q": q})
    clear(r)
    assert r.status_code == 200 and "Traceback" not in r.text and "<script>alert(1)</script>" not in r.text


@pytest.mark.parametrize("source", ODD_TEXT)
def test_api_odd_sources(client, source):
    r = client.get("/api/search", params={"q": "berapa nilai investasi Allmed?", "source": source})
    clear(r)
    assert r.status_code == 422 or r.json()["results"] == [] or source.strip() == ""


@pytest.mark.parametrize("ui", ["", "fr", "<b>", "id\u0000", "x" * 500, "en"])
@pytest.mark.parametrize("where", ["/", f"/documents/{ALLMED}"])
def test_odd_interface_languages(client, where, ui):
    r = client.get(where, params={"q": "Allmed", "ui": ui, "p": ui})
    clear(r)
    assert r.status_code == 200 and "<b>" not in r.text


@pytest.mark.parametrize(
    "name,values",
    [("k", BAD_K), ("lang", BAD_LANG), ("date_from", BAD_DATES), ("date_to", BAD_DATES), ("offset", BAD_OFFSETS)],
)
@pytest.mark.parametrize("where", ["/api/search", "/"])
def test_bad_parameters(client, where, name, values):
    for value in values:
        r = client.get(where, params={"q": "berapa nilai investasi Allmed?", name: value})
        clear(r)
        if where == "/api/search" and name in ("k", "date_from", "date_to", "offset"):
            assert r.status_code == 422, (name, value)
        if where == "/" and name == "k":
            assert r.status_code == 200 and "k must be" in r.text, value


@pytest.mark.parametrize("doc_id", MISSING_IDS + DOT_IDS)
def test_odd_document_ids(client, doc_id):
    for where in ("/api/documents/", "/documents/"):
        r = client.get(where + doc_id)
        clear(r)
        assert r.status_code == 404 if doc_id in MISSING_IDS else r.status_code in (200, 307, 404)
        assert "root:" not in r.text


def test_huge_parameters_are_refused_without_echoing_them(client):
    r = client.get("/api/search", params={"q": "x" * 30_000})
    clear(r)
    assert r.status_code == 422 and len(r.content) < 2_000


def test_security_headers_and_local_api_docs(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    for path in ("/", "/healthz", "/api/search?q=Allmed", f"/documents/{ALLMED}"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY" and "default-src 'self'" in headers["content-security-policy"]


def test_api_hides_server_paths(client):
    doc = client.get(f"/api/documents/{ALLMED}").json()["document"]
    assert not doc["path"].startswith("/") and str(ROOT) not in json.dumps(doc)


@pytest.mark.parametrize("query", ["\u200b", "x" * 1001, "   ", "💰" * 10])
def test_cli_odd_queries(seed_settings, query):
    proc = subprocess.run(
        [sys.executable, "-m", "search", "--json", "--index", str(seed_settings.storage.index_dir), query, "Allmed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["query"] == "Allmed"


# ---- the indexer ------------------------------------------------------------------------------------------
GOOD = {"doc_id": "good", "title": "Judul", "text": "Isi berita tentang pelabuhan Batang yang ramai dikunjungi kapal."}
WRONG_VALUES = [7, 1.5, True, [], ["a", "b"], {}, {"x": 1}]
BAD_ROWS = (
    [{**GOOD, "doc_id": v} for v in [None, "", "  ", 7, ["x"], {"a": 1}, "a" * 300, "a\nb"]]
    + [{**GOOD, "text": v} for v in [None, "", "   ", 7, ["a", "b"], {"t": 1}]]
    + [{**GOOD, field: v} for field in ("title", "date", "source", "url") for v in WRONG_VALUES]
    + [{**GOOD, "date": v} for v in ["kemarin", "12/6/2025", "2025"]]
    + [[1, 2], "text", 3, None]
)


@pytest.fixture(scope="module")
def previous(tmp_path_factory, embedder):
    """An index of the seeds that bad builds must leave answering."""
    settings = Settings().replace(index_dir=tmp_path_factory.mktemp("previous") / "index")
    build([SEEDS], settings, embedder)
    return settings


def still_answers(settings, embedder) -> None:
    engine = SearchEngine.load(settings, embedder)
    assert engine.search("berapa nilai investasi Allmed?").results[0].doc_id == ALLMED


@pytest.mark.parametrize("row", BAD_ROWS, ids=[json.dumps(r)[:40] for r in BAD_ROWS])
def test_each_bad_jsonl_row_is_rejected_alone(tmp_path, row, caplog):
    rows = [{**GOOD, "doc_id": "before"}, row, {**GOOD, "doc_id": "after"}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    skipped = []
    found = list(read_articles([tmp_path], warn=skipped.append))
    assert [a.doc_id for a in found] == ["before", "after"] and len(skipped) == 1 and "a.jsonl:2" in skipped[0]
    for a in found:
        assert all(isinstance(getattr(a, f), (str, type(None))) for f in ("title", "date", "source", "url"))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "data:text/html,<script>x</script>",
        "JaVaScRiPt:alert(1)",
        "vbscript:x",
        "file:///etc/passwd",
        " javascript:x",
    ],
)
def test_links_other_than_http_are_dropped(tmp_path, url):
    (tmp_path / "a.jsonl").write_text(json.dumps({**GOOD, "url": url}) + "\n", encoding="utf-8")
    (article,) = read_articles([tmp_path])
    assert article.url is None


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_files_in_other_encodings_are_read(tmp_path, encoding):
    text = "Kafe di Batang ramai. Harga kopi naik 5% — kata pemilik café itu, Senin (12/6/2025)."
    if encoding == "latin-1":
        text = text.replace("—", "-")
    (tmp_path / "a.txt").write_bytes(("Judul berita\n\n" + text).encode(encoding))
    (article,) = read_articles([tmp_path])
    assert "café" in article.text and "Batang" in article.text


def test_one_bad_byte_costs_only_its_line(tmp_path):
    lines = [json.dumps({**GOOD, "doc_id": f"d{n}"}).encode() for n in range(200)]
    lines[149] = lines[149].replace(b"ramai", b"ramai \xff")
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    found = list(read_articles([tmp_path]))
    assert len(found) == 200 and "ramai" in found[149].text


def test_links_out_of_the_corpus_are_not_followed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    secret = tmp_path / "secret.txt"
    secret.write_text("Rahasia negara yang tidak boleh diindeks sama sekali.", encoding="utf-8")
    (corpus / "passwd.txt").symlink_to(secret)
    (corpus / "inside.txt").symlink_to(corpus / "000_9c241ea94c40f395.txt")
    skipped = []
    ids = [a.doc_id for a in read_articles([corpus], warn=skipped.append)]
    assert "passwd" not in ids and "inside" in ids and any("outside the folders given" in m for m in skipped)


def test_a_mostly_rejected_build_keeps_the_index(tmp_path, previous, embedder):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(GOOD)] + [json.dumps({"x": n}) for n in range(5)]) + "\n", encoding="utf-8")
    before = sorted(p.name for p in previous.storage.index_dir.iterdir())
    with pytest.raises(BuildError, match="5 of 6 inputs were rejected.*--force"):
        build([bad], previous, embedder)
    assert sorted(p.name for p in previous.storage.index_dir.iterdir()) == before
    still_answers(previous, embedder)


def test_forced_build_and_cli_flag(tmp_path, embedder):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(GOOD)] + ["{broken"] * 3) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    proc = subprocess.run(
        [sys.executable, "-m", "indexer", "build", str(bad), "--index", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2 and "--force" in proc.stderr and "Traceback" not in proc.stderr
    assert build([bad], Settings().replace(index_dir=index), embedder, force=True).documents == 1


def test_an_index_folder_that_cannot_be_written_is_a_clear_error(tmp_path, embedder):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(IndexStoreError, match="cannot build in"):
        build([SEEDS], Settings().replace(index_dir=blocker / "index"), embedder)


def test_huge_one_line_article_warns(tmp_path, caplog):
    from berita.ingest import prepare

    (tmp_path / "huge.txt").write_text(
        "Judul\n\n" + "Kata demi kata terus berulang tanpa henti. " * 30000, encoding="utf-8"
    )
    with caplog.at_level("WARNING", logger="berita"):
        _, passages = prepare(read_articles([tmp_path]), Settings())
    assert len(passages) > 1000 and any("MB of text" in r.getMessage() for r in caplog.records)


ODD_FILES = {
    "a.html": "<html><body><p>Berita <b>tebal <i>miring</p></div></body>",  # unclosed and stray tags
    "b.html": "<script>alert(1)</script><style>p{}</style>",  # nothing to read
    "c.html": "<p>" + "&amp;" * 1000 + " Batang</p>",
    "d.md": "![gambar](x.png)\n\n[tautan]()",
    "e.md": "# Judul saja",
    "f.txt": "\ufeff\ufeffJudul\n\nIsi dengan dua BOM di depan tentang pelabuhan Batang.",
    "g.txt": "\x00\x01\x02 biner \x03",
    "h.txt": "Baris\r\nWindows\r\nTentang Batang dan pelabuhan yang ramai dikunjungi.",
    "i.jsonl": "\n\n   \n",
    "j.jsonl": '{"doc_id": "j", "text": "Isi tentang Batang.", "extra": {"nested": [1, 2, 3]}}',
}


@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_odd_files_are_read_or_reported(tmp_path, name):
    (tmp_path / name).write_text(ODD_FILES[name], encoding="utf-8")
    skipped = []
    for article in read_articles([tmp_path], warn=skipped.append):
        assert isinstance(article.text, str) and "<script>" not in article.text and "alert(1)" not in article.text


def test_unreadable_file_is_reported(tmp_path):
    if os.geteuid() == 0:
        (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")  # root reads everything; a dangling link fails
    else:
        (tmp_path / "locked.txt").write_text("x")
        (tmp_path / "locked.txt").chmod(0)
    skipped = []
    assert list(read_articles([tmp_path], warn=skipped.append)) == [] and len(skipped) == 1
