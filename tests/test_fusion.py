import pytest

from search.fusion import convex, rrf


def test_items_found_by_both_lists_rise():
    fused = rrf([[1, 2, 3], [3, 4, 1]], [1.0, 1.0], k=60)
    assert [i for i, _ in fused][:2] == [1, 3]
    assert {i for i, _ in fused} == {1, 2, 3, 4}


def test_weights_decide_and_zero_weight_drops_a_list():
    assert rrf([[1, 2], [2, 1]], [1.0, 0.2])[0][0] == 1
    assert rrf([[1, 2], [2, 1]], [0.2, 1.0])[0][0] == 2
    assert [i for i, _ in rrf([[1], [9]], [1.0, 0.0])] == [1]


def test_scores_descend():
    fused = rrf([[5, 4, 3, 2, 1], [1, 2]], [1.0, 0.5])
    assert all(a[1] >= b[1] for a, b in zip(fused, fused[1:]))


def test_convex_fusion_scales_each_run_and_weighs_them():
    dense = ([1, 2, 3], [0.90, 0.89, 0.70])
    lexical = ([3, 4], [12.0, 2.0])
    fused = dict(convex([dense, lexical], [0.5, 0.5]))
    assert fused[1] == pytest.approx(0.5) and fused[3] == pytest.approx(0.5)  # best of one run each
    assert fused[2] == pytest.approx(0.5 * 0.95) and fused[4] == pytest.approx(0.0)
    assert [i for i, _ in convex([dense, lexical], [0.8, 0.2])][:2] == [1, 2]
    assert [i for i, _ in convex([dense, lexical], [0.2, 0.8])][0] == 3


def test_convex_fusion_with_empty_or_flat_runs():
    assert convex([([], []), ([7], [3.0])], [0.5, 0.5]) == [(7, 0.5)]
    assert [i for i, _ in convex([([1, 2], [0.5, 0.5])], [1.0])] == [1, 2]
