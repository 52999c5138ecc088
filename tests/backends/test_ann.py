import numpy as np
import pytest

from berita.backends.ann import build_index, load_index


def clustered(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, dim))
    x = centres[rng.integers(0, 50, n)] + 0.3 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_faiss_flat_matches_numpy_exactly(tmp_path):
    x, q = clustered(2000), clustered(20, seed=1)
    flat, ref = build_index(x, "faiss"), build_index(x, "numpy")
    assert np.array_equal(flat.search(q, 10)[1], ref.search(q, 10)[1])
    flat.save(tmp_path / "a.index")
    assert np.array_equal(load_index(tmp_path / "a.index", "faiss").search(q, 10)[1], ref.search(q, 10)[1])


def test_large_collections_get_an_approximate_index_with_high_recall(tmp_path):
    """Past ``exact_max``: IVF over 8-bit codes, its candidates rescored against the float vectors, which are not
    saved with it (vectors.npy holds them): exact scores, and the recall of an IVF over the vectors themselves."""
    x, q = clustered(6000), clustered(50, seed=2)
    ivf = build_index(x, "faiss", exact_max=1000, nprobe=24)
    assert ivf.kind == "IndexIVFScalarQuantizer" and not ivf.exact
    exact_scores, exact = build_index(x, "numpy").search(q, 10)
    scores, approx = ivf.search(q, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
    assert recall >= 0.9
    assert np.allclose(scores, np.take_along_axis(q @ x.T, approx, axis=1), atol=1e-5)  # rescored exactly
    ivf.save(tmp_path / "ivf.index")
    assert (tmp_path / "ivf.index").stat().st_size < x.nbytes / 2  # codes, not the vectors again
    loaded = load_index(tmp_path / "ivf.index", "faiss", np.load(_saved(tmp_path, x), mmap_mode="r"))
    assert np.array_equal(loaded.search(q, 10)[1], approx)  # nprobe is kept
    scores, ids = loaded.search(q[:1], 6000)  # past what nprobe reaches: the rest padded with -1
    found = ids[0] >= 0
    assert found[:10].all() and not found.all() and (np.diff(scores[0][found]) <= 0).all()


def _saved(folder, x):
    np.save(folder / "vectors.npy", x)
    return folder / "vectors.npy"


def test_k_larger_than_the_collection_and_unknown_backend():
    x = clustered(3)
    scores, ids = build_index(x, "faiss").search(x[:1], 10)
    assert ids.shape == (1, 3) and ids[0, 0] == 0
    with pytest.raises(ValueError, match="unknown vector index backend"):
        build_index(x, "annoy")


def test_an_exact_index_is_not_saved_apart_from_its_vectors(tmp_path):
    """Vectors are stored once: an exact index is the vectors themselves, so none is saved and exact search reads the
    vectors file (memory-mapped); it ranks as FAISS's flat index does, with the same scores."""
    x, q = clustered(3000), clustered(30, seed=3)
    flat = build_index(x, "faiss")
    assert flat.exact and build_index(x, "numpy").exact
    assert not build_index(x, "faiss", exact_max=1000, nprobe=8).exact
    np.save(tmp_path / "vectors.npy", x)
    mapped = load_index(tmp_path / "ann.index", "faiss", np.load(tmp_path / "vectors.npy", mmap_mode="r"))
    assert not (tmp_path / "ann.index").exists()
    (s1, i1), (s2, i2) = flat.search(q, 10), mapped.search(q, 10)
    assert np.array_equal(i1, i2) and np.allclose(s1, s2, atol=1e-5)
    assert np.array_equal(mapped.search(q, 3000)[1], np.argsort(-(q @ x.T), axis=1, kind="stable"))
    with pytest.raises(RuntimeError):  # a saved index that is missing stays an error where no vectors are given
        load_index(tmp_path / "ann.index", "faiss")


def test_exact_search_breaks_ties_at_the_cut_by_row_order():
    """Copies of one text have one vector: which copies make the top k must not depend on a partition's whims."""
    x = clustered(500)
    x[[40, 7, 300, 120]] = x[3]  # five identical rows, the query's nearest
    ids = build_index(x, "numpy").search(x[3:4], 3)[1][0]
    assert list(ids) == [3, 7, 40]
