"""berita search [--json] [--k K] [--lang id|en] [--source S ...] [--group article] [--sort date] QUERY [QUERY ...]"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from dataclasses import asdict

from ..core.browse import GROUPS, SORTS
from ..core.config import Settings
from ..core.schema import Filters, SearchResponse
from ..engine import SearchEngine
from ..errors import BeritaError, QueryError
from . import add_storage_arguments, setup_logging, storage


def main(argv: list[str] | None = None, prog: str = "python -m search") -> int:
    setup_logging()
    parser = argparse.ArgumentParser(prog=prog, description="Search the index in Indonesian or English.")
    parser.add_argument("queries", nargs="+", metavar="QUERY")
    parser.add_argument("--json", action="store_true", help="one JSON object per query, one per line")
    parser.add_argument("--k", type=int, help="number of passages (default 10, at most 50)")
    parser.add_argument("--lang", choices=["id", "en"], help="query language (default: detected)")
    parser.add_argument("--no-answer", action="store_true", help="passages only, no answer read (faster)")
    parser.add_argument("--source", action="append", help="only this source (repeat for several)")
    parser.add_argument("--group", choices=GROUPS, default="passage", help="article: one per article")
    parser.add_argument("--sort", choices=SORTS, default="relevance", help="date: newest first")
    add_storage_arguments(parser)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(**storage(args))
        engine = SearchEngine.load(settings)
    except BeritaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for query in args.queries:
        try:
            response = engine.search(
                query,
                k=args.k,
                lang=args.lang,
                with_answer=not args.no_answer,
                filters=Filters(tuple(args.source or ())),
                group=args.group,
                sort=args.sort,
            )
        except QueryError as exc:
            print(f"error: {query[:60]!r}: {exc}", file=sys.stderr)
            status = 1
            continue
        try:
            print(json.dumps(asdict(response), ensure_ascii=False) if args.json else render(response), flush=True)
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return status
    return status


def render(response: SearchResponse) -> str:
    lines = [f"» {response.query}  [{response.lang}]"]
    if response.answer:
        a = response.answer
        label = "Answer" if a.level == "sure" else "Possible answer (check the passage)"
        lines.append(f"  {label}: {a.span or a.text}")
        if a.span:
            lines.append(textwrap.indent(textwrap.fill(a.text, 96), "    "))
        lines.append(f"    — {_cite(a.title, a.source, a.date)} [{a.doc_id} {a.start}:{a.end}]")
    for r in response.results:
        lines.append(f"  {r.rank:>2}. {_cite(r.title, r.source, r.date)} [{r.passage_id} {r.start}:{r.end}]")
        lines.append(textwrap.indent(textwrap.fill(r.text, 96), "      "))
    if not response.results:
        lines.append("  no passages found")
    return "\n".join(lines) + "\n"


def _cite(title: str, source: str | None, date: str | None) -> str:
    return ", ".join(x for x in (title, source, date) if x)
