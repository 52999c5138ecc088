"""Offices and the titles that make one another: a deputy governor is not the governor, a candidate not the
holder. Answering uses it to pass over the deputy's name when the question asks for the office holder."""

from __future__ import annotations

import re

# a title that makes an office another: a deputy governor is not the governor, a candidate not the holder. News
# writes some deputies as one word ("Wagub Jateng"). Before an answer, the office may be followed by capitalised
# words (the place) and a comma ("Wakil Gubernur Jawa Tengah, Taj Yasin Maimoen, mengatakan")
_QUALIFIED = r"(?i:(wakil|calon)[\s-]+(\w+)|(wagub|wabup|wapres|wawali))"
_TITLE_BEFORE = re.compile(rf"\b{_QUALIFIED}(?:\s+[A-Z][\w.-]*){{0,3}}\s*(?:,\s*)?$")
_TITLE_CHARS = 200  # the end of the text before an answer that can hold its title; the search reads no more
_TITLE_FIRST = re.compile(rf"^\W*{_QUALIFIED}\b")
_DEPUTY_OF = {"wagub": "gubernur", "wabup": "bupati", "wapres": "presiden", "wawali": "wali"}
QUALIFIERS = {
    "wakil": frozenset({"wakil", "deputy", "vice", "deputi", *_DEPUTY_OF}),
    "calon": frozenset({"calon", "candidate", "candidates", "kandidat"}),
}


def qualified_title(before: str, span: str = "") -> tuple[str, str] | None:
    """The qualifier and the office of a title that ``span`` starts with or ``before`` (the text before it) ends
    with: "... oleh Wakil Gubernur Jawa Tengah " -> ("wakil", "gubernur"), a span "Wagub Jateng Taj Yasin" ->
    ("wakil", "gubernur"); None where there is none."""
    match = _TITLE_FIRST.search(span) or _TITLE_BEFORE.search(before.rstrip()[-_TITLE_CHARS:])
    if match is None:
        return None
    if match.group(3):
        return "wakil", _DEPUTY_OF[match.group(3).lower()]
    return match.group(1).lower(), match.group(2).lower()
