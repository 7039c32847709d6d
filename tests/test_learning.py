"""Learning from outcomes: a question a mentor helped with brings them first for similar
questions, "not my topic" pushes them down, bounded, decaying, shared between processes and
erased with the people it came from."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.handlers.ids import Action
from bot.matching.embedder import Embedder
from bot.matching.evidence import KEEP_PER_KIND, EvidenceScores, EvidenceStore
from bot.matching.ranking import LEARNING, Candidate, relevance
from bot.matching.service import MatchingService
from bot.mentoring.learning import OutcomeLearning
from bot.storage import evidence as evidence_repo
from bot.storage import sessions as session_repo
from bot.storage.db import session_scope
from bot.storage.evidence import EvidenceRow
from bot.storage.models import EvidenceKind, MatchEvidence, MentoringRequest, utcnow
from bot.storage.privacy import erase_person, personal_data, purge_texts
from tests.conftest import add_mentor
from tests.utils import flow
from tests.utils.bot_server import StartBot
from tests.utils.fake_embedder import FakeEmbedder
from tests.utils.slack_api import SlackStandIn

# Two mentors whose profiles fit a question about Kafka consumer lag about equally (the word
# "kafka"); which one really helps is only learned from outcomes.
KAFKA_QUESTION = "our kafka consumers fall behind every evening, lag keeps growing"
# Asked again later by someone else, in other words.
SIMILAR = "every evening our kafka consumers fall behind, and lag keeps growing: help?"
UNRELATED = "how do I prepare a conference talk?"


def seed(engine: Engine) -> dict[str, int]:
    return {
        "U0STREAM": add_mentor(engine, "U0STREAM", "kafka administration, broker upgrades"),
        "U0PLATFM": add_mentor(engine, "U0PLATFM", "kafka topics design, schema registry"),
        "U0SPEAK": add_mentor(engine, "U0SPEAK", "public speaking, conference talks"),
    }


def ask(engine: Engine, question: str, mentee: str = "U0MENTEE1") -> int:
    with session_scope(engine) as session:
        request = MentoringRequest(mentee_slack_id=mentee, question=question)
        session.add(request)
        session.flush()
        assert request.id is not None
        return request.id


def lived(
    matching: MatchingService,
    engine: Engine,
    mentor_id: int,
    kind: EvidenceKind,
    question: str = KAFKA_QUESTION,
    mentee: str = "U0MENTEE1",
) -> None:
    """`mentee` asked `question` and the outcome with the mentor taught `kind`."""
    matching.learn(
        mentor_id=mentor_id, request_id=ask(engine, question, mentee), kind=kind, question=question
    )


def meeting_of(engine: Engine, request_id: int, mentor_id: int) -> int:
    """A session of the request with the mentor (the mentee asked, the mentor accepted)."""
    with session_scope(engine) as session:
        meeting = session_repo.create_session(
            session,
            request_id=request_id,
            mentor_id=mentor_id,
            mentee_slack_id="U0MENTEE1",
            minutes=60,
        )
        assert meeting.id is not None
        return meeting.id


def first(matching: MatchingService, question: str) -> str:
    return matching.match(question, top_k=3)[0].slack_id


def evidence_rows(engine: Engine) -> list[MatchEvidence]:
    with session_scope(engine) as session:
        return list(session.exec(select(MatchEvidence)).all())


def test_a_helped_question_brings_its_mentor_first_for_similar_ones(
    engine: Engine, matching: MatchingService
) -> None:
    ids = seed(engine)
    matching.start()
    before = first(matching, SIMILAR)
    other = next(s for s in ("U0STREAM", "U0PLATFM") if s != before)
    lived(matching, engine, ids[other], EvidenceKind.HELPED)
    assert first(matching, SIMILAR) == other
    assert first(matching, UNRELATED) == "U0SPEAK"
    (row,) = evidence_rows(engine)
    assert row.kind == EvidenceKind.HELPED.value and len(row.vector) == 2 * matching.embedder.dim
    assert KAFKA_QUESTION.encode() not in row.vector  # a vector, never the text


def test_not_my_topic_lowers_the_mentor_for_similar_questions_only(
    engine: Engine, matching: MatchingService
) -> None:
    ids = seed(engine)
    matching.start()
    before = first(matching, SIMILAR)
    unrelated = [(r.slack_id, r.score) for r in matching.match(UNRELATED, top_k=1)]
    lived(matching, engine, ids[before], EvidenceKind.NOT_MY_TOPIC)
    assert first(matching, SIMILAR) != before
    # Other topics: unchanged.
    assert [(r.slack_id, r.score) for r in matching.match(UNRELATED, top_k=1)] == unrelated


def test_evidence_is_bounded_rebuilt_on_start_and_seen_by_other_processes(
    any_engine: Engine, fake_embedder: FakeEmbedder
) -> None:
    engine = any_engine
    ids = seed(engine)
    one = MatchingService(engine=engine, embedder=fake_embedder)
    other = MatchingService(engine=engine, embedder=fake_embedder)
    one.start()
    other.start()
    before = first(other, SIMILAR)
    helper = next(s for s in ("U0STREAM", "U0PLATFM") if s != before)
    for n in range(KEEP_PER_KIND + 5):
        lived(one, engine, ids[helper], EvidenceKind.HELPED, f"{KAFKA_QUESTION} ({n})")
    assert len(evidence_rows(engine)) == KEEP_PER_KIND  # the newest ones
    assert first(other, SIMILAR) == helper  # the other process refreshed from the database
    restarted = MatchingService(engine=engine, embedder=fake_embedder)
    restarted.start()
    assert first(restarted, SIMILAR) == helper


def test_evidence_fades_with_age() -> None:
    store = EvidenceStore(2, half_life_days=10)
    now = utcnow()
    vector = np.array([1.0, 0.0], dtype=np.float16).tobytes()
    store.replace(
        [7],
        [
            EvidenceRow(7, EvidenceKind.HELPED, vector, now - timedelta(days=10)),
            EvidenceRow(7, EvidenceKind.NOT_MY_TOPIC, vector, now - timedelta(days=20)),
        ],
    )
    scores = store.scores(7, np.array([1.0, 0.0], dtype=np.float32), now)
    assert scores.helped == pytest.approx(0.5)
    assert scores.declined == pytest.approx(0.25)
    store.replace([7], [])
    assert store.scores(7, np.array([1.0, 0.0], dtype=np.float32), now).declined == 0.0


def test_evidence_moves_a_mentor_only_for_close_questions_and_boundedly() -> None:
    def moved(evidence: EvidenceScores) -> float:
        empty = np.zeros(0, np.float32)
        learned = Candidate(1, 0.5, [], empty, evidence=evidence)
        return relevance(learned) - relevance(Candidate(1, 0.5, [], empty))

    below, between = LEARNING.floor - 0.1, (LEARNING.floor + 1) / 2
    assert moved(EvidenceScores(helped=below)) == moved(EvidenceScores(declined=below)) == 0.0
    assert 0 < moved(EvidenceScores(helped=between)) < moved(EvidenceScores(helped=1.0))
    assert moved(EvidenceScores(helped=1.0)) == pytest.approx(LEARNING.bonus)
    assert 0 > moved(EvidenceScores(declined=between)) > moved(EvidenceScores(declined=1.0))
    assert moved(EvidenceScores(declined=1.0)) == pytest.approx(-LEARNING.penalty)


def test_rating_teaches_and_a_lower_rating_takes_it_back(
    engine: Engine, matching: MatchingService
) -> None:
    ids = seed(engine)
    matching.start()
    learning = OutcomeLearning(engine=engine, matching=matching)
    request_id = ask(engine, KAFKA_QUESTION)
    session_id = meeting_of(engine, request_id, ids["U0PLATFM"])
    learning.session_rated(session_id, "U0MENTEE1", 3)
    assert evidence_rows(engine) == []
    learning.session_rated(session_id, "U0MENTEE1", 5)
    assert [r.kind for r in evidence_rows(engine)] == [EvidenceKind.HELPED.value]
    learning.session_rated(session_id, "U0MENTEE1", 2)  # the mentee changed their mind
    assert evidence_rows(engine) == []


def test_erasing_either_person_or_retention_removes_the_evidence(
    engine: Engine, matching: MatchingService
) -> None:
    ids = seed(engine)
    matching.start()
    baseline = first(matching, SIMILAR)
    helper = next(s for s in ("U0STREAM", "U0PLATFM") if s != baseline)
    lived(matching, engine, ids[helper], EvidenceKind.HELPED, mentee="U0MENTEE1")
    lived(matching, engine, ids[helper], EvidenceKind.HELPED, mentee="U0MENTEE2")
    with session_scope(engine) as session:
        assert personal_data(session, "U0MENTEE1")["matching_evidence"] == {
            "from_my_questions": 1,
            "about_me_as_mentor": 0,
        }
        assert personal_data(session, helper)["matching_evidence"]["about_me_as_mentor"] == 2
        erase_person(session, "U0MENTEE1")
    assert len(evidence_rows(engine)) == 1
    assert first(matching, SIMILAR) == helper  # the other mentee's session still counts
    with session_scope(engine) as session:
        erase_person(session, helper)
    assert evidence_rows(engine) == []
    assert first(matching, SIMILAR) == baseline

    # Retention: whatever is older than RETENTION_DAYS goes, with the question texts.
    other = next(s for s in ("U0STREAM", "U0PLATFM") if s != helper)
    lived(matching, engine, ids[other], EvidenceKind.HELPED, mentee="U0MENTEE3")
    assert len(evidence_rows(engine)) == 1
    with time_machine.travel(utcnow() + timedelta(days=400)), session_scope(engine) as session:
        purge_texts(session, utcnow() - timedelta(days=365))
    assert evidence_rows(engine) == []


def test_nothing_is_learned_from_an_erased_or_purged_question(
    engine: Engine, matching: MatchingService
) -> None:
    ids = seed(engine)
    matching.start()
    request_id = ask(engine, KAFKA_QUESTION)
    with session_scope(engine) as session:
        purge_texts(session, utcnow() + timedelta(seconds=1))
        stored = evidence_repo.record(
            session,
            mentor_id=ids["U0STREAM"],
            request_id=request_id,
            kind=EvidenceKind.HELPED,
            model=matching.model_key,
            vector=np.zeros(matching.embedder.dim, np.float16).tobytes(),
            keep=KEEP_PER_KIND,
        )
    assert stored is False
    session_id = meeting_of(engine, request_id, ids["U0STREAM"])
    OutcomeLearning(engine=engine, matching=matching).session_rated(session_id, "U0MENTEE1", 5)
    assert evidence_rows(engine) == []


# -- through Slack -------------------------------------------------------------------------


def test_not_my_topic_through_slack_moves_on_and_is_remembered(
    engine: Engine,
    start_bot: StartBot,
    slack_api: SlackStandIn,
    real_embedder: Embedder,
) -> None:
    bot = start_bot(embedder=real_embedder)
    flow.seed(engine)
    flow.ask(bot)
    bot.click(Action.NOT_MY_TOPIC, flow.offer_to(slack_api, "U0SRE0001"), "U0SRE0001")
    slack_api.wait_text("response_url", "as not your topic")
    flow.offer_to(slack_api, "U0SRE0002")  # the cascade moved on
    (row,) = evidence_rows(engine)
    assert row.kind == EvidenceKind.NOT_MY_TOPIC.value
    # Someone else asks much the same thing: the mentor who said "not my topic" is not asked
    # first any more, though their profile still fits best on words alone.
    flow.ask(bot, "How should I write up our incident postmortems?", user="U0MENTEE2")
    offers = slack_api.wait_for(lambda: len(flow.offers_in(engine)) == 3 and flow.offers_in(engine))
    assert offers[-1].mentor_id != row.mentor_id


def test_a_session_rated_well_through_slack_teaches_the_matcher(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    meeting = flow.book_first_slot(engine, bot, slack_api)
    assert meeting.starts_at is not None and meeting.id is not None
    with time_machine.travel(meeting.starts_at + timedelta(hours=1), tick=True):
        bot.click("feedback_attendance_held", f"{meeting.id}:held", flow.MENTEE)
        slack_api.wait_text("response_url", "How did your session")
    bot.click("feedback_rate_5", f"{meeting.id}:5", flow.MENTEE)
    rows = slack_api.wait_for(lambda: evidence_rows(engine))
    assert [(r.kind, r.mentor_id) for r in rows] == [(EvidenceKind.HELPED.value, meeting.mentor_id)]
    bot.click("feedback_rate_5", f"{meeting.id}:5", "U0SRE0001")  # the mentor's rating: no say
    bot.wait_idle()
    assert len(evidence_rows(engine)) == 1


def test_repeated_and_forged_not_my_topic_clicks_teach_once_and_never_fail(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    bot = start_bot()
    flow.seed(engine)
    flow.ask(bot)
    offer = flow.offer_to(slack_api, "U0SRE0001")
    bot.click(Action.NOT_MY_TOPIC, offer, "U0SRE0001")
    slack_api.wait_text("response_url", "as not your topic")
    again = bot.click(Action.NOT_MY_TOPIC, offer, "U0SRE0001")  # a double click, a retry
    stranger = bot.click(Action.NOT_MY_TOPIC, offer, "U0STRANGER")
    forged = bot.click(Action.NOT_MY_TOPIC, "'; drop table offer; --", "U0SRE0001")
    assert {again.status, stranger.status, forged.status} == {200}
    slack_api.wait_for(lambda: len(slack_api.of("response_url")) == 4)
    bot.wait_idle()
    assert [r.kind for r in evidence_rows(engine)] == [EvidenceKind.NOT_MY_TOPIC.value]
    assert len(flow.offers_in(engine)) == 2  # the request moved on once
