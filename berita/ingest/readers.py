"""Files in, raw articles out: .txt, .md, .html and .jsonl."""

from __future__ import annotations

import errno
import html
import json
import logging
import os
import re
import stat
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
    stay inside the folders given; an unreadable folder, a link loop, a pipe or an index folder is reported, not
    read (a pipe would block the build forever; an index would come back as articles)."""
    roots = [p.resolve() for p in paths if p.is_dir()]
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path, onerror=lambda e: warn(f"skipped {e.filename}: {e.strerror}")):
                if is_index_folder(Path(folder)):
                    warn(f"skipped {folder}: an index folder, not articles; keep indexes outside the corpus")
                    dirs.clear()
                    continue
                dirs.sort()
                for name in sorted(files):
                    file = Path(folder) / name
                    if file.suffix.lower() not in SUFFIXES:
                        continue
                    problem = _not_readable(file, roots)
                    if problem:
                        warn(f"skipped {file}: {problem}")
                        continue
                    yield file, str(file.relative_to(path))
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ReadError(f"{path}: unsupported file type; expected one of {', '.join(SUFFIXES)}")
            yield path, path.name
        elif path.exists():
            raise ReadError(f"{path}: not a regular file (a pipe, socket or device); give a file or a folder")
        else:
            raise ReadError(f"{path}: no such file or directory")


def is_index_folder(folder: Path) -> bool:
    """A folder a local index was built in: its ``CURRENT`` pointer beside its generations."""
    return (folder / "CURRENT").is_file() and any(folder.glob("gen-*"))


def _not_readable(file: Path, roots: list[Path]) -> str | None:
    """Why ``file`` is not read, or None: a link loop or a dangling link, a link out of the folders given, or
    something other than a regular file."""
    try:
        target = file.resolve(strict=True)
    except RuntimeError:  # Python 3.11 says "Symlink loop" this way
        return "a symbolic link loop"
    except OSError as exc:
        return "a symbolic link loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
    if not any(target.is_relative_to(r) for r in roots):
        return f"a link to {target}, outside the folders given"
    if not stat.S_ISREG(target.stat().st_mode):
        return "not a regular file (a pipe, socket or device)"
    return None


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
            problem = id_problem(file.stem)
            if problem:
                warn(f"skipped {file}: {problem}; rename the file")
            elif text is not None:
                yield _read_single(text, file, name)


def decode(data: bytes, where: str, warn: Warn) -> str | None:
    """UTF-8 first (with or without a byte-order mark), unless the bytes are UTF-16 without one (every other byte
    zero: valid UTF-8 too, read as "P a s a r"); otherwise the encoding charset-normalizer detects, said."""
    bare = _bare_utf16(data)
    if bare:
        log.warning("%s: read as %s (no byte-order mark)", where, bare.upper())
        return data.decode(bare, errors="replace")
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


def _bare_utf16(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when ``data`` looks like UTF-16 without a byte-order mark: most of the bytes on
    one side of each pair zero (Latin text), none on the other."""
    sample = data[:4096]
    if len(sample) < 4 or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.6 and even < 0.05:
        return "utf-16-le"
    if even > 0.6 and odd < 0.05:
        return "utf-16-be"
    return None


def _read_single(text: str, file: Path, name: str) -> RawArticle:
    title = None
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm"):
        title, text = html_to_text(text)
    elif suffix == ".md":
        text, title = _strip_markdown(text)
    return RawArticle(doc_id=file.stem, text=text, title=title, path=name)


def _read_jsonl(data: bytes, file: Path, name: str, warn: Warn) -> Iterator[RawArticle]:
    # Rows end at \n, \r\n or a lone \r (classic Mac), never at U+2028 or U+0085, which JSON strings may hold raw.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _bare_utf16(data):  # UTF-16/32: decode it whole
        whole = decode(data, str(file), warn)
        lines = [] if whole is None else [line.encode() for line in re.split(r"\r\n|\r|\n", whole)]
    else:
        lines = re.split(rb"\r\n|\r|\n", data)
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
    problem = id_problem(doc_id.strip())
    if problem:
        raise BadRow(problem)
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


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot name a document, or None: too long, control characters, or "." and "..", which a
    browser resolves away as a link's path segment."""
    if len(doc_id) > MAX_ID_CHARS or any(ord(c) < 32 for c in doc_id):
        return f"doc_id must be at most {MAX_ID_CHARS} printable characters"
    if doc_id in (".", ".."):
        return f"doc_id {doc_id!r} cannot name a document (it would be a link to the folder above)"
    return None


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
