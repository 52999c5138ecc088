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
from tests.conftest import ROOT, SEEDS, free_port, run_module, serving

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
            assert r.status_code == 200 and "Jumlah hasil harus" in r.text, value


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


def test_an_article_over_the_passage_limit_is_cut_and_said(tmp_path):
    from berita.ingest import prepare

    (tmp_path / "long.txt").write_text("Judul\n\n" + "Kata demi kata terus berulang tanpa henti. " * 3000)
    cut = []
    documents, passages = prepare(
        read_articles([tmp_path]), Settings().replace(max_article_passages=50), note_cut=cut.append
    )
    assert len(passages) == 50 and documents[0].text.endswith(passages[-1].text)
    assert len(cut) == 1 and "long.txt" in cut[0] and "50 passages" in cut[0]


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


# ---- hostile files, sizes and careless operators ----------------------------------------------------------
TEXT = "Pasar baru di Batang ramai dikunjungi warga. Harga cabai turun sejak Senin pagi."


def read_in_subprocess(folder, timeout: float = 60) -> subprocess.CompletedProcess:
    """The articles of ``folder`` read in a child process, which a hang cannot outlive (``timeout``)."""
    code = (
        "import sys, json\nfrom berita.ingest import read_articles\n"
        "found = [a.doc_id for a in read_articles([__import__('pathlib').Path(sys.argv[1])], warn=print)]\n"
        "print(json.dumps(found))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_a_symlink_loop_is_skipped_with_a_message(tmp_path):
    (tmp_path / "r1").mkdir()
    (tmp_path / "r1" / "a.txt").symlink_to("b.txt")
    (tmp_path / "r1" / "b.txt").symlink_to("a.txt")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    skipped = []
    assert [a.doc_id for a in read_articles([tmp_path], warn=skipped.append)] == ["ok"]
    assert len(skipped) == 2 and all("symbolic link loop" in m for m in skipped)


def test_a_named_pipe_is_skipped_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    proc = read_in_subprocess(tmp_path, timeout=30)  # before: blocked forever opening the pipe
    assert json.loads(proc.stdout.splitlines()[-1]) == ["ok"] and "not a regular file" in proc.stdout
    with pytest.raises(Exception, match="not a regular file"):
        list(read_articles([tmp_path / "pipe.txt"]))


@pytest.mark.skipif(shutil.which("setpriv") is None and os.geteuid() == 0, reason="root writes anywhere")
def test_an_index_folder_without_write_permission_is_one_clear_line(tmp_path, previous):
    index = tmp_path / "index"
    shutil.copytree(previous.storage.index_dir, index)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({**GOOD, "doc_id": "baru"}) + "\n", encoding="utf-8")
    index.chmod(0o555)
    try:
        command = [sys.executable, "-m", "berita", "index", str(new), "--index", str(index), "--force"]
        if os.geteuid() == 0:  # root ignores permissions unless it gives up the capability to
            command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        index.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert f"cannot build in {index}" in proc.stderr and "left as it was" in proc.stderr
    still_answers(previous.replace(index_dir=index), SearchEngine.load(previous).embedder)


def test_runs_of_punctuation_split_in_linear_time(tmp_path):
    """A megabyte of dots, and of "?!" and ". ", one line each: before, 64,000 dots took 93 s."""
    code = (
        "from berita.core.text import sentence_spans\n"
        "for text in ('.' * 1_000_000, '?!' * 500_000, 'a. ' * 330_000, 'A. B. ' * 160_000):\n"
        "    sentence_spans(text)\n"
        "print('done')"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "done"


def test_utf16_without_a_byte_order_mark_is_read_as_text(tmp_path):
    (tmp_path / "le.txt").write_bytes(("Judul\n\n" + TEXT).encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(("Judul\n\n" + TEXT).encode("utf-16-be"))
    rows = [{**GOOD, "doc_id": f"j{n}", "text": TEXT} for n in range(3)]
    (tmp_path / "rows.jsonl").write_bytes("\n".join(json.dumps(r) for r in rows).encode("utf-16-le"))
    found = {a.doc_id: a.text for a in read_articles([tmp_path])}
    assert sorted(found) == ["be", "j0", "j1", "j2", "le"]
    assert all("Pasar baru di Batang" in text for text in found.values())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8"])
@pytest.mark.parametrize("separator", ["\u2028", "\u0085", "\u2029"])
def test_raw_line_separators_inside_jsonl_strings_are_text(tmp_path, encoding, separator):
    rows = [{**GOOD, "doc_id": "a"}, {**GOOD, "doc_id": "b", "text": f"Baris satu{separator}baris dua."}, GOOD]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + ["{broken"]
    (tmp_path / "a.jsonl").write_bytes("\n".join(lines).encode(encoding))
    skipped = []
    found = list(read_articles([tmp_path], warn=skipped.append))
    assert [a.doc_id for a in found] == ["a", "b", "good"] and "baris dua" in found[1].text
    assert len(skipped) == 1 and "a.jsonl:4" in skipped[0]  # the broken row keeps its own line number


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_every_kind_of_line_ending_in_jsonl(tmp_path, newline):
    rows = [json.dumps({**GOOD, "doc_id": f"d{n}"}) for n in range(5)]
    (tmp_path / "a.jsonl").write_bytes(newline.join(rows).encode())
    assert [a.doc_id for a in read_articles([tmp_path])] == [f"d{n}" for n in range(5)]


def test_a_50_mb_article_is_cut_to_the_limit_quickly(tmp_path):
    """One 50 MB article: before, 160,056 passages and 2.1 GB; now cut at the limit, said so, in seconds."""
    para = "Harga cabai di pasar Batang turun lagi pada Senin pagi menurut para pedagang. " * 8 + "\n"
    (tmp_path / "huge.txt").write_text("Judul panjang sekali\n\n" + para * (50_000_000 // len(para)))
    code = (
        "import sys, json, re\nfrom pathlib import Path\nfrom berita import Settings\n"
        "from berita.ingest import prepare, read_articles\ncut = []\n"
        "docs, passages = prepare(read_articles([Path(sys.argv[1])]), Settings(), note_cut=cut.append)\n"
        # VmHWM, not ru_maxrss: the latter keeps the forking test process's peak across exec
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
        "print(json.dumps([len(docs), len(docs[0].text), len(passages), cut, peak]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    documents, chars, passages, cut, peak_mb = json.loads(proc.stdout.splitlines()[-1])
    limits = Settings().ingest
    assert documents == 1 and chars <= limits.max_article_chars and passages <= limits.max_article_passages
    assert len(cut) == 1 and "huge.txt" in cut[0] and "BERITA_MAX_ARTICLE_CHARS" in cut[0]
    assert peak_mb < 500  # the file's bytes and text, and the program


def test_ids_that_a_browser_would_resolve_away_are_refused(tmp_path):
    rows = [{**GOOD, "doc_id": ".."}, {**GOOD, "doc_id": "."}, {**GOOD, "doc_id": "ok"}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (tmp_path / "..txt").write_text(TEXT, encoding="utf-8")  # its name's stem is "."
    skipped = []
    assert [a.doc_id for a in read_articles([tmp_path], warn=skipped.append)] == ["ok"] and len(skipped) == 3


def test_an_index_inside_the_corpus_is_not_read_back(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = Settings().replace(index_dir=corpus / "index")
    first = build([corpus], settings, embedder)
    again = build([corpus], settings, embedder)  # before: documents.jsonl of the index came back as articles
    assert again.documents == first.documents == len(list(SEEDS.glob("*.txt")))
    assert again.skipped == 1


def test_a_build_that_would_empty_the_archive_stops_and_can_be_rolled_back(tmp_path, embedder):
    index = tmp_path / "index"
    settings = Settings().replace(index_dir=index)
    whole = build([SEEDS], settings, embedder).documents
    one = next(SEEDS.glob("*.txt"))
    before = sorted(p.name for p in index.iterdir())
    with pytest.raises(BuildError, match=f"would remove {whole - 1} of the {whole} documents.*--force.*--rollback"):
        build([one], settings, embedder)
    assert sorted(p.name for p in index.iterdir()) == before
    assert build([one], settings, embedder, force=True).removed_documents == whole - 1
    assert SearchEngine.load(settings, embedder).info.documents == 1
    proc = run_module("berita", "index", "--rollback", "--index", str(index))
    assert proc.returncode == 0 and "rolled back" in proc.stdout, proc.stderr
    assert SearchEngine.load(settings, embedder).info.documents == whole
    still_answers(settings, embedder)
    assert run_module("berita", "index", "--rollback", "--index", str(tmp_path / "none")).returncode == 2


def test_head_is_answered_on_every_get_route(client):
    for path in ("/", "/?q=Allmed", "/healthz", "/api/search?q=Allmed", f"/documents/{ALLMED}", "/openapi.json"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/api/documents/nope").status_code == 404


def test_the_schema_says_what_the_api_checks(client):
    params = {p["name"]: p for p in client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["pattern"] == r"\S" and "date_to" in params["date_from"]["description"]
    r = client.get("/api/search", params={"q": " \t "})
    assert r.status_code == 422
    r = client.get("/api/search", params={"q": "Allmed", "date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert r.status_code == 422 and "date" in r.json()["detail"]


def test_the_page_echoes_a_huge_query_at_most_a_limit_long(client):
    r = client.get("/", params={"q": "x" * 60_000})
    clear(r)
    assert len(r.content) < 30_000 and "x" * 1002 not in r.text


def test_an_overlong_address_is_refused(server):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(server)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)  # httpx refuses to send it
    connection.request("GET", "/api/search?q=Allmed&source=" + "s" * 100_000)
    response = connection.getresponse()
    body = response.read()
    assert response.status == 414 and b"longer than" in body and len(body) < 1000
    assert response.getheader("x-content-type-options") == "nosniff"


@pytest.fixture(scope="module")
def limited(seed_settings):
    """A server with small limits: documents in parts of 1,500 characters, a second to send a request's headers."""
    env = {"BERITA_MAX_DOCUMENT_CHARS": "1500", "BERITA_HEADER_TIMEOUT": "1"}
    with serving(seed_settings.storage.index_dir, env=env) as base:
        yield base


def test_a_long_document_is_served_in_parts(limited):
    with httpx.Client(base_url=limited, timeout=60) as c:
        first = c.get(f"/api/documents/{ALLMED}").json()
        assert first["parts"] > 1 and first["part"] == 1
        whole = [
            p["passage_id"]
            for n in range(1, first["parts"] + 1)
            for p in c.get(f"/api/documents/{ALLMED}", params={"part": n}).json()["passages"]
        ]
        assert len(whole) == len(set(whole)) and whole[0] == f"{ALLMED}.p0"
        second = c.get(f"/api/documents/{ALLMED}", params={"part": 2}).json()
        assert second["text_start"] > 0 and second["document"]["text"].startswith(second["passages"][0]["text"][:50])
        assert c.get(f"/api/documents/{ALLMED}", params={"part": first["parts"] + 1}).status_code == 404
        page = c.get(f"/documents/{ALLMED}", params={"p": whole[-1]})  # the part that holds the cited passage
        assert f'id="p-{whole[-1]}"' in page.text and f'id="p-{whole[0]}"' not in page.text
        assert "Bagian sebelumnya" in page.text


def test_a_connection_that_never_sends_its_headers_is_closed(limited):
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(limited)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        s.settimeout(6)
        assert s.recv(1024) == b""  # closed by the server, not left open (before: held without a limit)


# ---- Milvus Lite files ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def milvus_file(tmp_path_factory):
    """The seeds in a Milvus Lite file, built by the CLI (a child process: this one must not hold the file)."""
    pytest.importorskip("pymilvus", reason="the milvus extra: pip install '.[milvus]'")
    folder = tmp_path_factory.mktemp("milvus")
    proc = run_module("berita", "index", str(SEEDS), "--backend", "milvus", "--milvus-uri", str(folder / "m.db"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder / "m.db"


def milvus_flags(db) -> list[str]:
    return ["--backend", "milvus", "--milvus-uri", str(db)]


def test_a_milvus_lite_file_stays_owned_by_the_process_holding_it(milvus_file, tmp_path):
    flags = milvus_flags(milvus_file)
    port = free_port()
    with serving(tmp_path, [sys.executable, "-m", "berita", "serve", *flags, "--port", str(port)], port) as base:
        for _ in range(2):  # before: the first refused search deleted the lock and the second went through
            proc = run_module("berita", "search", *flags, "Allmed")
            assert proc.returncode == 2 and "is open in process" in proc.stderr, proc.stderr[-1000:]
        proc = run_module("berita", "index", str(SEEDS), *flags)
        assert proc.returncode == 2 and "is open in process" in proc.stderr
        assert httpx.get(base + "/api/search", params={"q": "Allmed"}, timeout=60).json()["results"]
    assert run_module("berita", "search", *flags, "Allmed").returncode == 0  # stopped: free again


def test_a_killed_holder_leaves_no_lock_in_the_way(milvus_file):
    code = (
        "import sys, time\nfrom berita.backends.milvus import MilvusStore\nMilvusStore(sys.argv[1])\n"
        "print('held', flush=True)\ntime.sleep(600)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(milvus_file)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert run_module("berita", "search", *milvus_flags(milvus_file), "Allmed").returncode == 2
    finally:
        holder.kill()  # kill -9: it releases nothing itself
        holder.wait()
    proc = run_module("berita", "search", *milvus_flags(milvus_file), "Allmed")
    assert proc.returncode == 0, proc.stderr[-1000:]


@pytest.mark.parametrize("kind", ["garbage", "text", "truncated", "folder"])
def test_a_damaged_milvus_lite_file_has_its_own_message(tmp_path, kind):
    pytest.importorskip("pymilvus", reason="the milvus extra: pip install '.[milvus]'")
    from berita.backends.milvus import MilvusStore

    db = tmp_path / "m.db"
    if kind == "folder":
        db.mkdir()
    else:
        db.write_bytes(
            {"garbage": os.urandom(50_000), "text": b"hello\n" * 100, "truncated": b"SQLite format 3\x00" + b"\0" * 84}[
                kind
            ]
        )
    with pytest.raises(IndexStoreError) as caught:
        MilvusStore(str(db))
    message = str(caught.value)
    assert "one process" not in message and str(db) in message
    assert {"folder": "is a folder", "truncated": "damaged"}.get(kind, "not a Milvus Lite database") in message


def test_milvus_lite_writes_no_logs_to_the_temporary_folder(milvus_file, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    proc = run_module("berita", "search", *milvus_flags(milvus_file), "Allmed", env={"TMPDIR": str(temporary)})
    assert proc.returncode == 0 and list(temporary.iterdir()) == []  # before: milvus.INFO, milvus.WARNING, ...
