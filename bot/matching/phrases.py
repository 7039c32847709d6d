"""In-memory expertise phrase vectors, stored contiguously.

At 100k mentors there are ~500k phrase vectors; one float16 matrix with (start, count) spans costs
384 MB, where a numpy array per mentor would add ~100 bytes of overhead each and fragment the heap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Float16s = NDArray[np.float16]
# Phrase texts are only read to explain the few mentors shown, so they may stay as the JSON
# text the database returned and be decoded on first use (saves ~0.5 s at 100k mentors).
PhraseTexts = list[str] | str


class PhraseStore:
    def __init__(self, dim: int, capacity: int = 0) -> None:
        self._dim = dim
        self._vectors: Float16s = np.zeros((capacity, dim), dtype=np.float16)
        self._used = 0
        self._garbage = 0
        self._spans: dict[int, tuple[int, int]] = {}
        self._texts: dict[int, PhraseTexts] = {}

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, mentor_id: int) -> bool:
        return mentor_id in self._spans

    def put(self, mentor_id: int, phrases: list[str], vectors: Float16s) -> None:
        if len(phrases) != len(vectors):
            raise ValueError(f"{len(phrases)} phrases for {len(vectors)} vectors")
        self.put_many([mentor_id], [phrases], [len(vectors)], vectors)

    def put_many(
        self,
        mentor_ids: Sequence[int],
        phrases: Sequence[PhraseTexts],
        counts: Sequence[int],
        vectors: Float16s,
    ) -> None:
        """Store several mentors whose phrase vectors are consecutive rows of `vectors`."""
        if sum(counts) != len(vectors) or not len(mentor_ids) == len(phrases) == len(counts):
            raise ValueError("mentor ids, phrases, counts and vectors do not line up")
        for mentor_id in mentor_ids:
            self.remove(mentor_id)
        self._reserve(len(vectors))
        start = self._used
        self._vectors[start : start + len(vectors)] = vectors
        self._used += len(vectors)
        offsets = np.concatenate(([0], np.cumsum(counts)))
        for i, mentor_id in enumerate(mentor_ids):
            self._spans[mentor_id] = (start + int(offsets[i]), int(counts[i]))
            self._texts[mentor_id] = phrases[i]

    def remove(self, mentor_id: int) -> None:
        span = self._spans.pop(mentor_id, None)
        self._texts.pop(mentor_id, None)
        if span is not None:
            self._garbage += span[1]

    def get(self, mentor_id: int) -> tuple[list[str], Float16s]:
        start, count = self._spans.get(mentor_id, (0, 0))
        texts = self._texts.get(mentor_id, [])
        if isinstance(texts, str):
            texts = self._texts[mentor_id] = json.loads(texts)
        return texts, self._vectors[start : start + count]

    def _reserve(self, extra: int) -> None:
        if self._used + extra <= len(self._vectors):
            return
        if self._garbage > self._used // 2:
            self._compact()
            if self._used + extra <= len(self._vectors):
                return
        grown = np.zeros(
            (max(2 * len(self._vectors), self._used + extra, 64), self._dim), np.float16
        )
        grown[: self._used] = self._vectors[: self._used]
        self._vectors = grown

    def _compact(self) -> None:
        position = 0
        for mentor_id, (start, count) in sorted(self._spans.items(), key=lambda item: item[1]):
            self._vectors[position : position + count] = self._vectors[start : start + count]
            self._spans[mentor_id] = (position, count)
            position += count
        self._used, self._garbage = position, 0
