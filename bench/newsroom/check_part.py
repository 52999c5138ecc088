"""Checks one part file of the newsroom questions: fields, article lines allowed, gold spans verbatim in the
article as the product stores it. Usage: .venv/bin/python bench/newsroom/check_part.py bench/newsroom/part-a.jsonl"""

import json
import sys
from pathlib import Path

from berita.ingest.clean import clean_article

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT.parent / "shared" / "eval" / "indosum_articles.jsonl"


def main(path: str) -> int:
    rows = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    by_id = {r["doc_id"]: (n, r) for n, r in enumerate(rows, 1)}
    problems: list[str] = []
    seen: set[str] = set()
    counts: dict[tuple[str, bool], int] = {}
    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        q = json.loads(raw)
        where = f"{path}:{lineno}"
        for field in ("id", "lang", "question", "doc_id", "answers", "answerable"):
            if field not in q:
                problems.append(f"{where}: no {field}")
        if q["id"] in seen:
            problems.append(f"{where}: duplicate id {q['id']}")
        seen.add(q["id"])
        if q["lang"] not in ("id", "en"):
            problems.append(f"{where}: lang must be id or en")
        if q["doc_id"] not in by_id:
            problems.append(f"{where}: unknown doc_id")
            continue
        n, article = by_id[q["doc_id"]]
        if 301 <= n <= 1300:
            problems.append(f"{where}: article on line {n} is reserved (301-1300)")
        text = clean_article(article["text"], title=article.get("title")).text
        if q["answerable"]:
            if not q["answers"]:
                problems.append(f"{where}: answerable without answers")
            for a in q["answers"]:
                if a not in text:
                    problems.append(f"{where}: answer {a!r} is not verbatim in the cleaned article")
            if q.get("passage_contains") and q["passage_contains"] not in text:
                problems.append(f"{where}: passage_contains is not verbatim in the cleaned article")
        elif q["answers"]:
            problems.append(f"{where}: unanswerable with answers")
        key = (q["lang"], q["answerable"])
        counts[key] = counts.get(key, 0) + 1
    print("\n".join(problems) or "ok")
    print({f"{lang} {'answerable' if a else 'unanswerable'}": c for (lang, a), c in sorted(counts.items())})
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
