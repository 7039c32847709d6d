from __future__ import annotations

import numpy as np
import pytest

from bot.matching.index import NPROBE, MentorIndex


def unit(rows: np.ndarray) -> np.ndarray:
    normed: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return normed


def clustered(n: int, dim: int = 32, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Vectors around a few centres, like real profiles (uniform noise makes recall meaningless)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    return unit(centres[rng.integers(0, clusters, n)] + 0.35 * rng.normal(size=(n, dim)))


def test_exact_search_returns_best_ids_first() -> None:
    vectors = unit(np.eye(4, dtype=np.float32) + 0.01)
    index = MentorIndex(4)
    index.rebuild(np.array([10, 20, 30, 40]), vectors)
    hits = index.search(vectors[2], 2)
    assert hits[0][0] == 30
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len(hits) == 2


def test_upsert_replaces_a_vector_and_remove_drops_it() -> None:
    vectors = unit(np.eye(3, dtype=np.float32))
    index = MentorIndex(3)
    index.rebuild(np.array([1, 2, 3]), vectors)
    index.upsert(np.array([1]), vectors[2:3])  # mentor 1 now looks like mentor 3
    assert {i for i, _ in index.search(vectors[2], 2)} == {1, 3}
    assert len(index) == 3
    index.remove(np.array([3]))
    assert [i for i, _ in index.search(vectors[2], 1)] == [1]
    assert len(index) == 2


def test_empty_index_and_bad_updates() -> None:
    index = MentorIndex(3)
    assert index.search(np.ones(3, dtype=np.float32), 5) == []
    with pytest.raises(ValueError, match="duplicate"):
        index.upsert(np.array([1, 1]), np.ones((2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="2 ids for 1 vectors"):
        index.upsert(np.array([1, 2]), np.ones((1, 3), dtype=np.float32))


def test_large_roster_switches_to_ivf_with_high_recall() -> None:
    vectors = clustered(3000)
    ids = np.arange(3000, dtype=np.int64) + 1000
    exact = MentorIndex(32, exact_limit=10_000)
    exact.rebuild(ids, vectors)
    approx = MentorIndex(32, exact_limit=1000)
    approx.rebuild(ids, vectors)
    assert (exact.kind, approx.kind) == ("exact", "ivf")
    queries = clustered(100, seed=1)
    recall = np.mean(
        [
            len({i for i, _ in exact.search(q, 10)} & {i for i, _ in approx.search(q, 10)}) / 10
            for q in queries
        ]
    )
    assert recall >= 0.9


def test_ivf_supports_incremental_updates() -> None:
    vectors = clustered(2000)
    index = MentorIndex(32, exact_limit=500)
    index.rebuild(np.arange(2000, dtype=np.int64), vectors)
    index.upsert(np.array([7]), vectors[1500:1501])
    assert 7 in {i for i, _ in index.search(vectors[1500], 2)}
    index.remove(np.array([7, 1500]))
    assert not {7, 1500} & {i for i, _ in index.search(vectors[1500], 5)}
    assert len(index) == 1998


def test_growing_past_the_limit_rebuilds_as_ivf() -> None:
    vectors = clustered(600)
    index = MentorIndex(32, exact_limit=500)
    index.rebuild(np.arange(400, dtype=np.int64), vectors[:400])
    assert index.kind == "exact"
    index.upsert(np.arange(400, 600, dtype=np.int64), vectors[400:])
    assert index.kind == "ivf"
    assert len(index) == 600
    assert index.search(vectors[550], 1)[0][0] == 550


def test_nprobe_applies_to_the_live_ivf_index_and_survives_rebuilds() -> None:
    vectors = clustered(2000)
    ids = np.arange(2000, dtype=np.int64)
    exact = MentorIndex(32)
    exact.rebuild(ids, vectors)
    index = MentorIndex(32, exact_limit=500)
    assert index.nprobe == NPROBE
    index.rebuild(ids, vectors)
    assert index._index.nprobe == NPROBE
    index.nprobe = 64  # more than the 44 lists: every list is scanned, so search is exact
    queries = clustered(20, seed=1)
    assert all(
        [i for i, _ in index.search(q, 10)] == [i for i, _ in exact.search(q, 10)] for q in queries
    )
    index.rebuild(ids, vectors)
    assert index._index.nprobe == 64
    with pytest.raises(ValueError, match="at least 1"):
        index.nprobe = 0
