import pytest

from berita import Hit
from berita.retrieval.fusion import convex, rrf


def run(*ids, scores=None):
    """Hits for passages named p<id>, best first."""
    scores = scores or [1.0 / (n + 1) for n in range(len(ids))]
    return [Hit(f"d.p{i}", s) for i, s in zip(ids, scores)]


def pairs(fused):
    return [(int(h.passage_id.split(".p")[1]), h.score) for h in fused]


def test_items_found_by_both_lists_rise():
    fused = pairs(rrf([run(1, 2, 3), run(3, 4, 1)], [1.0, 1.0], k=60))
    assert [i for i, _ in fused][:2] == [1, 3]
    assert {i for i, _ in fused} == {1, 2, 3, 4}


def test_weights_decide_and_zero_weight_drops_a_list():
    assert pairs(rrf([run(1, 2), run(2, 1)], [1.0, 0.2]))[0][0] == 1
    assert pairs(rrf([run(1, 2), run(2, 1)], [0.2, 1.0]))[0][0] == 2
    assert [i for i, _ in pairs(rrf([run(1), run(9)], [1.0, 0.0]))] == [1]


def test_scores_descend():
    fused = pairs(rrf([run(5, 4, 3, 2, 1), run(1, 2)], [1.0, 0.5]))
    assert all(a[1] >= b[1] for a, b in zip(fused, fused[1:]))


def test_convex_fusion_scales_each_run_and_weighs_them():
    dense = run(1, 2, 3, scores=[0.90, 0.89, 0.70])
    lexical = run(3, 4, scores=[12.0, 2.0])
    fused = dict(pairs(convex([dense, lexical], [0.5, 0.5])))
    assert fused[1] == pytest.approx(0.5) and fused[3] == pytest.approx(0.5)  # best of one run each
    assert fused[2] == pytest.approx(0.5 * 0.95) and fused[4] == pytest.approx(0.0)
    assert [i for i, _ in pairs(convex([dense, lexical], [0.8, 0.2]))][:2] == [1, 2]
    assert [i for i, _ in pairs(convex([dense, lexical], [0.2, 0.8]))][0] == 3


def test_convex_fusion_with_empty_or_flat_runs():
    assert pairs(convex([[], run(7, scores=[3.0])], [0.5, 0.5])) == [(7, 0.5)]
    assert [i for i, _ in pairs(convex([run(1, 2, scores=[0.5, 0.5])], [1.0]))] == [1, 2]


def test_equal_scores_keep_the_passages_order_in_their_document():
    tied = [Hit("d.p10", 1.0), Hit("d.p2", 1.0), Hit("c.p0", 1.0)]
    assert [h.passage_id for h in convex([tied], [1.0])] == ["c.p0", "d.p2", "d.p10"]
