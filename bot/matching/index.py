"""FAISS index over mentor profile vectors, keyed by mentor id.

Small rosters use exact inner-product search (`IndexIDMap2` over `IndexFlatIP`): at 20k vectors
one query costs ~3 ms and recall is perfect. Larger rosters switch to `IndexIVFFlat`, which keeps
its own ids and supports `remove_ids`/`add_with_ids` natively, so incremental updates work there
too. HNSW was measured and rejected: it cannot remove vectors, `IndexHNSWFlat` (M 32) took 10-18 s
to build at 100k on 2 cores (IVF: 0.5 s; cold start must stay <= 10 s), and on these clustered
vectors it reached only recall@10 0.81 at efSearch 128. `bench/match_speed.py` prints the
nprobe trade-off table (and HNSW's with BENCH_HNSW=1).
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path
from typing import Any, BinaryIO

import faiss as _faiss
import numpy as np
from numpy.typing import NDArray

from bot.matching.embedder import Vectors

# faiss's SWIG-generated stubs describe the C++ signatures (IDSelector*, raw pointers), not the
# numpy wrappers its Python API actually takes, so the module is used untyped here.
faiss: Any = _faiss

Ids = NDArray[np.int64]

# IVF lists scanned per search: the smallest nprobe with recall@10 >= 0.98 at <= 1 ms a search.
# Measured at 100k clustered vectors, 316 lists (bench/match_speed.py, 2 cores, one FAISS thread;
# recall tie-aware against exact search over the 149 bench questions, ms through `search`):
#   nprobe   8: 0.909, 0.17 ms    nprobe 24: 0.987, 0.56 ms    nprobe 48: 1.000, 1.26 ms
#   nprobe  16: 0.969, 0.32 ms    nprobe 32: 0.994, 0.80 ms    nprobe 64: 1.000, 1.49 ms
# nprobe 24 gave 0.983-0.988 over 8 differently sampled trainings (16: 0.966-0.973); nprobe 32
# is the next step if real questions need more headroom.
NPROBE = 24


class MentorIndex:
    def __init__(self, dim: int, *, exact_limit: int = 20_000, nprobe: int = NPROBE) -> None:
        # One query at a time gains nothing from OpenMP threads, and their spin-waiting fights
        # torch's threads for the cores: measured p99 search 19 ms with, 1 ms without.
        faiss.omp_set_num_threads(1)
        self.dim = dim
        self.exact_limit = exact_limit
        self._nprobe = nprobe
        self._lock = threading.RLock()
        self._index: Any = self._new_exact()
        self._trained_size = 0

    @property
    def nprobe(self) -> int:
        """IVF lists scanned per search (no effect on exact search)."""
        return self._nprobe

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        if value < 1:
            raise ValueError("nprobe must be at least 1")
        with self._lock:
            self._nprobe = value
            if self.kind == "ivf":
                self._index.nprobe = value

    @property
    def kind(self) -> str:
        return "exact" if isinstance(self._index, faiss.IndexIDMap2) else "ivf"

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def rebuild(self, ids: Ids, vectors: Vectors) -> None:
        """Replace the whole index; IVF when there are more than `exact_limit` vectors."""
        ids, vectors = _checked(ids, vectors, self.dim)
        # Training and bulk adds do parallelise; single queries do not (see __init__).
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            index = self._new_ivf(vectors) if len(ids) > self.exact_limit else self._new_exact()
            if len(ids):
                index.add_with_ids(vectors, ids)
        finally:
            faiss.omp_set_num_threads(1)
        with self._lock:
            self._index = index
            self._trained_size = len(ids)

    @property
    def trained_size(self) -> int:
        """Vectors the index was last built from (IVF centroids fit a roster of this size)."""
        return self._trained_size

    def write_to(self, out: BinaryIO) -> None:
        """Write the index (its vectors, ids and IVF centroids) to `out`, streamed in chunks
        (no second copy in memory), for `load` to read back from a file."""
        writer = faiss.PyCallbackIOWriter(out.write)
        with self._lock:
            faiss.write_index(self._index, writer)
        del writer  # hands `out` what it still buffers

    def load(self, path: Path, trained_size: int) -> None:
        """Replace the index with the one `write_to` wrote to `path` (no training: loads in a
        fraction of a rebuild's time)."""
        index = faiss.read_index(str(path))
        if index.d != self.dim:
            raise ValueError(f"index of dimension {index.d}, expected {self.dim}")
        if not isinstance(index, faiss.IndexIDMap2 | faiss.IndexIVFFlat):
            raise ValueError(f"unexpected index type {type(index).__name__}")
        if isinstance(index, faiss.IndexIVFFlat):
            index.nprobe = self._nprobe
        with self._lock:
            self._index = index
            self._trained_size = trained_size

    def upsert(self, ids: Ids, vectors: Vectors) -> None:
        ids, vectors = _checked(ids, vectors, self.dim)
        if not len(ids):
            return
        with self._lock:
            self._index.remove_ids(ids)
            self._index.add_with_ids(vectors, ids)
            if self._needs_rebuild():
                self.rebuild(*self._all_vectors())

    def remove(self, ids: Ids) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids):
            with self._lock:
                self._index.remove_ids(ids)

    def search(self, query: Vectors, k: int) -> list[tuple[int, float]]:
        """Up to `k` (mentor id, cosine) pairs, best first."""
        with self._lock:
            if self._index.ntotal == 0 or k <= 0:
                return []
            scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def scores_of(self, mentor_ids: list[int], query: Vectors) -> list[tuple[int, float]]:
        """(mentor id, cosine) for chosen mentors, whatever their rank (absent ones left out)."""
        found = []
        with self._lock:
            for mentor_id in mentor_ids:
                try:
                    vector = self._index.reconstruct(int(mentor_id))
                except RuntimeError:
                    continue  # not in the index (inactive, erased, not embedded yet)
                found.append((mentor_id, float(np.dot(vector, query))))
        return found

    def _new_exact(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _new_ivf(self, vectors: Vectors) -> Any:
        # sqrt(n) lists (316 at 100k), trained and filled in 0.5 s; for nprobe see NPROBE.
        # 4*sqrt(n) lists needed a higher nprobe for the same recall and trained 8x longer.
        nlist = max(16, int(math.sqrt(len(vectors))))
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample_size = min(len(vectors), nlist * 40)  # FAISS wants >= 39 points per centroid
        sample = vectors[rng.choice(len(vectors), sample_size, replace=False)]
        index.train(sample)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # O(1) remove/reconstruct by id
        index.nprobe = self._nprobe
        return index

    def _needs_rebuild(self) -> bool:
        size = self._index.ntotal
        if self.kind == "exact":
            return bool(size > self.exact_limit)
        # Centroids trained on a much smaller or larger roster no longer partition it well.
        return bool(size > 2 * self._trained_size or size <= self.exact_limit // 2)

    def _all_vectors(self) -> tuple[Ids, Vectors]:
        if self.kind == "exact":
            id_map = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        else:
            id_map = _ivf_ids(self._index)
        vectors = np.vstack([self._index.reconstruct(int(i)) for i in id_map]).astype(np.float32)
        return id_map, vectors


def _ivf_ids(index: Any) -> Ids:
    invlists = index.invlists
    chunks = []
    for list_no in range(index.nlist):
        size = invlists.list_size(list_no)
        if size:
            chunks.append(faiss.rev_swig_ptr(invlists.get_ids(list_no), size).copy())
    return np.concatenate(chunks).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)


def _checked(ids: Ids, vectors: Vectors, dim: int) -> tuple[Ids, Vectors]:
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
    if len(ids) != len(vectors):
        raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("duplicate ids in one index update")
    return ids, vectors
