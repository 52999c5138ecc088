"""Answer values for an English reader: the issue's examples, and every amount, number and date the value patterns
find in the seed articles and in IndoSum articles, checked for what must hold (same numbers, no Indonesian
scale, unit, month or day words left)."""

import json
import re

import pytest

from berita.core.text import sentence_spans
from berita.lang.id.english import to_english
from berita.lang.id.lexicon import DAYS_ID, MONTHS_ID
from berita.lang.id.values import find_values
from tests.conftest import SEEDS, SHARED_EVAL

INDONESIAN_WORDS = re.compile(
    r"\b(ribu|juta|miliar|milyar|triliun|orang|hektare|hektar|persen|pekerja|"
    + "|".join(m for m in MONTHS_ID if m not in ("April", "September", "November"))
    + "|"
    + "|".join(DAYS_ID)
    + r")\b"
)


@pytest.mark.parametrize(
    "value,english",
    [
        ("USD 100 juta", "USD 100 million"),
        ("Rp1,6–1,7 triliun", "IDR 1.6–1.7 trillion"),
        ("150.000 orang", "150,000 people"),
        ("24,8 hektare", "24.8 hectares"),
        ("Kamis (12/6/2025)", "Thursday, 12 June 2025"),
        ("12 Juni 2025", "12 June 2025"),
        ("3.500 tenaga kerja", "3,500 workers"),
        ("Rp 45 miliar", "IDR 45 billion"),
        ("1.250,5 ton", "1,250.5 tonnes"),
        ("Huang Fangshuai", "Huang Fangshuai"),
    ],
)
def test_examples(value, english):
    assert to_english(value) == english


def numbers(text: str, decimal: str) -> list[float]:
    """The numbers written in ``text``, read with ``decimal`` as the decimal mark."""
    group = "." if decimal == "," else ","
    out = []
    for token in re.findall(r"\d+(?:[.,]\d+)*", text):
        if re.fullmatch(rf"\d{{1,3}}(?:\{group}\d{{3}})+(?:\{decimal}\d+)?", token):
            token = token.replace(group, "")
        out.append(float(token.replace(decimal, ".")) if token.count(decimal) <= 1 else -1.0)
    return out


def corpus_values() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with open(SHARED_EVAL / "indosum_articles.jsonl", encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for _, line in zip(range(60), fh)]
    values = []
    for text in texts:
        for a, b in sentence_spans(text):
            for kind in ("amount", "number", "date"):
                values += [v.text for v in find_values(kind, text[a:b], set())]
    return sorted(set(values))


VALUES = corpus_values()


def test_enough_real_values_are_checked():
    assert len(VALUES) >= 150


@pytest.mark.parametrize("value", VALUES)
def test_every_value_in_the_corpus(value):
    english = to_english(value)
    assert not INDONESIAN_WORDS.search(english), english
    if not re.search(r"\d{1,2}\s?/\s?\d{1,2}\s?/\s?\d{2,4}", value):  # numeric dates are rewritten as words
        assert numbers(english, ".") == numbers(value, ","), english
