"""In-memory expertise phrase vectors, stored contiguously.

At 100k mentors there are ~500k phrase vectors; one float16 matrix with (start, count) spans costs
384 MB, where a numpy array per mentor would add ~100 bytes of overhead each and fragment the heap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Float16s = NDArray[np.float16]
# Phrase texts are only read to explain the few mentors shown, so they may stay as the JSON
# text the database returned and be decoded on first use (saves ~0.5 s at 100k mentors).
PhraseTexts = list[str] | str


@dataclass(frozen=True)
class PhraseArrays:
    """A PhraseStore as flat arrays: mentor `mentor_ids[i]` has `counts[i]` rows of `vectors`
    from row `starts[i]`, and the JSON list of phrase texts
    `text_blob[text_offsets[i]:text_offsets[i + 1]]`."""

    mentor_ids: NDArray[np.int64]
    starts: NDArray[np.int64]
    counts: NDArray[np.int64]
    vectors: Float16s
    text_blob: NDArray[np.uint8]
    text_offsets: NDArray[np.int64]


class PhraseStore:
    def __init__(self, dim: int, capacity: int = 0) -> None:
        self._dim = dim
        self._vectors: Float16s = np.zeros((capacity, dim), dtype=np.float16)
        self._used = 0
        self._garbage = 0
        self._spans: dict[int, tuple[int, int]] = {}
        self._texts: dict[int, PhraseTexts] = {}
        # A view handed out by `export` is still being read: rows are then never moved in place
        # (new rows go after them, or into a new matrix), so the view stays what it was.
        self._exported = False

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

    def export(self) -> PhraseArrays:
        """Every mentor's phrases as flat arrays (an index snapshot). Compacts first, so no
        row of a removed mentor or of a replaced phrase is in it; `vectors` is then a view of
        the store's own matrix, not a copy (at 100k mentors ~400 MB not allocated), valid
        until `release_export`. One export at a time."""
        if self._exported:  # compacting would move the rows under the view still being read
            raise RuntimeError("the last export is still being read")
        if self._garbage:
            self._compact()
        mentor_ids = np.array(list(self._spans), dtype=np.int64)
        spans = np.array(list(self._spans.values()), dtype=np.int64).reshape(-1, 2)
        texts = [self._texts.get(int(m), []) for m in mentor_ids]
        encoded = [(t if isinstance(t, str) else json.dumps(t)).encode() for t in texts]
        offsets = np.concatenate(([0], np.cumsum([len(e) for e in encoded]))).astype(np.int64)
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        vectors = self._vectors[: self._used]
        arrays = PhraseArrays(mentor_ids, spans[:, 0], spans[:, 1], vectors, blob, offsets)
        self._exported = True  # last: nothing above can leave it set
        return arrays

    def release_export(self) -> None:
        """The last `export`'s view is no longer read: rows may be moved in place again."""
        self._exported = False

    @classmethod
    def from_arrays(cls, dim: int, arrays: PhraseArrays) -> PhraseStore:
        """The store `export` described (texts stay JSON until first read, as when loaded
        from the database)."""
        count = len(arrays.mentor_ids)
        if not len(arrays.starts) == len(arrays.counts) == count == len(arrays.text_offsets) - 1:
            raise ValueError("phrase arrays do not line up")
        if arrays.vectors.ndim != 2 or arrays.vectors.shape[1] != dim:
            raise ValueError("phrase vectors of another dimension")
        ends = arrays.starts + arrays.counts
        if count and (arrays.starts.min() < 0 or ends.max() > len(arrays.vectors)):
            raise ValueError("phrase spans outside the vectors")
        if arrays.text_offsets[-1] != len(arrays.text_blob):
            raise ValueError("phrase texts do not match their offsets")
        store = cls(dim)
        store._vectors = np.ascontiguousarray(arrays.vectors, dtype=np.float16)
        store._used = len(store._vectors)
        store._garbage = store._used - int(arrays.counts.sum())
        raw = arrays.text_blob.tobytes()
        bounds = arrays.text_offsets.tolist()
        starts, counts = arrays.starts.tolist(), arrays.counts.tolist()
        for i, mentor_id in enumerate(arrays.mentor_ids.tolist()):
            store._spans[mentor_id] = (starts[i], counts[i])
            store._texts[mentor_id] = raw[bounds[i] : bounds[i + 1]].decode()
        return store

    def _reserve(self, extra: int) -> None:
        if self._used + extra <= len(self._vectors):
            return
        if self._garbage > self._used // 2 and not self._exported:
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
