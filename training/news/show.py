"""Prints IndoSum articles as the product stores them (cleaned), by their line in indosum_articles.jsonl.
Usage: .venv/bin/python training/news/show.py 40,96,107"""

import json
import sys
from pathlib import Path

from berita.ingest.clean import clean_article

ARTICLES = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "indosum_articles.jsonl"


def main(lines: str) -> None:
    wanted = {int(n) for n in lines.split(",")}
    for n, raw in enumerate(ARTICLES.open(encoding="utf-8"), 1):
        if n in wanted:
            r = json.loads(raw)
            text = clean_article(r["text"], title=r.get("title")).text
            print(f"=== line {n} | doc_id {r['doc_id']} | date {r.get('date')} | source {r.get('source')}\n{text}\n")


if __name__ == "__main__":
    main(sys.argv[1])
