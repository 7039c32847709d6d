"""A deterministic bag-of-words embedder: fast, no model, similar texts share words."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from bot.matching.embedder import Vectors

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {
    "a",
    "an",
    "and",
    "the",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "how",
    "do",
    "i",
    "we",
    "my",
    "our",
    "is",
    "what",
    "should",
    "can",
}


def _stem(word: str) -> str:
    for suffix in ("ing", "ers", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class FakeEmbedder:
    def __init__(self, dim: int = 512, name: str = "fake-bow") -> None:
        self._dim = dim
        self._name = name
        self.calls: list[int] = []  # number of texts per embed() call

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def texts_embedded(self) -> int:
        return sum(self.calls)

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                if word in _STOP:
                    continue
                digest = hashlib.blake2b(_stem(word).encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else np.full(self._dim, 1 / np.sqrt(self._dim))
        return out

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Symmetric: questions are embedded like profiles (and counted in `calls` too)."""
        return self.embed(texts)
