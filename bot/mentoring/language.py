"""Which of mentor-bot's languages a question is written in (py3langid, restricted to them).

Short texts are hard: only a clear answer counts, otherwise None (nothing is assumed)."""

from __future__ import annotations

import functools
import threading
from typing import Any

from bot.i18n import LANGUAGES

# Below this many letters a guess is mostly noise ("k8s upgrade?").
MIN_LETTERS = 12
# py3langid's normalised probability a guess must reach.
MIN_CONFIDENCE = 0.8

_lock = threading.Lock()


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def warm_language_identifier() -> None:
    """Load the identifier now (the composition root calls it at start)."""
    _identifier()


def question_language(text: str) -> str | None:
    """The language of `text` when it is clearly one mentor-bot speaks, else None."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    with _lock:  # the identifier keeps state between calls
        language, confidence = _identifier().classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else None
