"""Files in, raw articles out: .txt, .md, .html and .jsonl."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import ReadError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")


@dataclass
class RawArticle:
    doc_id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None


def iter_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ReadError(f"{path}: unsupported file type; expected one of {', '.join(SUFFIXES)}")
            yield path
        else:
            raise ReadError(f"{path}: no such file or directory")


def read_articles(paths: list[Path], warn: Callable[[str], None] = log.warning) -> Iterator[RawArticle]:
    """Every article in ``paths``; an unreadable file or line is reported through ``warn`` and skipped."""
    for file in iter_files(paths):
        try:
            if file.suffix.lower() == ".jsonl":
                yield from _read_jsonl(file, warn)
            else:
                yield _read_single(file)
        except (OSError, UnicodeDecodeError) as exc:
            warn(f"skipped {file}: {exc}")


def _read_single(file: Path) -> RawArticle:
    text = file.read_text(encoding="utf-8-sig")
    title = None
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm"):
        title, text = html_to_text(text)
    elif suffix == ".md":
        text, title = _strip_markdown(text)
    return RawArticle(doc_id=file.stem, text=text, title=title, path=str(file))


def _read_jsonl(file: Path, warn: Callable[[str], None]) -> Iterator[RawArticle]:
    with open(file, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield RawArticle(
                    doc_id=str(row["doc_id"]),
                    text=str(row["text"]),
                    title=row.get("title"),
                    date=row.get("date"),
                    source=row.get("source"),
                    url=row.get("url"),
                    path=f"{file}:{lineno}",
                )
            except (ValueError, KeyError, TypeError) as exc:
                warn(f"skipped {file}:{lineno}: {type(exc).__name__}: {exc}")


def _strip_markdown(text: str) -> tuple[str, str | None]:
    title = None
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    if heading:
        title = heading.group(1).strip()
        text = text[: heading.start()] + text[heading.end() :]
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return text, title


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure", "figcaption"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "tr", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str | None, str]:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    title = html.unescape(" ".join("".join(parser.title).split())) or None
    return title, "\n".join(line for line in lines if line)
