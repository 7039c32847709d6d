"""Topic labels for a week's questions: cluster their embeddings, name each cluster by its
most distinctive terms.

Privacy: support is counted in *people*, not questions. A term is used only if questions of at
least `MIN_PEOPLE` different mentees in the cluster contain it, and a cluster needs that many
mentees, so no label can quote or single out one person, however often they ask ("my manager
Dmitri Volkov…" twice from one mentee never names Dmitri)."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.i18n import LANGUAGES

MIN_PEOPLE = 3
# A word starts with a letter of any script ("podwyżka", "überstunden"), then letters, digits
# or the marks of tech names ("c++", "ci/cd", "c#").
_WORD = re.compile(r"[^\W\d_][\w+#/-]{2,}")
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
    count: int  # questions in the cluster


@dataclass(frozen=True)
class Asked:
    """One question and who asked it (the asker only counts support; it is never shown)."""

    text: str
    mentee: str


def _stem(word: str) -> str:
    """A light English suffix strip, so "knit", "knits" and "knitting" count as one term."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            stem = word[: -len(suffix)]
            if suffix in ("ing", "ed") and stem[-1] == stem[-2] and stem[-1] in "bdgmnprt":
                stem = stem[:-1]  # "knitting" -> "knitt" -> "knit", as Porter's step 1b
            return stem
    return word


def term_forms(text: str) -> dict[str, str]:
    """The question's terms: stem -> the form written."""
    words = (w.strip("-/") for w in _WORD.findall(text.lower()))
    stop = stopwords()
    return {_stem(w): w for w in words if w and w not in stop}


@functools.cache
def stopwords() -> frozenset[str]:
    """Words no label may be made of: ours for English, and stopwords-iso's for the other
    languages mentor-bot speaks, since questions come in all of them."""
    import stopwordsiso

    others = [code for code in LANGUAGES if code != "en"]
    return STOPWORDS | frozenset(w.lower() for w in stopwordsiso.stopwords(others))


def terms(text: str) -> set[str]:
    return set(term_forms(text))


def shared_terms(asked: Sequence[Asked], *, limit: int = 3) -> list[str]:
    """Terms that at least MIN_PEOPLE different askers used, most people first (their most
    common written form): the only words of people's questions a label may show."""
    people, forms = _support(asked)
    ranked = sorted(
        ((len(who), stem) for stem, who in people.items() if len(who) >= MIN_PEOPLE),
        key=lambda item: (-item[0], item[1]),
    )
    return [forms[stem].most_common(1)[0][0] for _, stem in ranked[:limit]]


def _support(asked: Sequence[Asked]) -> tuple[dict[str, set[str]], dict[str, Counter[str]]]:
    """For each stem, who used it, and the forms it was written in."""
    people: dict[str, set[str]] = {}
    forms: dict[str, Counter[str]] = {}
    for question in asked:
        for stem, form in term_forms(question.text).items():
            people.setdefault(stem, set()).add(question.mentee)
            forms.setdefault(stem, Counter())[form] += 1
    return people, forms


def cluster_topics(
    questions: Sequence[Asked], vectors: NDArray[np.float32], *, max_topics: int = 5
) -> list[Topic]:
    """Labelled clusters, largest first; clusters with too few people behind them, and terms
    too few people used, are left out."""
    if len({q.mentee for q in questions}) < MIN_PEOPLE:
        return []
    k = max(1, min(max_topics, round(math.sqrt(len(questions) / 2))))
    assignment = _kmeans(vectors, k)
    clusters = [
        [questions[i] for i, c in enumerate(assignment) if c == label] for label in range(k)
    ]
    document_frequency = Counter(
        stem for cluster in clusters for stem in {s for q in cluster for s in terms(q.text)}
    )
    topics = []
    for cluster in clusters:
        if len({q.mentee for q in cluster}) < MIN_PEOPLE:
            continue
        people, forms = _support(cluster)
        scored = sorted(
            (
                (len(who) * math.log(1 + k / document_frequency[stem]), stem)
                for stem, who in people.items()
                if len(who) >= MIN_PEOPLE
            ),
            reverse=True,
        )
        if scored:
            label = ", ".join(forms[stem].most_common(1)[0][0] for _, stem in scored[:3])
            topics.append(Topic(label, len(cluster)))
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
