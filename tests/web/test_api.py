"""The JSON API and pages against a real uvicorn server on 127.0.0.1."""

import html
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import RESULT_FIELDS

ALLMED = "002_40828a4ac6eca9be"


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


def test_health(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["documents"] == 5 and body["model"] == "multilingual-e5-small"


@pytest.mark.parametrize(
    "q,lang,span,doc",
    [
        ("berapa hektare ruang yang disiapkan Pemkab Batang untuk UMKM?", "id", "20 hektare", "003_f339ff4e51c5c88e"),
        ("How much is Allmed investing in Batang?", "en", "USD 100 juta", ALLMED),
    ],
)
def test_search_returns_the_cli_shape(client, q, lang, span, doc):
    r = client.get("/api/search", params={"q": q, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == q and body["lang"] == lang and len(body["results"]) == 3
    assert body["answer"]["span"] == span and body["results"][0]["doc_id"] == doc
    assert set(body["results"][0]) == RESULT_FIELDS
    assert body["answer"]["level"] in ("sure", "possible") and 0 < body["answer"]["confidence"] < 1


def test_forced_language(client):
    assert client.get("/api/search", params={"q": "Allmed", "lang": "en"}).json()["lang"] == "en"


@pytest.mark.parametrize(
    "params,needle",
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "empty"),
        ({}, "q: Field required"),
        ({"q": "x" * 1001}, "at most 1000"),
        ({"q": "Allmed", "k": 0}, "k:"),
        ({"q": "Allmed", "k": 51}, "k:"),
        ({"q": "Allmed", "k": "many"}, "k:"),
        ({"q": "Allmed", "lang": "fr"}, "lang:"),
    ],
)
def test_bad_requests_are_422_with_a_message(client, params, needle):
    r = client.get("/api/search", params=params)
    assert r.status_code == 422 and needle in r.json()["detail"]


def test_document_with_passages(client):
    body = client.get(f"/api/documents/{ALLMED}").json()
    doc = body["document"]
    assert doc["title"].startswith("Batang dan Zhijiang")
    for p in body["passages"]:
        assert doc["text"][p["start"] : p["end"]] == p["text"]
    assert client.get("/api/documents/nope").status_code == 404


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    assert "/api/search" in client.get("/openapi.json").json()["paths"]


def test_search_page_shows_answer_citation_and_links(client):
    page = client.get("/", params={"q": "How much is Allmed investing in Batang?", "ui": "id"}).text
    assert '<p class="span">USD 100 million <span class="source-span" lang="id">(USD 100 juta)</span></p>' in page
    assert "Sumber: tidak disebutkan, 12 Juni 2025 — paragraf 9" in page  # the article's own paragraph
    assert f'href="/documents/{ALLMED}?p={ALLMED}.p5&amp;ui=id#p-{ALLMED}.p5"' in page
    assert '<mark class="term">Allmed</mark>' in page
    silent = client.get("/", params={"q": "siapa pemenang piala dunia sepak bola 1998?"}).text
    assert 'id="answer"' not in silent and 'id="no-answer"' in silent


def test_english_page_has_english_labels(client):
    page = client.get("/", params={"q": "How much is Allmed investing in Batang?"}).text
    assert (
        "Source: not stated, 12 June 2025" in page
        and (">Answer<" in page or ">Possible answer — check the passage<" in page)
        and "Sumber:" not in page
        and "Jawaban" not in page
    )


def test_user_text_is_escaped(client):
    attack = '<script>alert("x")</script>'
    page = client.get("/", params={"q": attack}).text
    assert attack not in page and html.escape(attack, quote=False) in page or "&lt;script&gt;" in page


def test_the_examples_are_the_newest_articles_of_the_index(client, engine):
    newest = engine.recent(4)
    page = client.get("/").text
    assert len(newest) == 4 and all(html.escape(d.title, quote=False) in page for d in newest)
    dates = [d.date or "" for d in newest]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2025-06-12"  # the seeds' latest first


def test_empty_and_error_states(client):

    odd = client.get("/", params={"q": "Allmed", "k": "banyak", "lang": "xx", "date_from": "kemarin"})
    assert odd.status_code == 200 and "Jumlah hasil harus bilangan bulat dari 1 sampai 50" in odd.text
    odd = client.get("/", params={"q": "Allmed", "k": "", "lang": "xx", "date_from": "kemarin"})
    # in the page's language, without the API's parameter names
    alert = odd.text.split('role="alert">')[1].split("</p>")[0]
    assert odd.status_code == 200 and "Tanggal harus ditulis lengkap" in alert and "date_from" not in alert
    page = client.get("/", params={"q": "x" * 1200})
    assert page.status_code == 200 and "paling banyak 1000 karakter" in page.text and "Traceback" not in page.text
    english = client.get("/", params={"q": "x" * 1200, "ui": "en"})
    assert "too long: 1000 characters at most" in english.text


def test_document_page_marks_the_cited_passage(client):
    page = client.get(f"/documents/{ALLMED}", params={"p": f"{ALLMED}.p5"}).text
    assert f'id="p-{ALLMED}.p5" class="passage marked"' in page
    assert f'href="#p-{ALLMED}.p5" aria-label="paragraf 9">¶9</a>' in page  # numbered as the citation counts
    assert client.get("/documents/nope").status_code == 404


def test_filters_by_source_and_date(client):
    by_source = client.get("/api/search", params={"q": "kerja sama", "k": 50, "source": "antara"}).json()["results"]
    assert by_source and {r["doc_id"] for r in by_source} == {"001_16895b95b8928085"}
    dated = client.get(
        "/api/search", params={"q": "kerja sama", "k": 50, "date_from": "2025-01-01", "date_to": "2025-12-31"}
    ).json()
    assert {r["doc_id"] for r in dated["results"]} == {ALLMED}
    none = client.get("/api/search", params={"q": "kerja sama", "date_to": "2000-01-01"}).json()
    assert none["results"] == [] and none["answer"] is None
    assert client.get("/api/search", params={"q": "x", "date_from": "kemarin"}).status_code == 422


def test_a_date_range_that_cannot_hold_an_article_is_an_error_not_an_empty_result(client):
    inverted = client.get("/api/search", params={"q": "kerja sama", "date_from": "2025-12-31", "date_to": "2025-01-01"})
    assert inverted.status_code == 422 and "date_from (2025-12-31) is after date_to (2025-01-01)" in inverted.text
    same_day = client.get("/api/search", params={"q": "kerja sama", "date_from": "2025-06-12", "date_to": "2025-06-12"})
    assert same_day.status_code == 200
    page = client.get("/", params={"q": "kerja sama", "date_from": "2025-12-31", "date_to": "2025-01-01"})
    assert page.status_code == 200 and "Tanggal awal jatuh setelah tanggal akhir" in page.text
    # the page takes its dates as typed; one that is no day of the calendar is said so, not compared as text
    page = client.get("/", params={"q": "kerja sama", "date_from": "2025-02-30"})
    assert page.status_code == 200 and "Tanggal harus ditulis lengkap" in page.text


def test_paging_with_offset(client):
    first = client.get("/api/search", params={"q": "Batang", "k": 4}).json()["results"]
    second = client.get("/api/search", params={"q": "Batang", "k": 2, "offset": 2}).json()["results"]
    assert [r["passage_id"] for r in second] == [r["passage_id"] for r in first[2:4]]
    assert [r["rank"] for r in second] == [3, 4]


def test_concurrent_requests_get_the_same_answers_as_sequential_ones(server, engine):
    questions = [
        "berapa nilai investasi Allmed?",
        "How many workers will KIT Batang need?",
        "siapa bupati Batang?",
        "Which city in South Korea did the KSP team visit?",
    ] * 4
    suffixed = [f"{q} {i}" for i, q in enumerate(questions)]  # new text, so nothing comes from the cache

    def ask(q):
        with httpx.Client(base_url=server, timeout=60) as c:
            return [r["passage_id"] for r in c.get("/api/search", params={"q": q, "k": 5}).json()["results"]]

    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ask, suffixed))
    # the reference comes from another process's model, one query at a time
    assert together == [[r.passage_id for r in engine.search(q, k=5).results] for q in suffixed]


def test_a_search_only_request_reads_no_answer(client):
    q = "How much is Allmed investing in Batang?"
    full = client.get("/api/search", params={"q": q, "k": 3}).json()
    only = client.get("/api/search", params={"q": q, "k": 3, "answer": "false"}).json()
    assert full["answer"] is not None and only["answer"] is None
    assert only["results"][0]["passage_id"] == full["results"][0]["passage_id"] and len(only["results"]) == 3
    assert client.get("/api/search", params={"q": q, "answer": "maybe"}).status_code == 422
    assert "answer" in {
        p["name"] for p in client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    }


def test_results_as_news_grouped_sorted_counted_and_faceted(client):
    params = {"q": "kerja sama KIT Batang", "k": 50}
    passages = client.get("/api/search", params=params).json()
    assert passages["found"] == len(passages["results"]) and all(r["more"] == [] for r in passages["results"])
    grouped = client.get("/api/search", params={**params, "group": "article"}).json()
    articles = [r["doc_id"] for r in grouped["results"]]
    assert len(articles) == len(set(articles)) == grouped["found"] > 1
    assert articles == list(dict.fromkeys(r["doc_id"] for r in passages["results"]))  # where each ranks best
    first = grouped["results"][0]
    in_first = [r["passage_id"] for r in passages["results"] if r["doc_id"] == first["doc_id"]]
    assert [first["passage_id"]] + [m["passage_id"] for m in first["more"]] == in_first[: 1 + len(first["more"])]
    assert 1 <= len(first["more"]) <= 2 and {"passage_id", "text", "paragraphs"} <= set(first["more"][0])

    newest = client.get("/api/search", params={**params, "sort": "date", "facets": "source,month"}).json()
    dates = [r["date"] for r in newest["results"]]
    assert dates[0] == "2025-06-12" and all(d is None for d in dates[dates.count("2025-06-12") :])
    assert newest["facets"]["month"] == {"2025-06": dates.count("2025-06-12")}
    by_source = newest["facets"]["source"]
    assert by_source == {
        s: sum(r["source"] == s for r in newest["results"]) for s in {r["source"] for r in newest["results"]} if s
    }
    assert passages["facets"] == {}  # only what is asked for


def test_several_sources_as_people_write_them(client):
    def sources(*typed):
        r = client.get("/api/search", params=[("q", "kerja sama"), ("k", 50), *(("source", s) for s in typed)])
        return r.status_code, {x["source"] for x in r.json()["results"]} if r.status_code == 200 else r.json()

    assert sources("antaranews") == (200, {"ANTARA"})
    assert sources("Antara", "POJOKPANTURA.COM") == (200, {"ANTARA", "PojokPantura.Com"})
    code, body = sources("Kompas")
    assert code == 422 and "no source in the index is named 'Kompas'" in body["detail"]


@pytest.mark.parametrize(
    "params,needle",
    [({"group": "site"}, "group:"), ({"sort": "oldest"}, "sort:"), ({"facets": "source,author"}, "facets:")],
)
def test_bad_news_parameters_are_422(client, params, needle):
    r = client.get("/api/search", params={"q": "Batang", **params})
    assert r.status_code == 422 and needle in r.json()["detail"]
