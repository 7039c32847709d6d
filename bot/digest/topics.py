"""Topic labels for a week's questions: cluster their embeddings, name each cluster by its
most distinctive terms. Privacy: a term is used only if at least two different questions of
the cluster contain it, and a cluster needs two questions, so no label can single out (or
quote) one mentee's question."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_SUPPORT = 2
_WORD = re.compile(r"[a-z][a-z0-9+#/-]{2,}")
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "how",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "our",
        "your",
        "you",
        "are",
        "can",
        "should",
        "would",
        "could",
        "does",
        "did",
        "do",
        "has",
        "have",
        "had",
        "that",
        "this",
        "these",
        "those",
        "from",
        "into",
        "about",
        "there",
        "their",
        "them",
        "they",
        "was",
        "were",
        "will",
        "just",
        "more",
        "most",
        "some",
        "any",
        "all",
        "best",
        "way",
        "ways",
        "get",
        "got",
        "make",
        "need",
        "want",
        "help",
        "using",
        "use",
        "new",
        "one",
        "two",
        "not",
        "but",
        "its",
        "it's",
        "i'm",
        "i've",
        "we're",
        "don't",
        "there's",
        "out",
        "over",
        "than",
        "then",
        "also",
        "very",
        "much",
        "many",
        "after",
        "before",
        "while",
        "being",
        "been",
        "because",
        "let",
        "lets",
        "like",
    ]
)


@dataclass(frozen=True)
class Topic:
    label: str
    count: int


def terms(text: str) -> set[str]:
    return {w.strip("-/") for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def cluster_topics(
    questions: Sequence[str], vectors: NDArray[np.float32], *, max_topics: int = 5
) -> list[Topic]:
    """Labelled clusters, largest first; questions in clusters too small to label are left out."""
    if len(questions) < MIN_SUPPORT:
        return []
    k = max(1, min(max_topics, round(math.sqrt(len(questions) / 2))))
    assignment = _kmeans(vectors, k)
    clusters = [[i for i, c in enumerate(assignment) if c == label] for label in range(k)]
    term_sets = [terms(q) for q in questions]
    document_frequency = Counter(
        t for cluster in clusters for t in {t for i in cluster for t in term_sets[i]}
    )
    topics = []
    for cluster in clusters:
        if len(cluster) < MIN_SUPPORT:
            continue
        support = Counter(t for i in cluster for t in term_sets[i])
        scored = sorted(
            (
                (n * math.log(1 + k / document_frequency[t]), t)
                for t, n in support.items()
                if n >= MIN_SUPPORT
            ),
            reverse=True,
        )
        if scored:
            topics.append(Topic(", ".join(t for _, t in scored[:3]), len(cluster)))
    return sorted(topics, key=lambda topic: (-topic.count, topic.label))


def _kmeans(vectors: NDArray[np.float32], k: int, iterations: int = 25) -> list[int]:
    """Deterministic spherical k-means (farthest-point start): small n, no randomness."""
    if k == 1:
        return [0] * len(vectors)
    centres = [vectors[0]]
    while len(centres) < k:
        similarity = np.max(np.stack([vectors @ c for c in centres]), axis=0)
        centres.append(vectors[int(np.argmin(similarity))])
    matrix = np.stack(centres)
    labels = np.zeros(len(vectors), dtype=int)
    for _ in range(iterations):
        labels = np.argmax(vectors @ matrix.T, axis=1)
        for c in range(k):
            members = vectors[labels == c]
            if len(members):
                centre = members.mean(axis=0)
                matrix[c] = centre / (np.linalg.norm(centre) or 1.0)
    return [int(label) for label in labels]
