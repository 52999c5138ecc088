"""The calibrated confidence: levels from the probability, clear errors for a broken file, and the shipped file's
promise (the share of sure answers that were right where it was fitted)."""

import dataclasses
import json

import pytest

from berita import ModelError, Settings
from berita.answering import Calibrator, Candidate
from berita.answering.confidence import FEATURES, features
from berita.core.schema import Hit, Passage
from berita.core.text import tokenize
from berita.engine import calibration
from berita.retrieval import Retrieval

TEXT = "Nilai investasi Allmed di Batang USD 100 juta pada 2025."


def retrieval(question: str = "berapa nilai investasi Allmed 2025?", lang: str = "id") -> Retrieval:
    terms = tokenize(question)
    passages = {"d.p0": Passage("d.p0", "d", 0, 0, len(TEXT), TEXT)}
    return Retrieval(question, lang, [Hit("d.p0", 0.9)], passages, None, terms, dict.fromkeys(terms, 1.0), True)


def candidate(**signals: float) -> Candidate:
    return Candidate("d.p0", TEXT, "USD 100 juta", "amount", 5.0, confidence=0.3, signals=signals)


def calibrator(bias: float) -> Calibrator:
    weights = [0.0] * len(FEATURES) + [bias]
    return Calibrator({"id": weights}, {"id": 0.9}, {"id": 0.3})


def test_the_level_follows_the_probability():
    asked = retrieval()
    sure = calibrator(5.0).judge(candidate(margin=5.0), asked)
    assert sure is not None and sure.level == "sure" and sure.confidence > 0.99
    possible = calibrator(0.0).judge(candidate(margin=5.0), asked)
    assert possible is not None and possible.level == "possible" and possible.confidence == pytest.approx(0.5)
    assert calibrator(-5.0).judge(candidate(margin=5.0), asked) is None  # under the possible bar: no answer
    english = calibrator(5.0).judge(candidate(), dataclasses.replace(asked, lang="en"))  # no weights for it
    assert english is not None and english.level == "possible" and english.confidence == 0.3


def test_features_read_what_the_reader_saw():
    x = dict(zip(FEATURES, features(candidate(margin=4.0, lead=1.5, agree=0.5), retrieval())))
    assert (x["neural"], x["margin"], x["lead"], x["agree"], x["rank"]) == (1.0, 4.0, 1.5, 0.5, 0.0)
    assert x["kind_value"] == 1.0 and x["top_article"] == 1.0 and x["coverage"] == 1.0
    other_year = dict(zip(FEATURES, features(candidate(margin=4.0), retrieval("berapa nilai investasi Allmed 2019?"))))
    assert other_year["numbers_missing"] == 1.0 and x["numbers_missing"] == 0.0


def test_broken_or_foreign_calibration_files_are_clear_errors(tmp_path):
    path = tmp_path / "confidence.json"
    for broken in ("{", json.dumps({"weights": {}}), json.dumps([1])):
        path.write_text(broken)
        with pytest.raises(ModelError, match="confidence"):
            Calibrator.load(path)
    Calibrator({"id": [0.0] * 3}, {"id": 0.9}, {"id": 0.3}, ("margin", "lead")).save(path)
    with pytest.raises(ModelError, match="other features"):
        Calibrator.load(path)


def test_saving_replaces_a_link_and_never_writes_through_it(tmp_path):
    shipped = calibration(Settings())
    link = tmp_path / "confidence.json"
    link.symlink_to(shipped)
    before = shipped.read_bytes()
    calibrator(1.0).save(link)
    assert shipped.read_bytes() == before and not link.is_symlink() and Calibrator.load(link).weights["id"][-1] == 1.0


def test_the_shipped_calibration_promises_what_its_bars_mean():
    shipped = Calibrator.load(calibration(Settings()))
    assert set(shipped.weights) == {"id", "en"} and shipped.tuned_on
    for lang in ("id", "en"):
        assert 0 < shipped.possible[lang] <= shipped.sure[lang] <= 1.01
