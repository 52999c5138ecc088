"""What a value of each kind (amount, number, date, person, place, organisation, name) looks like in a
sentence, and where it is. Both the reranker and the answer extractors ask."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...core.text import fold
from .lexicon import DAY_PATTERN, MONTH_PATTERN

_I = re.IGNORECASE
_NUM = r"\d+(?:[.,]\d+)*"
_RANGE = rf"{_NUM}(?:\s?[–-]\s?{_NUM})?"
_SCALE = r"(?:ribu|rb|juta|jt|miliar|milyar|triliun|thousand|million|billion|trillion)"
_CURRENCY = r"(?:Rp\.?|IDR|USD|US\$|S\$|SGD|\$|EUR|€|£|¥|RM|RMB|yuan|dolar|dollar)"
# Units a question may name, in either language, and how Indonesian text writes them.
UNIT_WORDS = {
    "hectares": ("hektare", "hektar", "ha"),
    "hectare": ("hektare", "hektar", "ha"),
    "hektare": ("hektare", "hektar", "ha"),
    "hektar": ("hektare", "hektar", "ha"),
    "workers": ("orang", "pekerja", "tenaga"),
    "people": ("orang", "jiwa", "warga"),
    "employees": ("orang", "pekerja", "karyawan", "pegawai"),
    "jobs": ("orang", "tenaga", "lapangan"),
    "tenaga": ("orang", "tenaga"),
    "pekerja": ("orang", "pekerja"),
    "orang": ("orang",),
    "tons": ("ton",),
    "ton": ("ton",),
    "kilometers": ("km", "kilometer"),
    "km": ("km", "kilometer"),
    "units": ("unit",),
    "unit": ("unit",),
    "percent": ("persen", "%"),
    "persen": ("persen", "%"),
    "houses": ("rumah", "unit"),
    "rumah": ("rumah", "unit"),
}
TIME_UNITS = {
    "tahun",
    "bulan",
    "minggu",
    "hari",
    "jam",
    "menit",
    "detik",
    "abad",
    "dekade",
    "pekan",
    "years",
    "months",
    "days",
    "hours",
}

SPAN_PATTERNS: dict[str, list[re.Pattern]] = {
    "amount": [
        re.compile(rf"{_CURRENCY}\s?{_RANGE}(?:\s{_SCALE})?(?:\s(?:rupiah|dolar(?:\sAS)?))?", _I),
        re.compile(rf"{_RANGE}\s{_SCALE}\s(?:rupiah|dolar(?:\s(?:AS|Amerika(?:\sSerikat)?))?|dollars?|yuan|euro)", _I),
        re.compile(rf"{_RANGE}\s?(?:persen|%)", _I),
        re.compile(rf"{_RANGE}\s{_SCALE}\b", _I),
    ],
    "date": [
        re.compile(rf"\b{DAY_PATTERN}\s?\(\d{{1,2}}\s?/\s?\d{{1,2}}(?:\s?/\s?\d{{2,4}})?\)"),
        re.compile(rf"\b\d{{1,2}}\s{MONTH_PATTERN}\s\d{{4}}\b"),
        re.compile(rf"\b\d{{1,2}}\s{MONTH_PATTERN}\b"),
        re.compile(rf"\b{MONTH_PATTERN}\s\d{{4}}\b"),
        re.compile(rf"\b{DAY_PATTERN}\b"),
        re.compile(r"\b(?:tahun\s)?(?:1[89]|20)\d{2}\b"),
    ],
}
_UNIT = r"(?:\s(?:[a-z]+(?:\s(?:kerja|jiwa|unit|meter|persegi))?))"
NUMBER = re.compile(rf"(?<![\w/]){_RANGE}(?:\s{_SCALE})?{_UNIT}?", _I)

_CAP = r"(?:[A-Z][\w'’.-]*|[A-Z]\.)"
CAPITALISED = re.compile(rf"{_CAP}(?:\s(?:{_CAP}|bin|binti|van|de|al|el))*")
ROLE_WORDS = re.compile(
    r"\b(bupati|gubernur|wakil|presiden|menteri|direktur|dirut|ketua|kepala|wali\s?kota|walikota|camat|kapolres|kapolda|sekretaris|manager|manajer|perwakilan|pendiri|ceo|juru\s?bicara|jubir|anggota|pelatih|koordinator|plt|kata|ujar|tutur|ucap|jelas|menurut|oleh)[\s,]+(?:[A-Z][\w-]*\.?[\s,]+){0,3}$",
    _I,
)
ORG_MARKERS = re.compile(
    r"\b(Kawasan|Industri|PT|CV|Tbk|Persero|Kementerian|Dinas|Badan|Bank|Universitas|Partai|Komisi|Pemkab|Pemprov|Pemkot|Pemerintah|Technopark|International|Group|Corporation|Inc|Ltd|Co|Polres|Polda|DPR|DPRD|KPK|MPR|PSSI|Pertamina|PLN)\b"
)
PLACE_MARKERS = re.compile(
    r"\b(Kabupaten|Kota|Provinsi|Kecamatan|Desa|Jawa|Sumatera|Kalimantan|Sulawesi|Pulau|Jakarta|Gedung|Jalan|Jl)\b"
)
LEADING = re.compile(
    r"^(Bupati|Gubernur|Wakil|Presiden|Menteri|Direktur|Ketua|Kepala|Wali|Dari|Dalam|Di|Pada|Sementara|Menurutnya|Selain|Sedangkan|Namun|Salah|Mr|Mrs|Ms|Dr|Drs|Prof|Ir|Utama|Plt|Dengan"
    r"|(?:Jawa|Sumatera|Kalimantan|Sulawesi|Papua|Nusa\sTenggara)(?:\s(?:Tengah|Barat|Timur|Utara|Selatan))?)\b\.?\s*"
)
PREP_BEFORE = re.compile(r"\b(di|ke|dari|in|at|to|from|kawasan|wilayah|daerah)\s*$", _I)


@dataclass
class Span:
    text: str
    start: int  # in the sentence
    end: int


def find_span(kind: str, sentence: str, query: str = "") -> Span | None:
    """The value of ``kind`` in ``sentence`` that best answers ``query``, or ``None``."""
    folded = fold(query)
    query_words = set(re.findall(r"\w+", folded))
    for span in find_values(kind, sentence, query_words):
        if fold(span.text) not in folded:
            return span
    return None


def _drop_known_words(span: Span, query_words: set[str]) -> Span | None:
    """ "Batang M. Faiz Kurniawan" for "siapa bupati Batang" -> "M. Faiz Kurniawan": the asker knows "Batang"."""
    words = span.text.split(" ")
    start = span.start
    while len(words) > 1 and fold(words[0]).strip(".,") in query_words:
        start += len(words[0]) + 1
        words = words[1:]
    text = " ".join(words)
    return Span(text, start, start + len(text)) if fold(text) not in query_words else None


def find_values(kind: str, sentence: str, query_words: set[str]) -> list[Span]:
    """Every value of ``kind`` in ``sentence``, the likeliest answer first (``query_words``: folded, ``fold``)."""
    if kind in SPAN_PATTERNS:
        spans = [Span(m.group(), *m.span()) for p in SPAN_PATTERNS[kind] for m in p.finditer(sentence)]
        # "how much land" asks for a quantity, not money: plain numbers come after the money
        return spans + (_numbers(sentence, query_words) if kind == "amount" else [])
    if kind == "number":
        return _numbers(sentence, query_words)
    trimmed = (_trim(sentence, m) for m in CAPITALISED.finditer(sentence))
    # A lone capitalised word opening the sentence ("Setelah", "Hal") is capitalised for being first, not a name.
    names = [
        n
        for n in (_drop_known_words(t, query_words) for t in trimmed if t)
        if n and not (n.start == _first_word_start(sentence) and " " not in n.text)
    ]
    if kind == "person":
        # a name counts as a person's only where a role or a speech verb stands right before it
        return [
            n
            for n in names
            if ROLE_WORDS.search(sentence[: n.start])
            and not ORG_MARKERS.search(n.text)
            and not PLACE_MARKERS.search(n.text)
        ]
    if kind == "name":
        return names
    if kind == "organization":
        orgs = [n for n in names if ORG_MARKERS.search(n.text) or re.fullmatch(r"[A-Z]{2,}", n.text)]
        return sorted(orgs, key=lambda n: not ORG_MARKERS.search(n.text))
    if kind == "place":
        after_prep = [n for n in names if PREP_BEFORE.search(sentence[: n.start]) and not ORG_MARKERS.search(n.text)]
        return after_prep or [n for n in names if PLACE_MARKERS.search(n.text)]
    return []


def _first_word_start(sentence: str) -> int:
    match = re.search(r"\w", sentence)
    return match.start() if match else 0


def _numbers(sentence: str, query_words: set[str]) -> list[Span]:
    asked_units = {unit for word in query_words for unit in UNIT_WORDS.get(word, ())}
    spans = []
    for m in NUMBER.finditer(sentence):
        text = m.group().rstrip()
        words = text.split()
        if TIME_UNITS & {w.lower() for w in words} or re.fullmatch(r"(?:19|20)\d{2}", words[0]):
            continue  # durations and years answer "kapan"/"berapa lama", not "berapa banyak"
        if (
            len(words) > 1
            and words[-1][0].isalpha()
            and words[-1].lower() in {"dan", "atau", "di", "yang", "dari", "ke", "pada"}
        ):
            text = " ".join(words[:-1])
        spans.append(Span(text, m.start(), m.start() + len(text)))
    # the unit the question asks for first; then a thousands-separated or scaled figure, which is a
    # count more often than a small bare number
    return sorted(
        spans,
        key=lambda s: (
            not asked_units & {w.lower() for w in s.text.split()},
            not re.search(rf"\d[.,]\d{{3}}|{_SCALE}", s.text, _I),
        ),
    )


def _trim(sentence: str, match: re.Match) -> Span | None:
    text, start = match.group(), match.start()
    lead = LEADING.match(text)
    while lead and lead.end() < len(text):
        text, start = text[lead.end() :], start + lead.end()
        lead = LEADING.match(text)
    text = text.rstrip(".,;:")
    if not text or LEADING.fullmatch(text):
        return None
    return Span(text, start, start + len(text))


# What any answer to a "when" or "how many / how much" question holds, in either language: a figure, a number word
# or a word of time. Looser than the patterns above on purpose ("abad ke-8", "tujuh", "ribuan tahun yang lalu" answer
# such questions and match none of them): it tells only a span that cannot be such an answer. 98% of the gold answers
# to TyDi QA and FacQA train questions asking for these kinds pass; most of the rest is noise in the data ("Kapan
# musik rock pertama kali masuk ke Indonesia?" -> "The Tielman Brothers") or a territory for "berapa luas".
_COUNTING = (
    r"nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|\w*belas|\w*puluh\w*|\w*ratus\w*"
    r"|\w*ribu\w*|\w*juta\w*|miliar\w*|milyar\w*|triliun\w*|setengah|separuh|sebagian|beberapa|pertama"
    r"|se(?:orang|buah|ekor|kali|pasang|lembar)|ke(?:dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen"
    r"|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half"
    r"|first"
)
_DURATION = r"\w*(?:abad|tahun|bulan|minggu|pekan|hari|jam|menit|detik|dekade)\w*|usia|umur"
_TIME = (
    rf"{_DURATION}|zaman|jaman|masa|era|periode|windu|musim|silam|lalu|kemarin|besok|lusa|kini|sekarang|pagi|siang"
    r"|sore|malam|dini|sejak|sebelum|sesudah|setelah|selama|ketika|saat|semasa|menjelang|usai|pasca|awal|akhir"
    r"|pertengahan|century|centuries|years?|months?|weeks?|days?|ago|decades?|period|morning|evening|night|since"
    r"|before|after|during|early|late|mid"
)
COULD_ANSWER = {
    "number": re.compile(rf"\d|\b(?:{_COUNTING}|{_DURATION})\b", _I),  # "berapa lama": "berbulan-bulan"
    "amount": re.compile(rf"\d|\b(?:{_COUNTING})\b", _I),
    "date": re.compile(rf"\d|\b(?:{_TIME}|{DAY_PATTERN}|{MONTH_PATTERN})\b", _I),
}


def could_answer(kind: str | None, span: str) -> bool:
    """Whether ``span`` could answer a question asking for ``kind`` at all: a figure, number word or word of time
    where a number, an amount or a date is asked for (kinds without such a mark are not checked)."""
    pattern = COULD_ANSWER.get(kind or "")
    return pattern is None or bool(pattern.search(span))
