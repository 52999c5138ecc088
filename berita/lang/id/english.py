"""An Indonesian answer value rendered for an English reader: "USD 100 juta" -> "USD 100 million",
"Rp1,6–1,7 triliun" -> "IDR 1.6–1.7 trillion", "150.000 orang" -> "150,000 people", "24,8 hektare" ->
"24.8 hectares", "Kamis (12/6/2025)" -> "Thursday, 12 June 2025". Rules, not a translator: only numbers, scales,
currencies, common units, days and months change; other words stay as written."""

from __future__ import annotations

import re

from .lexicon import DAYS_ID, MONTH_NUMBERS, MONTHS_EN

SCALES = {
    "ribu": "thousand",
    "rb": "thousand",
    "juta": "million",
    "jt": "million",
    "miliar": "billion",
    "milyar": "billion",
    "triliun": "trillion",
}
UNITS = {
    "orang": "people",
    "jiwa": "people",
    "warga": "residents",
    "pekerja": "workers",
    "karyawan": "employees",
    "tenaga kerja": "workers",
    "hektare": "hectares",
    "hektar": "hectares",
    "ha": "hectares",
    "ton": "tonnes",
    "unit": "units",
    "persen": "percent",
    "rumah": "houses",
    "meter persegi": "square metres",
    "kilometer": "kilometres",
    "tahun": "years",
    "bulan": "months",
    "hari": "days",
    "rupiah": "rupiah",
    "dolar AS": "US dollars",
    "dolar Amerika Serikat": "US dollars",
    "dolar": "dollars",
}
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Friday", "Saturday", "Sunday", "Sunday")
DAY_NAMES = dict(zip(DAYS_ID, DAYS_EN))

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMERIC_DATE = re.compile(r"\(?(\d{1,2})\s?/\s?(\d{1,2})\s?/\s?(\d{2,4})\)?")
_CURRENCY = re.compile(r"\bRp\.?\s?(?=\d)")
_WORD_SCALES = re.compile(r"\b(" + "|".join(SCALES) + r")\b", re.IGNORECASE)
_UNITS = re.compile(r"\b(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")\b")
_MONTHS = re.compile(r"\b(" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_DAYS = re.compile(r"\b(" + "|".join(map(re.escape, DAYS_ID)) + r")\b")


def english_number(token: str) -> str:
    """Indonesian digit grouping to English: "150.000" -> "150,000", "1,6" -> "1.6", "1.250,5" -> "1,250.5"."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):  # dots group thousands, a comma may mark decimals
        whole, _, decimals = token.partition(",")
        return whole.replace(".", ",") + (f".{decimals}" if decimals else "")
    if re.fullmatch(r"\d+,\d+", token):
        return token.replace(",", ".")
    return token


def to_english(value: str) -> str:
    """``value`` (an answer span) for an English reader; a value with nothing to change comes back as it is."""
    dated = _numeric_date(value)
    if dated:
        return dated
    text = _CURRENCY.sub("IDR ", value)
    text = _NUMBER.sub(lambda m: english_number(m.group()), text)
    text = _WORD_SCALES.sub(lambda m: SCALES[m.group().lower()], text)
    text = _UNITS.sub(lambda m: UNITS[m.group()], text)
    text = _MONTHS.sub(lambda m: MONTHS_EN[MONTH_NUMBERS[m.group().lower()] - 1], text)
    return _DAYS.sub(lambda m: DAY_NAMES[m.group()], text)


def _numeric_date(value: str) -> str | None:
    """ "Kamis (12/6/2025)" or "12/6/2025" -> "Thursday, 12 June 2025" (Indonesian dates are day/month/year)."""
    match = _NUMERIC_DATE.search(value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    year += 2000 if year < 100 else 0
    rest = (value[: match.start()] + value[match.end() :]).strip(" ,")
    weekday = DAY_NAMES.get(rest)
    return f"{weekday + ', ' if weekday else ''}{day} {MONTHS_EN[month - 1]} {year}" if weekday or not rest else None
