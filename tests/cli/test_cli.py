import json

from tests.conftest import RESULT_FIELDS, run_module


def test_json_lines_one_per_query_in_order(seed_settings):
    queries = [
        "berapa hektare ruang yang disiapkan Pemkab Batang untuk UMKM?",
        "How much is Allmed investing in Batang?",
    ]
    queries.append("KCC Glass")
    proc = run_module("search", "--json", "--k", "3", "--index", str(seed_settings.storage.index_dir), *queries)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["query"] for r in rows] == queries
    assert [r["lang"] for r in rows[:2]] == ["id", "en"]
    for row, span in zip(rows[:2], ("20 hektare", "USD 100 juta")):
        assert row["answer"]["span"] == span and row["answer"]["level"] in ("sure", "possible")
        assert set(row["answer"]) >= {"text", "span", "doc_id", "title", "source", "date", "start", "end", "level"}
        first = row["results"][0]
        assert set(first) == RESULT_FIELDS
        assert span in first["text"] and first["rank"] == 1
    assert rows[2]["answer"] is None and len(rows[2]["results"]) == 3


def test_forced_language_and_readable_output(seed_settings):
    proc = run_module(
        "search",
        "--lang",
        "en",
        "--k",
        "2",
        "--index",
        str(seed_settings.storage.index_dir),
        "berapa nilai investasi Allmed?",
    )
    assert proc.returncode == 0, proc.stderr
    assert "[en]" in proc.stdout and "002_40828a4ac6eca9be" in proc.stdout
    assert proc.stdout.splitlines()[0] == "» berapa nilai investasi Allmed?  [en]"
    assert "Batang dan Zhijiang China Jajaki Kerja Sama Sister City, 2025-06-12 [002_40828a4ac6eca9be.p5" in proc.stdout


def test_bad_query_is_reported_and_the_rest_still_run(seed_settings):
    proc = run_module("search", "--json", "--index", str(seed_settings.storage.index_dir), "", "Allmed")
    assert proc.returncode == 1 and "empty" in proc.stderr
    assert [json.loads(line)["query"] for line in proc.stdout.splitlines()] == ["Allmed"]


def test_missing_index_says_how_to_build_one(tmp_path):
    proc = run_module("search", "--index", str(tmp_path / "none"), "Allmed")
    assert proc.returncode == 2 and "python -m indexer build" in proc.stderr and not proc.stdout


def test_indexer_cli_reports_bad_paths(tmp_path):
    proc = run_module("indexer", "build", str(tmp_path / "missing"), "--index", str(tmp_path / "i"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    proc = run_module("indexer", "build", str(tmp_path / "x.pdf"), "--index", str(tmp_path / "i"))
    assert proc.returncode == 2 and "unsupported" in proc.stderr


def test_no_answer_gives_passages_only(seed_settings):
    index = str(seed_settings.storage.index_dir)
    proc = run_module(
        "search", "--json", "--no-answer", "--k", "2", "--index", index, "How much is Allmed investing in Batang?"
    )
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["answer"] is None and row["results"][0]["doc_id"] == "002_40828a4ac6eca9be" and len(row["results"]) == 2


def test_sources_grouping_and_date_order(seed_settings):
    index = str(seed_settings.storage.index_dir)
    proc = run_module(
        "search", "--json", "--k", "50", "--group", "article", "--sort", "date", "--index", index, "Batang"
    )
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    articles = [r["doc_id"] for r in row["results"]]
    assert len(articles) == len(set(articles)) == row["found"] == 5 and row["results"][0]["date"] == "2025-06-12"
    proc = run_module(
        "search", "--json", "--source", "antaranews", "--source", "pojokpantura", "--index", index, "Batang"
    )
    assert {r["source"] for r in json.loads(proc.stdout)["results"]} == {"ANTARA", "PojokPantura.Com"}
    proc = run_module("search", "--source", "Kompas", "--index", index, "Batang")
    assert proc.returncode == 1 and "no source in the index is named 'Kompas'" in proc.stderr
