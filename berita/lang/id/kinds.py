"""Which kind of value a question asks for (amount, number, date, person, place, organisation, name),
read from its question words in either language."""

from __future__ import annotations

import re

# Per question language, first match wins: narrow kinds come before broad ones ("berapa nilai" before
# "berapa", "di kota manakah" before "siapa"), and the question's own language is read first.
QUESTION_KINDS: dict[str, list[tuple[str, re.Pattern]]] = {
    "id": [
        (kind, re.compile(pattern, re.IGNORECASE))
        for kind, pattern in [
            (
                "organization",
                r"\b(perusahaan|organisasi|lembaga|kelompok|partai|instansi|badan|klub|tim|kementerian|departemen|dewan"
                r"|kesebelasan|komisi|yayasan|universitas|bank|maskapai|media|harian|stasiun)\s+(?:\w+\s+){0,2}?(apa|mana)(kah)?\b",
            ),
            (
                "place",
                r"\b(kota|provinsi|negara|daerah|desa|kabupaten|wilayah|pulau|benua|tempat|gunung|sungai|danau|kawasan)\s+(?:\w+\s+)?(apa|mana)(kah)?\b"
                r"|\b(di|ke|dari)\s*mana(kah)?\b|\bdimana(kah)?\b|\bnegara\s+asal\b",
            ),
            ("date", r"\bkapan(kah)?\b|\b(tanggal|tahun|bulan|hari|abad)\s+(berapa|apa)(kah)?\b"),
            (
                "amount",
                r"\bberapa(kah)?\s+(nilai|besar|harga|biaya|dana|anggaran|investasi|modal|kerugian|gaji|upah|total\s+nilai)\b"
                r"|\bnilai\s+investasi\b",
            ),
            ("number", r"\b(ke-?)?berapa\w*\b|\bjumlah\b"),  # "berapa", "berapakah", "berapa tonkah", "keberapa"
            ("person", r"\bsiapa(kah)?\b"),
            ("name", r"\bapa(kah)?\s+nama\b|\bnama\s+(?:\w+\s+){0,2}?apa(kah)?\b|\bkepanjangan\b"),
        ]
    ],
    "en": [
        (kind, re.compile(pattern, re.IGNORECASE))
        for kind, pattern in [
            (
                "organization",
                r"\b(which|what)\s+(?:\w+\s+)?(company|companies|organi[sz]ations?|firms?|groups?|party|parties|agency|agencies|club|team|ministry)\b",
            ),
            (
                "place",
                r"\bwhere\b|\b(which|what)\s+(?:\w+\s+)?(city|province|country|region|village|regency|town|place|island)\b",
            ),
            ("date", r"\bwhen\b|\b(what|which)\s+(date|year|day|month|century)\b"),
            ("amount", r"\bhow\s+much\b|\b(what|which)\s+(is\s+the\s+)?(value|amount|price|cost)\b"),
            ("number", r"\bhow\s+(many|large|big|long|wide|far|high|tall)\b"),
            ("person", r"(?-i:\b[Ww]ho(m|se)?\b)"),  # not "WHO", the organisation
            ("name", r"\bwhat\s+(is|was|are)\s+the\s+name\b|\bwhat\s+does\s+\w+\s+stand\s+for\b"),
        ]
    ],
}
QUESTION_WORDS = re.compile(
    r"\?|\b(apa|apakah|mengapa|kenapa|bagaimana|what|why|how|which|does|did|is|are)\b", re.IGNORECASE
)


def question_kind(query: str, lang: str | None = None) -> str | None:
    """The kind of value ``query`` asks for, read with the question words of ``lang`` first, then the other's
    (a caller may force the wrong language)."""
    for language in sorted(QUESTION_KINDS, key=lambda language: language != lang):
        for kind, pattern in QUESTION_KINDS[language]:
            if pattern.search(query):
                return kind
    return None


def is_question(query: str, lang: str | None = None) -> bool:
    return bool(question_kind(query, lang) or QUESTION_WORDS.search(query))


KINDS = tuple(kind for kind, _ in QUESTION_KINDS["id"])
