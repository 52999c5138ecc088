"""The README as a user reads it: short, its tables generated from bench/results, its field and settings tables true
to the code, and every ``berita`` and ``curl`` command in it run against a temporary index of seeds/."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from berita import Answer, Result, SearchResponse, Settings
from tests.conftest import ROOT, SEEDS, free_port, serving

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
VALUED = {"--index", "--backend", "--milvus-uri", "--model", "--ann-backend", "--executor", "--ray-address"}
VALUED |= {"--ray-actors", "--k", "--lang", "--host", "--port", "--models"}


def code_blocks(*languages: str, text: str = TEXT) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S) if lang in languages]


def commands(program: str) -> list[list[str]]:
    """The README's shell commands for ``program``: every line of a bash block, the ``$`` lines of a console block."""
    found = []
    for lang in ("bash", "console"):
        for body in code_blocks(lang):
            for line in body.splitlines():
                if lang == "console":
                    if not line.startswith("$ "):
                        continue
                    line = line[2:]
                words = shlex.split(line, comments=True)
                if words and words[0] == program:
                    found.append(words)
    return found


def section(title: str) -> str:
    """The README's text under a ``## title`` heading, up to the next one."""
    return TEXT.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("| `")]


def berita() -> list[str]:
    """The console script where ``pip install -e .`` made it, else ``python -m berita`` (the same program)."""
    script = Path(sys.executable).with_name("berita")
    return [str(script)] if script.exists() else [sys.executable, "-m", "berita"]


def rewrite(words: list[str], index: Path, **values: str) -> list[str]:
    """A README command aimed at ``index``: its ``--index`` (added if missing) and the flags in ``values``
    (``port="8123"``) replaced; the files an ``index`` command names replaced by seeds/."""
    flags = {"--index": str(index), **{f"--{k.replace('_', '-')}": v for k, v in values.items()}}
    out, paths, i = [], [], 2
    while i < len(words):
        word = words[i]
        if word in VALUED:
            out += [word, flags.get(word, words[i + 1])]
            i += 2
            continue
        (out if word.startswith("-") else paths).append(word)
        i += 1
    for flag, value in flags.items():
        if flag not in out:
            out += [flag, value]
    if words[1] == "index":
        paths = [str(SEEDS)] if paths else []
    return berita() + [words[1], *paths, *out]


def run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read()


# ---- the README itself -----------------------------------------------------------------------------------------


def test_readme_is_short_and_for_users():
    lines = TEXT.splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; the limit is 250 (details go to docs/)"
    for words in ("this round", "one-off", "not kept"):
        assert words not in TEXT.lower(), f"README.md says {words!r}: development notes go to docs/experiments/"


def test_links_point_at_files():
    for page in [README, *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"


def test_field_table_matches_the_schema():
    listed: dict[str, set[str]] = {"top": set(), "answer": set(), "result": set()}
    for row in table_rows(section("What a search returns")):
        names = set(re.findall(r"`(\w+)`", row[0]))
        for where in ("answer", "result") if row[1] == "both" else (row[1],):
            listed[where] |= names
    for where, cls in (("top", SearchResponse), ("answer", Answer), ("result", Result)):
        fields = {f.name for f in dataclasses.fields(cls)}
        assert listed[where] == fields, (
            f"{where}: README lists {sorted(listed[where])}, the schema has {sorted(fields)}"
        )


def test_settings_table_matches_the_settings():
    defaults = Settings()
    known = {
        f.name: getattr(getattr(defaults, group.name), f.name)
        for group in dataclasses.fields(Settings)
        for f in dataclasses.fields(getattr(defaults, group.name))
    }
    rows = table_rows(section("Settings"))
    assert len(rows) >= 10
    for row in rows:
        names = [n.removeprefix("BERITA_").lower() for n in re.findall(r"`(BERITA_\w+)`", row[0])]
        assert names, row
        for name in names:
            assert name in known, f"README names BERITA_{name.upper()}, which berita/core/config.py does not have"
        shown = re.findall(r"`([^`]+)`", row[1])
        if row[1].startswith("`") and len(shown) == len(names):  # defaults written as values, not in words
            for name, value in zip(names, shown):
                default = known[name]
                expected = ("on" if default else "off") if isinstance(default, bool) else str(default)
                assert value == expected, f"README: BERITA_{name.upper()} defaults to {value!r}; the code: {expected!r}"


# ---- the generated tables -------------------------------------------------------------------------------------


def report(*args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "bench.report", *args], timeout=60)


def test_tables_match_the_results():
    done = report("--check")
    assert done.returncode == 0, f"run python -m bench.report:\n{done.stdout}{done.stderr}"
    assert "<!-- quality:begin -->" in TEXT and "<!-- speed:begin -->" in TEXT


def test_check_fails_after_a_cell_changes_and_the_report_fixes_it(tmp_path):
    readme = tmp_path / "README.md"
    quality = TEXT.index("<!-- quality:begin -->")
    cell = re.compile(r"\| \*\*(\d\.\d{3})\*\* \|")
    found = cell.search(TEXT, quality)
    assert found, "the quality table shows the product's R@1 in bold"
    changed = f"| **{float(found.group(1)) - 0.1:.3f}** |"
    readme.write_text(TEXT[: found.start()] + changed + TEXT[found.end() :], encoding="utf-8")
    results = ROOT / "bench" / "results"
    done = report("--check", "--readme", str(readme), "--results", str(results))
    assert done.returncode == 1
    assert changed in done.stdout and found.group(0) in done.stdout  # the difference is printed
    assert report("--readme", str(readme), "--results", str(results)).returncode == 0  # rewrites the tables
    assert readme.read_text(encoding="utf-8") == TEXT


def test_check_fails_when_the_results_change(tmp_path):
    results = shutil.copytree(ROOT / "bench" / "results", tmp_path / "results")
    perf = json.loads((results / "perf.json").read_text(encoding="utf-8"))
    perf["http"]["unique_c1"]["p50_ms"] += 1000
    (results / "perf.json").write_text(json.dumps(perf), encoding="utf-8")
    done = report("--check", "--results", str(results))
    assert done.returncode == 1
    assert "HTTP, new question, 1 client" in done.stdout


# ---- the commands ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def readme_index(tmp_path_factory) -> Path:
    """The index the README's ``berita index`` commands build (their files replaced by seeds/)."""
    index = tmp_path_factory.mktemp("readme") / "index"
    built = commands("berita")
    built = [words for words in built if words[1] == "index"]
    assert built, "the README shows how to index articles"
    for words in built:
        done = run(rewrite(words, index))
        assert done.returncode == 0, f"{shlex.join(words)}:\n{done.stderr}"
        assert "indexed" in done.stdout
    return index


def test_search_commands(readme_index):
    searches = [words for words in commands("berita") if words[1] == "search"]
    assert searches and any("--json" in words for words in searches)
    for words in searches:
        done = run(rewrite(words, readme_index))
        assert done.returncode == 0, f"{shlex.join(words)}:\n{done.stderr}"
        assert done.stdout.strip(), shlex.join(words)
        if "--json" in words:
            for line in done.stdout.splitlines():
                response = json.loads(line)
                assert response["results"] and set(response) == {
                    "query",
                    "lang",
                    "answer",
                    "results",
                    "found",
                    "facets",
                }


@pytest.fixture(scope="module")
def readme_server(readme_index) -> Iterator[str]:
    """The README's ``berita serve`` command, on a free loopback port; yields its base URL."""
    serves = [words for words in commands("berita") if words[1] == "serve"]
    assert len(serves) == 1, "the README shows one way to serve"
    port = free_port()
    with serving(readme_index, rewrite(serves[0], readme_index, host="127.0.0.1", port=str(port)), port) as base:
        yield base


def test_serve_command_answers(readme_server):
    status, body = get(readme_server + "/healthz")
    assert status == 200 and json.loads(body)["passages"] > 0
    status, body = get(readme_server + "/api/search?" + urllib.parse.urlencode({"q": "berapa nilai investasi Allmed?"}))
    assert status == 200 and json.loads(body)["results"]


def test_curl_commands(readme_server):
    curls = commands("curl")
    assert len(curls) >= 2, "the README shows the HTTP API with curl"
    for words in curls:
        url = next(w for w in words if w.startswith("http"))
        parts = urllib.parse.urlsplit(url)
        status, body = get(readme_server + urllib.parse.urlunsplit(("", "", parts.path, parts.query, "")))
        assert status == 200 and body.strip(), shlex.join(words)
        if parts.path == "/api/search":
            assert json.loads(body)["results"], url


def test_python_quickstart(readme_index):
    blocks = code_blocks("python")
    assert blocks and all("data/index" in block for block in blocks)
    for block in blocks:
        done = run([sys.executable, "-c", block.replace("data/index", str(readme_index))])
        assert done.returncode == 0, f"{block}\n{done.stderr}"
        assert done.stdout.strip()
