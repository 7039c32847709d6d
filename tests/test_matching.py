from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from bot.errors import InvalidQuestionError
from bot.matching.service import MatchingService
from bot.mentoring.questions import MAX_QUESTION_CHARS, clean_question
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import MentoringRequest, MentorProfile, Offer, OfferStatus, utcnow
from bot.storage.privacy import erase_mentor_profile
from tests.conftest import add_mentor
from tests.utils.fake_embedder import FakeEmbedder


def seed(engine: Engine) -> None:
    add_mentor(engine, "U0SRE", "incident postmortems, on-call rotations, alerting", name="Ana")
    add_mentor(engine, "U0DEN", "data pipelines with airflow, dbt models, warehouse design")
    add_mentor(engine, "U0DSC", "A/B testing, experiment design, statistics")
    add_mentor(engine, "U0SPK", "public speaking, conference talks")


def test_best_mentor_first_with_reasons(engine: Engine, matching: MatchingService) -> None:
    seed(engine)
    matching.start()
    results = matching.match("how do I write incident postmortems?", top_k=2)
    assert results[0].slack_id == "U0SRE"
    assert results[0].name == "Ana"
    assert results[0].reasons[0] == "incident postmortems"
    assert results[0].score > results[1].score


def test_near_miss_is_ranked_by_precise_phrase(engine: Engine, matching: MatchingService) -> None:
    seed(engine)
    matching.start()
    assert matching.match("structuring dbt models in the warehouse")[0].slack_id == "U0DEN"
    assert matching.match("experiment design for an A/B test")[0].slack_id == "U0DSC"


def test_never_matches_the_mentee_themself(engine: Engine, matching: MatchingService) -> None:
    seed(engine)
    matching.start()
    results = matching.match("postmortems", mentee_slack_id="U0SRE", top_k=4)
    assert "U0SRE" not in [r.slack_id for r in results]
    assert len(results) == 3


def test_excluded_mentors_are_skipped(engine: Engine, matching: MatchingService) -> None:
    seed(engine)
    matching.start()
    first = matching.match("postmortems")[0]
    again = matching.match("postmortems", exclude_mentor_ids=frozenset({first.mentor_id}))
    assert first.mentor_id not in [r.mentor_id for r in again]


def test_paused_inactive_and_full_mentors_are_filtered(
    engine: Engine, matching: MatchingService
) -> None:
    add_mentor(engine, "U0PAUSED", "postmortems", paused_until=utcnow() + timedelta(days=7))
    add_mentor(engine, "U0GONE", "postmortems", active=False)
    full = add_mentor(engine, "U0FULL", "postmortems", weekly_capacity=1)
    add_mentor(engine, "U0FREE", "postmortems and speaking")
    with session_scope(engine) as session:
        request = MentoringRequest(mentee_slack_id="U0ASK", question="q")
        session.add(request)
        session.flush()
        assert request.id
        session.add(
            Offer(
                request_id=request.id,
                mentor_id=full,
                rank=1,
                score=1,
                status=OfferStatus.ACCEPTED.value,
                responded_at=utcnow(),
                expires_at=utcnow(),
            )
        )
    matching.start()
    assert [r.slack_id for r in matching.match("postmortems", top_k=5)] == ["U0FREE"]


def test_load_balancing_breaks_near_ties(engine: Engine, matching: MatchingService) -> None:
    star = add_mentor(engine, "U0STAR", "kubernetes upgrades", weekly_capacity=4)
    add_mentor(engine, "U0CALM", "kubernetes upgrades", weekly_capacity=4)
    with session_scope(engine) as session:
        request = MentoringRequest(mentee_slack_id="U0ASK", question="q")
        session.add(request)
        session.flush()
        assert request.id
        session.add(
            Offer(
                request_id=request.id,
                mentor_id=star,
                rank=1,
                score=1,
                status=OfferStatus.ACCEPTED.value,
                responded_at=utcnow(),
                expires_at=utcnow(),
            )
        )
    matching.start()
    assert [r.slack_id for r in matching.match("kubernetes upgrades", top_k=2)] == [
        "U0CALM",
        "U0STAR",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write your question"),
        ("   \n ", "Please write your question"),
        ("?!", "too short"),
        ("x" * (MAX_QUESTION_CHARS + 1), "under 3000"),
    ],
)
def test_unmatchable_questions_get_a_clear_error(
    engine: Engine, matching: MatchingService, text: str, message: str
) -> None:
    seed(engine)
    matching.start()
    with pytest.raises(InvalidQuestionError, match=message):
        matching.match(text)


def test_clean_question_folds_whitespace() -> None:
    assert clean_question("  how   do\nI  ") == "how do I"


def test_empty_roster_returns_no_match(matching: MatchingService) -> None:
    matching.start()
    assert matching.match("postmortems") == []


def test_restart_reuses_cached_embeddings(engine: Engine) -> None:
    seed(engine)
    first = FakeEmbedder()
    assert MatchingService(engine=engine, embedder=first).start() == 4
    second = FakeEmbedder()
    service = MatchingService(engine=engine, embedder=second)
    assert service.start() == 0
    assert second.texts_embedded == 0
    assert service.match("postmortems")[0].slack_id == "U0SRE"


def test_changed_profile_is_reembedded_alone(engine: Engine, matching: MatchingService) -> None:
    seed(engine)
    matching.start()
    add_mentor(engine, "U0SPK", "kubernetes upgrades and helm")
    assert matching.sync_embeddings() == 1


def test_changing_the_model_reembeds_everything(engine: Engine) -> None:
    seed(engine)
    MatchingService(engine=engine, embedder=FakeEmbedder(name="model-a")).start()
    assert MatchingService(engine=engine, embedder=FakeEmbedder(name="model-b")).start() == 4
    # Switching back is free: vectors of both models are kept.
    assert MatchingService(engine=engine, embedder=FakeEmbedder(name="model-a")).start() == 0


def test_changes_by_another_process_are_seen_before_matching(any_engine: Engine) -> None:
    seed(any_engine)
    bot = MatchingService(engine=any_engine, embedder=FakeEmbedder())
    admin = MatchingService(engine=any_engine, embedder=FakeEmbedder())
    bot.start()
    admin.start()
    # "Another process" edits the roster directly: a new mentor, an edit and a removal.
    add_mentor(any_engine, "U0K8S", "kubernetes cluster upgrades")
    add_mentor(any_engine, "U0DSC", "kubernetes networking")
    with session_scope(any_engine) as session:
        erase_mentor_profile(session, "U0SRE")  # as `mentors remove` does
    results = [r.slack_id for r in bot.match("kubernetes cluster upgrades", top_k=5)]
    assert results[:2] == ["U0K8S", "U0DSC"]
    assert "U0SRE" not in [r.slack_id for r in bot.match("postmortems", top_k=5)]
    assert len(bot.index) == 4


def test_profile_edit_through_repository_updates_reasons(
    engine: Engine, matching: MatchingService
) -> None:
    seed(engine)
    matching.start()
    with session_scope(engine) as session:
        mentor, _ = mentor_repo.upsert_mentor(
            session, MentorProfile(slack_id="U0SPK", expertise="terraform modules")
        )
        assert mentor.id
        mentor_repo.record_changes(session, [mentor.id])
    top = matching.match("terraform modules")[0]
    assert (top.slack_id, top.reasons) == ("U0SPK", ("terraform modules",))


def test_unchanged_text_with_new_revision_is_not_reembedded(engine: Engine) -> None:
    seed(engine)
    MatchingService(engine=engine, embedder=FakeEmbedder()).start()
    with session_scope(engine) as session:  # e.g. a pause: the revision moves, the text does not
        mentor = mentor_repo.get_by_slack_id(session, "U0SRE")
        assert mentor is not None
        assert mentor.id is not None
        mentor.paused_until = utcnow() + timedelta(days=1)
        session.add(mentor)
        mentor_repo.record_changes(session, [mentor.id])
    embedder = FakeEmbedder()
    service = MatchingService(engine=engine, embedder=embedder)
    assert service.start() == 0
    assert embedder.texts_embedded == 0
    assert service.sync_embeddings() == 0  # re-stamped, so not even re-checked next time


def test_question_vectors_expire_without_further_traffic(engine: Engine) -> None:
    """A question's vector is derived from its words: it leaves memory on time even when no
    later question comes to push it out (an erased person's words must not linger)."""
    seed(engine)
    embedder = FakeEmbedder()
    matching = MatchingService(engine=engine, embedder=embedder, query_cache_seconds=0.2)
    matching.start()
    matching.match("how do I write incident postmortems?")
    assert matching.cached_queries == 1
    embedded = embedder.texts_embedded
    matching.match("how do I write incident postmortems?")
    assert embedder.texts_embedded == embedded  # reused within its lifetime, not re-embedded
    deadline = time.monotonic() + 5
    while matching.cached_queries and time.monotonic() < deadline:
        time.sleep(0.05)
    assert matching.cached_queries == 0


def test_a_mentor_who_speaks_the_mentees_language_comes_first_unless_clearly_less_relevant(
    engine: Engine, matching: MatchingService
) -> None:
    # The best expert speaks English only; a near-equal one mentors in Polish ("polski").
    add_mentor(engine, "U0BEST", "kubernetes upgrades, helm charts", languages="en")
    add_mentor(engine, "U0POLE", "kubernetes upgrades", languages="en, polski")
    add_mentor(engine, "U0FAR", "knitting scarves", languages="pl")
    matching.start()
    question = "kubernetes upgrades and helm charts"
    plain = [r.slack_id for r in matching.match(question, top_k=3)]
    assert plain[:2] == ["U0BEST", "U0POLE"]
    # A Polish question prefers the Polish speaker who knows the topic...
    assert matching.match(question, prefer_language="pl")[0].slack_id == "U0POLE"
    # ...but never one who doesn't: a knitter is no Kubernetes mentor, Polish or not.
    ranked = [r.slack_id for r in matching.match(question, top_k=3, prefer_language="pl")]
    assert ranked.index("U0BEST") < ranked.index("U0FAR")
    # English prefers nobody (every mentor is assumed to manage it), and nobody is filtered.
    assert [r.slack_id for r in matching.match(question, top_k=3, prefer_language="en")] == plain
    # When no speaker fits at all, the best expert is still found.
    assert matching.match(question, prefer_language="id")[0].slack_id == "U0BEST"


def test_a_mentors_example_question_matches_a_situation_without_the_expertise_words(
    engine: Engine, matching: MatchingService
) -> None:
    question = "how much downtime is acceptable for the checkout api?"
    add_mentor(engine, "U0API", "api design and versioning, checkout api integrations")
    add_mentor(engine, "U0SRE", "SLOs and error budgets")
    matching.start()
    assert matching.match(question)[0].slack_id == "U0API"  # only the words matched
    with session_scope(engine) as session:
        mentor = mentor_repo.get_by_slack_id(session, "U0SRE")
        assert mentor is not None and mentor.id is not None
        mentor.help_questions = ["How much downtime is acceptable for our API?"]
        session.add(mentor)
        mentor_repo.record_changes(session, [mentor.id])
    best = matching.match(question)[0]
    assert best.slack_id == "U0SRE"
    assert best.reasons[0] == "How much downtime is acceptable for our API?"
