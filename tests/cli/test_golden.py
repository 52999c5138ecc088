"""The CLI's ``--json`` output for 20 seed questions, as recorded before the package was restructured.
After a deliberate change of ranking or answers, refresh it: BERITA_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_golden.py

The int8 encoder's kernels differ from one CPU to another (with AVX2 or without), so scores are not the same bytes
on every machine: between two machines of this workplace the seed questions' fused scores moved by up to 0.071, and
near-tied passages in the tail swapped places. What a reader sees must not move: the answer (its span, passage,
sentence, kind and English rendering) and the first result are compared exactly, and every other result that stands
clear of the cut-off must be there with about its score."""

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_module

GOLDEN = Path(__file__).parent / "golden"
SCORE_TOLERANCE = 0.1  # above the 0.071 seen between machines, far below a changed ranking's moves


def differences(expected: dict, got: dict, tolerance: float = SCORE_TOLERANCE) -> list[str]:
    """What differs between two ``--json`` records of one query beyond the CPU's rounding (empty when none)."""
    out = [
        f"{key}: {expected.get(key)!r} -> {got.get(key)!r}" for key in ("query", "lang") if expected[key] != got[key]
    ]
    out += answer_differences(expected.get("answer"), got.get("answer"), tolerance)
    return out + result_differences(expected["results"], got["results"], tolerance)


def answer_differences(expected: dict | None, got: dict | None, tolerance: float) -> list[str]:
    if expected is None or got is None:
        return [] if expected is got else [f"answer: {expected!r} -> {got!r}"]
    out = [f"answer {k}: {expected.get(k)!r} -> {got.get(k)!r}" for k in expected.keys() | got.keys()
           if k != "confidence" and expected.get(k) != got.get(k)]  # fmt: skip
    if abs(expected["confidence"] - got["confidence"]) > tolerance:
        out.append(f"answer confidence: {expected['confidence']} -> {got['confidence']}")
    return out


def result_differences(expected: list[dict], got: list[dict], tolerance: float) -> list[str]:
    if len(expected) != len(got):
        return [f"{len(expected)} results -> {len(got)}"]
    if not expected:
        return []
    out = []
    if expected[0]["passage_id"] != got[0]["passage_id"]:
        out.append(f"first result: {expected[0]['passage_id']} -> {got[0]['passage_id']}")
    # a result clear of the last one's score must be in the other list with about its score (both ways round)
    for these, those, verb in ((expected, got, "lost"), (got, expected, "gained")):
        scores = {r["passage_id"]: r["score"] for r in those}
        for r in these:
            if r["score"] > these[-1]["score"] + tolerance:
                other = scores.get(r["passage_id"])
                if other is None or abs(other - r["score"]) > tolerance:
                    out.append(f"{verb} {r['passage_id']} at {r['score']} (other side: {other})")
    return out


def test_cli_json_for_the_seed_questions_is_unchanged(seed_settings):
    queries = (GOLDEN / "queries.txt").read_text(encoding="utf-8").splitlines()
    proc = run_module("search", "--json", "--k", "5", "--index", str(seed_settings.storage.index_dir), *queries)
    assert proc.returncode == 0, proc.stderr
    if os.environ.get("BERITA_UPDATE_GOLDEN"):
        (GOLDEN / "cli_seed.jsonl").write_text(proc.stdout, encoding="utf-8")
    expected = [json.loads(line) for line in (GOLDEN / "cli_seed.jsonl").read_text(encoding="utf-8").splitlines()]
    got = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(queries) == 20 and len(got) == len(expected)
    found = {e["query"]: d for e, g in zip(expected, got) if (d := differences(e, g))}
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def recorded() -> list[dict]:
    return [json.loads(line) for line in (GOLDEN / "cli_seed.jsonl").read_text(encoding="utf-8").splitlines()]


def test_rounding_is_no_difference(recorded):
    record = recorded[7]  # an English question with an answer
    nudged = json.loads(json.dumps(record))
    for r in nudged["results"]:
        r["score"] = round(r["score"] + 0.05, 6)
    nudged["answer"]["confidence"] += 0.05
    assert differences(record, nudged) == []


@pytest.mark.parametrize(
    "change",
    ["span", "passage", "confidence", "first", "score", "lost", "fewer"],
)
def test_what_a_reader_would_see_is_a_difference(recorded, change):
    record = recorded[1]  # "How much is Allmed investing in Batang?": its second result stands clear of the cut
    other = json.loads(json.dumps(record))
    answer, results = other["answer"], other["results"]
    if change == "span":
        answer["span"] = answer["span"] + " x"
    elif change == "passage":
        answer["passage_id"] = "elsewhere.p0"
    elif change == "confidence":
        answer["confidence"] += 0.2
    elif change == "first":
        results[0], results[1] = results[1], results[0]
    elif change == "score":
        results[0]["score"] -= 0.2
    elif change == "lost":
        results[1]["passage_id"] = "elsewhere.p0"
    else:
        results.pop()
    assert differences(record, other)
