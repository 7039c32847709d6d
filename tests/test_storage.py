from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.matching.availability import availability_of
from bot.storage import mentors as mentor_repo
from bot.storage.db import session_scope
from bot.storage.models import (
    MentoringRequest,
    MentorProfile,
    Offer,
    OfferStatus,
    utcnow,
)
from bot.storage.privacy import erase_mentor_profile
from bot.weeks import week_of
from tests.conftest import add_mentor


def test_upsert_creates_then_updates_only_given_fields(any_engine: Engine) -> None:
    add_mentor(
        any_engine, "U001", "kubernetes upgrades", timezone="Europe/Paris", weekly_capacity=3
    )
    with session_scope(any_engine) as session:
        _, created = mentor_repo.upsert_mentor(
            session, MentorProfile(slack_id="U001", expertise="helm charts")
        )
        assert not created
    with session_scope(any_engine) as session:
        stored = mentor_repo.get_by_slack_id(session, "U001")
        assert stored is not None
        assert stored.expertise == "helm charts"
        assert stored.timezone == "Europe/Paris"  # not given, so kept
        assert stored.weekly_capacity == 3


def test_every_change_advances_the_roster_version_and_is_logged(any_engine: Engine) -> None:
    with session_scope(any_engine) as session:
        start = mentor_repo.roster_version(session)
    first = add_mentor(any_engine, "U001", "sql")
    second = add_mentor(any_engine, "U002", "python")
    with session_scope(any_engine) as session:
        changed, version = mentor_repo.changed_since(session, start)
        assert changed == {first, second}
        assert version == start + 2
        assert mentor_repo.changed_since(session, version) == (set(), version)
        assert erase_mentor_profile(session, "U001")
    with session_scope(any_engine) as session:
        changed, _ = mentor_repo.changed_since(session, version)
        assert changed == {first}  # removals are announced too
        assert mentor_repo.get_by_slack_id(session, "U001") is None
        assert not erase_mentor_profile(session, "U001")


def _offer(request_id: int, mentor_id: int, status: OfferStatus) -> Offer:
    return Offer(
        request_id=request_id,
        mentor_id=mentor_id,
        rank=1,
        score=0.5,
        status=status.value,
        expires_at=utcnow() + timedelta(hours=8),
        responded_at=utcnow(),
    )


def test_database_refuses_two_accepted_offers_for_one_request(any_engine: Engine) -> None:
    a = add_mentor(any_engine, "U001", "sql")
    b = add_mentor(any_engine, "U002", "sql")
    with session_scope(any_engine) as session:
        request = MentoringRequest(mentee_slack_id="U009", question="sql help")
        session.add(request)
        session.flush()
        assert request.id is not None
        request_id = request.id
        session.add(_offer(request_id, a, OfferStatus.ACCEPTED))
        session.add(_offer(request_id, b, OfferStatus.DECLINED))
    with session_scope(any_engine) as session:
        second = session.get(Offer, 2)
        assert second is not None
        second.status = OfferStatus.ACCEPTED.value
        session.add(second)
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with session_scope(any_engine) as session:  # the failed write left nothing behind
        assert session.get(Offer, 2).status == OfferStatus.DECLINED.value  # type: ignore[union-attr]


def test_availability_counts_pending_and_this_weeks_accepted_offers(any_engine: Engine) -> None:
    busy = add_mentor(any_engine, "U001", "sql", weekly_capacity=2)
    paused = add_mentor(any_engine, "U002", "sql", paused_until=utcnow() + timedelta(days=3))
    inactive = add_mentor(any_engine, "U003", "sql", active=False)
    free = add_mentor(any_engine, "U004", "sql")
    with session_scope(any_engine) as session:
        for _ in range(2):
            request = MentoringRequest(mentee_slack_id="U009", question="q")
            session.add(request)
            session.flush()
            assert request.id is not None
            session.add(_offer(request.id, busy, OfferStatus.PENDING))
    now = utcnow()
    with session_scope(any_engine) as session:
        avail = availability_of(session, [busy, paused, inactive, free], now)
    assert avail[busy].load_this_week == 2
    assert not avail[busy].is_available(now)
    assert not avail[paused].is_available(now)
    assert avail[paused].is_available(now + timedelta(days=4))
    assert not avail[inactive].is_available(now)
    assert avail[free].is_available(now)
    assert avail[free].load_ratio == 0


def test_week_starts_on_monday_midnight_utc() -> None:
    now = utcnow()
    start = week_of(now)
    assert start.weekday() == 0
    assert (start.hour, start.minute) == (0, 0)
    assert timedelta(0) <= now - start < timedelta(days=7)
