"""Files in, raw articles out: .txt, .md, .html and .jsonl."""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ReadError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
MAX_ID_CHARS = 200
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.+Z-]*)?")
OPTIONAL_FIELDS = ("title", "date", "source", "url")
Warn = Callable[[str], None]


@dataclass
class RawArticle:
    doc_id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None  # where it came from, relative to the folder given to the build


class BadRow(ValueError):
    """A .jsonl line that is not an article; the message says which field is wrong."""


def iter_files(paths: list[Path], warn: Warn = log.warning) -> Iterator[tuple[Path, str]]:
    """(file, its name relative to the folder given) for every indexable file. Links are followed only while they
    stay inside the folders given; an unreadable folder is reported, not silently passed over."""
    roots = [p.resolve() for p in paths if p.is_dir()]
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path, onerror=lambda e: warn(f"skipped {e.filename}: {e.strerror}")):
                dirs.sort()
                for name in sorted(files):
                    file = Path(folder) / name
                    if file.suffix.lower() not in SUFFIXES:
                        continue
                    target = file.resolve()
                    if not any(target.is_relative_to(r) for r in roots):
                        warn(f"skipped {file}: a link to {target}, outside the folders given")
                        continue
                    yield file, str(file.relative_to(path))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ReadError(f"{path}: unsupported file type; expected one of {', '.join(SUFFIXES)}")
            yield path, path.name
        else:
            raise ReadError(f"{path}: no such file or directory")


def read_articles(paths: list[Path], warn: Warn = log.warning) -> Iterator[RawArticle]:
    """Every article in ``paths``; an unreadable file or line is reported through ``warn`` and skipped. What is
    read in spite of a flaw (another encoding, a dropped link) is logged as a warning."""
    for file, name in iter_files(paths, warn):
        try:
            data = file.read_bytes()
        except OSError as exc:
            warn(f"skipped {file}: {exc.strerror or exc}")
            continue
        if file.suffix.lower() == ".jsonl":
            yield from _read_jsonl(data, file, name, warn)
        else:
            text = decode(data, str(file), warn)
            if text is not None:
                yield _read_single(text, file, name)


def decode(data: bytes, where: str, warn: Warn) -> str | None:
    """UTF-8 first (with or without a byte-order mark); otherwise the encoding charset-normalizer detects, said."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        warn(f"skipped {where}: not UTF-8 and no other text encoding fits")
        return None
    log.warning("%s: not UTF-8; read as %s", where, best.encoding)
    return str(best)


def _read_single(text: str, file: Path, name: str) -> RawArticle:
    title = None
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm"):
        title, text = html_to_text(text)
    elif suffix == ".md":
        text, title = _strip_markdown(text)
    return RawArticle(doc_id=file.stem, text=text, title=title, path=name)


def _read_jsonl(data: bytes, file: Path, name: str, warn: Warn) -> Iterator[RawArticle]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16/32 with a byte-order mark: decode it whole
        whole = decode(data, str(file), warn)
        lines = [] if whole is None else [line.encode() for line in whole.splitlines()]
    else:
        lines = data.split(b"\n")
    fallback: str | None = None
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError:
            # one bad line never costs its neighbours: read it in the encoding the whole file looks like
            fallback = fallback or _detected(data)
            line = raw.decode(fallback, errors="replace")
            log.warning("%s:%d: not UTF-8; read as %s", file, lineno, fallback)
        try:
            yield article(json.loads(line), f"{name}:{lineno}")
        except (ValueError, RecursionError) as exc:
            warn(f"skipped {file}:{lineno}: {exc}")


def _detected(data: bytes) -> str:
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best else "cp1252"


def article(row: object, where: str) -> RawArticle:
    """A .jsonl row checked field by field: ``doc_id`` and ``text`` non-empty strings, the others strings or null,
    ``date`` ISO, ``url`` http(s) only (another scheme is dropped with a warning: it would be a link on the page)."""
    if not isinstance(row, dict):
        raise BadRow(f"expected a JSON object, found {type(row).__name__}")
    doc_id, text = row.get("doc_id"), row.get("text")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise BadRow(f"doc_id must be a non-empty string, found {_kind(doc_id)}")
    if len(doc_id) > MAX_ID_CHARS or any(ord(c) < 32 for c in doc_id):
        raise BadRow(f"doc_id must be at most {MAX_ID_CHARS} printable characters")
    if not isinstance(text, str) or not text.strip():
        raise BadRow(f"text must be a non-empty string, found {_kind(text)}")
    fields: dict[str, str | None] = {}
    for field in OPTIONAL_FIELDS:
        value = row.get(field)
        if value is not None and not isinstance(value, str):
            raise BadRow(f"{field} must be a string or null, found {_kind(value)}")
        fields[field] = value.strip() or None if isinstance(value, str) else None
    if fields["date"] and not ISO_DATE.fullmatch(fields["date"]):
        raise BadRow(f"date must be written YYYY-MM-DD, found {fields['date'][:40]!r}")
    url = fields["url"]
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        log.warning("%s: url %r dropped: only http(s) links are kept", where, url[:60])
        fields["url"] = None
    return RawArticle(doc_id=doc_id.strip(), text=text, path=where, **fields)


def _kind(value: object) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {str(value)[:40]!r}"


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
