"""Indonesian (and English) words the product knows by name: months, days, stopwords, abbreviations."""

from __future__ import annotations

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Short forms per month, as news text writes them.
MONTH_ABBREVIATIONS = (
    ("Jan",),
    ("Feb",),
    ("Mar",),
    ("Apr",),
    (),
    ("Jun",),
    ("Jul",),
    ("Agu", "Aug"),
    ("Sep", "Sept"),
    ("Okt", "Oct"),
    ("Nov",),
    ("Des", "Dec"),
)
# lower-cased name or short form -> month number
MONTH_NUMBERS = {
    name.lower(): number
    for number, names in enumerate(zip(MONTHS_ID, MONTHS_EN, MONTH_ABBREVIATIONS), 1)
    for name in (names[0], names[1], *names[2])
}
# Full names first (Indonesian, then English where it differs), then short forms: a regular expression alternation.
MONTH_PATTERN = (
    "(?:" + "|".join(dict.fromkeys([*MONTHS_ID, *MONTHS_EN, *(a for s in MONTH_ABBREVIATIONS for a in s)])) + ")"
)
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Jum'at", "Sabtu", "Minggu", "Ahad")
DAY_PATTERN = "(?:" + "|".join(DAYS_ID) + ")"

# Words after which a period does not end a sentence (lower-cased, without the period).
ABBREVIATIONS = frozenset(
    """
dr drs dra prof ir h hj mr mrs ms st sdr sdri bpk bp yth no jl jln kab kec kel kota prov tbk pt cv co ltd inc corp
dll dsb dst dkk tsb vs etc a.n u.p s.h s.e s.pd s.kom m.si m.m m.h m.pd ph.d kol brigjen mayjen letjen jend kompol akbp
ipda iptu aiptu bripka brigpol
""".split()
)

STOPWORDS = {
    "id": frozenset(
        """
ada adalah adanya agar akan aku anda apa apakah atas atau bagaimana bagi bahwa baik banyak bapak baru begitu
belum berapa berapakah berbagai bisa boleh buat bukan dalam dan dapat dari demikian dengan di dia dimana ia ialah
ini itu jadi jika juga kalau kami kamu kapan kapankah karena ke kemudian kenapa kepada ketika kita lagi lain lalu
maka mana manakah masih mau melalui mengapa menjadi menurut mereka merupakan meski namun nya oleh pada para pula
saat saja sama sangat sebagai sebelum sedang sejak sekitar selain sementara seperti serta siapa siapakah sudah
tahun tak tapi telah tentang tersebut tetapi tidak untuk yaitu yakni yang
""".split()
    ),
    "en": frozenset(
        """
a about after all also an and any are as at be been before being but by can could did do does doing for from had
has have he her here his how i if in into is it its many me more most much my no not of on or our out over she
should so some such than that the their them then there these they this those to under up was we were what when
where which while who whom why will with would you your
""".split()
    ),
}
