"""Scoring and explaining candidates. Pure functions: no database, no FAISS, no Slack."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from bot.config import E5_LANGUAGE_BONUS, PACKAGED_E5_MODEL
from bot.matching.availability import Availability
from bot.matching.evidence import NO_EVIDENCE, EvidenceScores

# Weights chosen on bench/questions.csv with 2-fold cross-validation (README "Match quality").
# The best phrase rewards a precise competence ("dbt models") over a profile that is merely about
# the same field; the 2nd and 3rd phrases reward depth in the area; the whole-profile cosine
# mostly matters for profiles written as one long sentence.
PROFILE_WEIGHT = 0.1
PHRASE_WEIGHTS = (0.6, 0.3, 0.1)
# Small enough to only reorder near-ties: a mentor at full load loses 0.02.
LOAD_PENALTY = 0.02
# A mentor who mentors in the mentee's language (not English, which every mentor is assumed to
# manage) is preferred strongly, not exclusively: they win over anyone less than this much more
# relevant; when no speaker fits at all, the best expert is still asked. On MiniLM's scale; E5's
# scores sit in a band ten times narrower (see E5_LANGUAGE_BONUS).
LANGUAGE_BONUS = 0.05


def language_bonus_for(model: str) -> float:
    """The language preference on `model`'s score scale (the Universal Sentence Encoder's
    scores spread like MiniLM's: LANGUAGE_BONUS, cross-validated on bench/multilingual)."""
    return E5_LANGUAGE_BONUS if model == PACKAGED_E5_MODEL else LANGUAGE_BONUS


@dataclass(frozen=True)
class Learning:
    """How outcomes move a mentor (see bot/matching/evidence.py): a question much like one they
    helped with adds up to `bonus`, one much like a question they declined as "not my topic"
    costs up to `penalty` — nothing at cosine `floor` (merely the same field), all of it for
    the same question again."""

    floor: float
    bonus: float
    penalty: float


# Only for near-repeats of a past question: at cosine 0.7 and below nothing moves. The replay in
# bench/learning.py (README "Learning from outcomes") is neutral with these values on both sets,
# and no setting with a floor of 0.6 or more changes a single own-set answer, so the sizes come
# from the rule they implement: the same question again goes to the mentor who helped with it
# (+0.1 settles near-ties) and not to one who said it is "not my topic" (up to -0.2: the mentor
# said so explicitly, and a near-repeat must lose a 0.1 lead on words alone). Looser floors
# were rejected: floor 0.2 lifted the frozen set's hit@1 by up to 0.035 and cost the own set
# 0.05 (cross-validation on the own set never chose them). E5's cosines sit in a band about ten
# times narrower near the top (not replayed; scaled like its language bonus).
LEARNING = Learning(floor=0.7, bonus=0.1, penalty=0.2)
E5_LEARNING = Learning(floor=0.97, bonus=0.01, penalty=0.02)


def learning_for(model: str) -> Learning:
    return E5_LEARNING if model == PACKAGED_E5_MODEL else LEARNING


REASON_MIN_SCORE = 0.25
REASON_MARGIN = 0.12


@dataclass(frozen=True)
class Candidate:
    mentor_id: int
    profile_score: float
    phrases: Sequence[str]
    phrase_scores: NDArray[np.float32]
    evidence: EvidenceScores = NO_EVIDENCE


@dataclass(frozen=True)
class RankedMentor:
    mentor_id: int
    slack_id: str
    score: float
    reasons: tuple[str, ...]


def relevance(candidate: Candidate, learning: Learning = LEARNING) -> float:
    """Weighted profile cosine and top phrase cosines, moved by what outcomes taught; a profile
    with fewer phrases than weights repeats its weakest one (or the profile cosine when it has
    none)."""
    top = [float(s) for s in np.sort(candidate.phrase_scores)[::-1][: len(PHRASE_WEIGHTS)]]
    top = top or [candidate.profile_score]
    top += [top[-1]] * (len(PHRASE_WEIGHTS) - len(top))
    weighted = sum(w * s for w, s in zip(PHRASE_WEIGHTS, top, strict=True))
    evidence = candidate.evidence
    learned = learning.bonus * _closeness(evidence.helped, learning.floor)
    learned -= learning.penalty * _closeness(evidence.declined, learning.floor)
    return PROFILE_WEIGHT * candidate.profile_score + weighted + learned


def _closeness(similarity: float, floor: float) -> float:
    """0 at or below `floor`, rising to 1 for the very same question."""
    return min(1.0, max(0.0, (similarity - floor) / (1.0 - floor)))


def reasons(candidate: Candidate, limit: int = 3) -> tuple[str, ...]:
    """The phrases that matched best, strongest first, close to the best one."""
    if not len(candidate.phrase_scores):
        return ()
    order = np.argsort(candidate.phrase_scores)[::-1]
    best = float(candidate.phrase_scores[order[0]])
    chosen = [
        candidate.phrases[i]
        for i in order[:limit]
        if candidate.phrase_scores[i] >= max(REASON_MIN_SCORE, best - REASON_MARGIN)
    ]
    return tuple(chosen or [candidate.phrases[order[0]]])


AvailabilityLookup = Callable[[list[int]], Mapping[int, Availability]]


@dataclass(frozen=True)
class Ranking:
    mentors: list[RankedMentor]
    unavailable: int  # relevant enough, but filtered out: more may exist further down the list


def rank(
    candidates: Sequence[Candidate],
    availability_of: AvailabilityLookup,
    *,
    now: datetime,
    top_k: int,
    min_score: float = 0.0,
    available_only: bool = True,
    exclude_slack_ids: frozenset[str] = frozenset(),
    exclude_mentor_ids: frozenset[int] = frozenset(),
    prefer_language: str | None = None,
    language_bonus: float = LANGUAGE_BONUS,
    learning: Learning = LEARNING,
) -> Ranking:
    """Available candidates scoring at least `min_score`, best first, with a gentle penalty for
    mentors already busy and a bonus for mentors who speak `prefer_language`.

    Availability is looked up lazily, most relevant first: only candidates that could still make
    the top `top_k` (within LOAD_PENALTY of the k-th available one) are ever looked up.
    """
    scored = sorted(
        (
            (score, c)
            for c in candidates
            if c.mentor_id not in exclude_mentor_ids
            and (score := relevance(c, learning)) >= min_score
        ),
        key=lambda item: item[0],
        reverse=True,
    )
    unavailable = 0
    chunk = max(16, 4 * top_k)
    bonus = language_bonus if prefer_language else 0.0
    # How far below the k-th a candidate may still overtake it: a speaker gains the bonus.
    reach = LOAD_PENALTY + bonus
    available: list[tuple[float, float, RankedMentor]] = []
    position = 0
    while position < len(scored):
        if len(available) >= top_k and scored[position][0] < _kth(available, top_k) - reach:
            break  # nobody further down can overtake the current top k
        batch = scored[position : position + chunk]
        position += chunk
        lookup = availability_of([c.mentor_id for _, c in batch])
        for score, candidate in batch:
            avail = lookup.get(candidate.mentor_id)
            if avail is None or avail.slack_id in exclude_slack_ids:
                continue
            # Inactive or unapproved mentors never count, not even as "someone knows this".
            if not avail.listed or (available_only and not avail.is_available(now)):
                unavailable += 1
                continue
            result = RankedMentor(
                candidate.mentor_id, avail.slack_id, round(score, 4), reasons(candidate)
            )
            adjusted = score - LOAD_PENALTY * avail.load_ratio
            if prefer_language in avail.languages:
                adjusted += bonus
            available.append((adjusted, -avail.load_ratio, result))
    available.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return Ranking([item[2] for item in available[:top_k]], unavailable)


def _kth(available: list[tuple[float, float, RankedMentor]], k: int) -> float:
    """The k-th best unpenalised relevance among mentors found available so far."""
    return sorted((item[2].score for item in available), reverse=True)[k - 1]
