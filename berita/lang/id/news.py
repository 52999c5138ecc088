"""How Indonesian news is written around its content: boilerplate lines, datelines, dates in the text."""

from __future__ import annotations

import re

# Lines that are navigation or attribution, not content.
BOILERPLATE = [
    re.compile(r"^baca\s+juga\s*:.*$", re.I),
    re.compile(r"^cek\s+berita\s+dan\s+artikel\s+(lain(nya)?\s+)?di\s+google\s+news\.?$", re.I),
    re.compile(r"^(sumber|source|editor|pewarta|penulis|reporter)\s*:\s*$", re.I),
    re.compile(
        r"^(simak|ikuti)\s+(juga\s+)?(berita|update|artikel).{0,80}(google news|whatsapp|telegram|channel).*$", re.I
    ),
    # Photo captions: "KERJA SAMA - Pemkab Batang ... -IST-", "FOTO: ... (ANTARA/...)"
    re.compile(r"^[A-Z0-9][A-Z0-9 ,.&'/]{2,60}\s[-–—]\s.+[-–—]\s?[A-Z]{2,10}\s?[-–—]?$"),
    re.compile(r"^(foto|photo|ilustrasi)\s*:.*$", re.I),
]

# "Batang (ANTARA) -", "PojokPantura.Com -", "BATANG –", "Jakarta, CNN Indonesia --"
DATELINE = re.compile(
    r"^(?P<head>[A-Z][\w.]*(?:[ ][A-Z][\w.]*){0,3})"
    r"(?:\s*\((?P<paren>[^)]{2,40})\)|,\s*(?P<comma>[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,2}))?"
    r"\s*[-–—]{1,2}\s+(?=\S)"
)
MEDIA_NAME = re.compile(r"\.(com|co\.id|id|net|org|news)$|^(antara|kompas|detik|tempo|kumparan|cnn)", re.I)

DATE_NUMERIC = re.compile(r"\((\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\)")
DATE_WORDS = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+((?:19|20)\d{2})\b")
