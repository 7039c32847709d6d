"""An embedding model that loads later, in the bot's warm-up thread (see
bot/container.py), so the bot can answer Slack while torch and the model load."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from bot.errors import ModelUnavailableError
from bot.logging import log_event
from bot.matching.embedder import Embedder, Vectors

logger = logging.getLogger(__name__)


class DeferredEmbedder:
    """The embedding model, loaded later by `load()` (the bot's warm-up thread), so the bot can
    answer Slack while torch and the model load.

    Its name and vector size are known before the model is (the size from the vectors stored
    for it), which is all the index needs to be built around. Embedding waits for `load()`; a
    model that failed to load fails every call with the reason, never hangs one.

    Loading the model in one thread while the index loads in another was measured and
    rejected: both are GIL-bound (imports; SQLite rows), so on 2 cores at 100k mentors the
    overlap took as long as one after the other or longer (a GIL convoy: the SQLite thread
    gives the GIL up for every row), and it slowed the acks served meanwhile."""

    def __init__(self, name: str, dim: int, build: Callable[[], Embedder]) -> None:
        self._name = name
        self._dim = dim
        self._build = build
        self._model: Embedder | None = None
        self._error: BaseException | None = None
        self._loading = threading.Lock()
        self._loaded = threading.Event()

    def load(self) -> Embedder:
        """Load the model now (once; later calls return it, or raise why it failed)."""
        with self._loading:
            if not self._loaded.is_set():
                started = time.perf_counter()
                try:
                    model = self._build()
                    if (model.name, model.dim) != (self._name, self._dim):
                        raise ModelUnavailableError(
                            f"Model {model.name!r} makes {model.dim}-d vectors, but the vectors"
                            f" stored for {self._name!r} are {self._dim}-d."
                        )
                    self._model = model
                    log_event(
                        logger,
                        "model_loaded",
                        model=self._name,
                        seconds=round(time.perf_counter() - started, 3),
                    )
                except BaseException as exc:  # noqa: BLE001  (raised to every caller, below)
                    self._error = exc
                finally:
                    self._loaded.set()
        return self.wait()

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def wait(self) -> Embedder:
        """The loaded model, once `load()` has run (raises ModelUnavailableError if it failed)."""
        self._loaded.wait()
        if self._model is None:
            if isinstance(self._error, ModelUnavailableError):
                raise ModelUnavailableError(str(self._error)) from self._error
            raise ModelUnavailableError(
                f"Cannot load embedding model {self._name!r}: {self._error!r}"
            ) from self._error
        return self._model

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.wait().embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.wait().embed_queries(texts)
