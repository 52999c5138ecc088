from search.fusion import rrf


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
