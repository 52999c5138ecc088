"""Results as news: one per article, newest first, counted by source and month (what the ``group``, ``sort`` and
``facets`` parameters ask for). Plain functions over ranked ``Result``s; the engine decides which are matches."""

from __future__ import annotations

from collections import Counter
from typing import Literal, get_args

from .schema import Result

Group = Literal["passage", "article"]
Sort = Literal["relevance", "date"]
GROUPS: tuple[str, ...] = get_args(Group)
SORTS: tuple[str, ...] = get_args(Sort)
FACETS = ("source", "month")
MORE_PER_ARTICLE = 2  # an article's further passages shown under its best one


def facet_value(result: Result, name: str) -> str | None:
    """What ``result`` counts under in facet ``name``: its source, or its month (YYYY-MM)."""
    if name == "source":
        return result.source or None
    return result.date[:7] if result.date and len(result.date) >= 7 else None


def facet_counts(results: list[Result], names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """For each facet, how many of ``results`` have each value, most first (ties by value; months newest first)."""
    out = {}
    for name in names:
        counts = Counter(v for v in (facet_value(r, name) for r in results) if v)
        key = (lambda kv: (-kv[1], kv[0])) if name == "source" else (lambda kv: kv[0])
        out[name] = dict(sorted(counts.items(), key=key, reverse=name == "month"))
    return out


def by_date(results: list[Result]) -> list[Result]:
    """Newest first; undated ones last; equal dates keep their rank."""
    dated = sorted((r for r in results if r.date), key=lambda r: r.date or "", reverse=True)
    return dated + [r for r in results if not r.date]


def by_article(results: list[Result]) -> list[Result]:
    """One result per article, where its best passage ranks, with its next best ones in ``more``."""
    firsts: dict[str, Result] = {}
    for r in results:
        first = firsts.get(r.doc_id)
        if first is None:
            firsts[r.doc_id] = r
        elif len(first.more) < MORE_PER_ARTICLE:
            first.more.append(r.snippet())
    return list(firsts.values())
