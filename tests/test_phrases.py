from __future__ import annotations

import numpy as np
import pytest

from bot.matching.phrases import PhraseStore


def vectors(n: int, value: float) -> np.ndarray:
    return np.full((n, 4), value, dtype=np.float16)


def test_put_get_replace_remove() -> None:
    store = PhraseStore(4)
    store.put(1, ["a", "b"], vectors(2, 1))
    store.put(2, ["c"], vectors(1, 2))
    store.put(1, ["d"], vectors(1, 3))  # replaces mentor 1's phrases
    phrases, matrix = store.get(1)
    assert phrases == ["d"]
    assert matrix.tolist() == [[3, 3, 3, 3]]
    store.remove(2)
    assert 2 not in store
    assert store.get(2)[0] == []
    assert store.get(2)[1].shape == (0, 4)
    assert len(store) == 1


def test_many_updates_compact_without_losing_data() -> None:
    store = PhraseStore(4, capacity=8)
    for round_ in range(50):
        for mentor in range(10):
            store.put(mentor, [f"p{round_}"] * 3, vectors(3, mentor + round_ / 100))
    for mentor in range(10):
        phrases, matrix = store.get(mentor)
        assert phrases == ["p49"] * 3
        assert np.allclose(matrix, mentor + 0.49, atol=0.01)
    assert len(store._vectors) <= 64  # garbage was reclaimed rather than grown forever


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 phrases for 1 vectors"):
        PhraseStore(4).put(1, ["a", "b"], vectors(1, 0))
