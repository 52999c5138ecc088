import math

import pytest

from bench.metrics import (
    answer_scores,
    exact_match,
    is_right,
    paired_difference,
    percentiles,
    retrieval_scores,
    token_f1,
)


def test_retrieval_scores():
    s = retrieval_scores([1, 2, None, 11])
    assert s["R@1"] == 0.25 and s["R@10"] == 0.5
    assert s["MRR@10"] == pytest.approx((1 + 0.5) / 4)
    assert s["nDCG@10"] == pytest.approx((1 + 1 / math.log2(3)) / 4)


def test_answer_scores():
    assert exact_match("USD 100 juta", ["usd 100 juta."]) == 1.0
    assert token_f1("USD 100 juta atau", ["USD 100 juta"]) == pytest.approx(2 * 0.75 * 1 / 1.75)
    assert token_f1(None, ["x"]) == 0.0
    s = answer_scores(["USD 100 juta", None, "April"], [["USD 100 juta"], ["x"], ["Mei 2026"]])
    assert s["answered"] == pytest.approx(2 / 3) and s["EM"] == pytest.approx(1 / 3) and s["precision"] == 0.5


def test_percentiles_in_milliseconds():
    p = percentiles([i / 1000 for i in range(1, 101)])
    assert (p["p50_ms"], p["p95_ms"], p["p99_ms"], p["n"]) == (50.5, 95.0, 99.0, 100)


def test_paired_difference_counts_wins_and_losses_and_widens_with_fewer_questions():
    a = [True] * 8 + [False] * 2
    b = [True] * 6 + [False] * 2 + [True, True]  # a wins on 2 (indices 6, 7), loses on 2 (8, 9)
    d = paired_difference(a, b)
    assert (d["wins"], d["losses"], d["difference"]) == (2, 2, 0.0)
    assert d["ci95_low"] < 0 < d["ci95_high"]
    few = paired_difference([True, False, True, True], [False, False, True, True])
    many = paired_difference([True, False, True, True] * 50, [False, False, True, True] * 50)
    assert few["difference"] == many["difference"] == 0.25
    assert many["ci95_high"] - many["ci95_low"] < few["ci95_high"] - few["ci95_low"]
    assert many["ci95_low"] > 0  # 50 wins and no loss is no chance


def test_an_answer_is_right_from_half_the_gold_tokens():
    assert is_right("USD 100 juta atau", ["USD 100 juta"]) and is_right("100 juta", ["USD 100 juta"])
    assert not is_right("juta", ["USD 100 juta lebih"])  # F1 0.4
    assert not is_right(None, ["x"]) and not is_right("x", [])  # nothing said; nothing to be right about
