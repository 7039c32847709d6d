"""Repository for cached profile vectors (`mentor_embedding`): which profiles need embedding,
saving vectors, and streaming them into the index. Which text gets embedded, and when, is the
matching service's decision."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.storage.db import table_of
from bot.storage.models import Mentor, MentorEmbedding

STREAM_CHUNK = 5000


@dataclass(frozen=True)
class ProfileRow:
    """A profile whose vectors are missing or older than its last change."""

    mentor_id: int
    title: str
    expertise: str
    skills: list[str]
    help_questions: list[str]
    revision: int
    known_hash: str | None  # of the text the stored vectors were computed from


def stale_profiles(
    session: Session, model: str, mentor_ids: Sequence[int] | None = None
) -> list[ProfileRow]:
    """Profiles changed since their vectors for `model` were computed (a pure SQL check on
    revisions). An erased mentor's profile is empty: nothing to embed, nothing to index."""
    mentor, embedding = table_of(Mentor), table_of(MentorEmbedding)
    query = (
        sa.select(
            mentor.c.id,
            mentor.c.title,
            mentor.c.expertise,
            mentor.c.skills,
            mentor.c.help_questions,
            mentor.c.revision,
            embedding.c.text_hash,
        )
        .outerjoin(
            embedding,
            sa.and_(embedding.c.mentor_id == mentor.c.id, embedding.c.model == model),
        )
        .where(
            sa.or_(
                embedding.c.mentor_id.is_(None),
                embedding.c.source_revision != mentor.c.revision,
            ),
            mentor.c.expertise != "",
        )
    )
    if mentor_ids is not None:
        query = query.where(mentor.c.id.in_(list(mentor_ids)))
    return [
        ProfileRow(mentor_id, title, expertise, skills or [], questions or [], revision, known)
        for mentor_id, title, expertise, skills, questions, revision, known in session.execute(
            query
        )
    ]


def restamp(session: Session, model: str, revisions: dict[int, int]) -> None:
    """Mark stored vectors as current for these revisions (their text did not change)."""
    if not revisions:
        return
    table = table_of(MentorEmbedding)
    statement = (
        sa.update(table)
        .where(table.c.mentor_id == sa.bindparam("mid"), table.c.model == model)
        .values(source_revision=sa.bindparam("rev"))
    )
    session.connection().execute(statement, [{"mid": m, "rev": r} for m, r in revisions.items()])


def save(session: Session, embeddings: Sequence[MentorEmbedding]) -> None:
    for embedding in embeddings:
        session.merge(embedding)


def totals(session: Session, model: str) -> tuple[int, int]:
    """(profiles, phrases) stored for `model`: sizes the index before loading it."""
    table = table_of(MentorEmbedding)
    profiles, phrases = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c.phrase_count), 0))
        .select_from(table)
        .where(table.c.model == model)
    ).one()
    return int(profiles), int(phrases)


def stream_vectors(
    session: Session, model: str, mentor_ids: set[int] | None = None
) -> Iterator[Sequence[Any]]:
    """(mentor id, profile vector, phrases JSON, phrase vectors, phrase count) of current
    profiles, in chunks, so 100k rows never sit in memory twice."""
    query = (
        sa.select(
            col(MentorEmbedding.mentor_id),
            col(MentorEmbedding.profile_vector),
            # Raw JSON text where the driver allows it: decoded lazily by PhraseStore.
            sa.type_coerce(col(MentorEmbedding.phrases), sa.Text),
            col(MentorEmbedding.phrase_vectors),
            col(MentorEmbedding.phrase_count),
        )
        .join(Mentor, col(Mentor.id) == col(MentorEmbedding.mentor_id))
        .where(col(MentorEmbedding.model) == model)
    )
    if mentor_ids is not None:
        query = query.where(col(MentorEmbedding.mentor_id).in_(sorted(mentor_ids)))
    result = session.execute(query.execution_options(yield_per=STREAM_CHUNK))
    yield from result.partitions()


def stored_dim(session: Session, model: str) -> int | None:
    """The size of the vectors stored for `model` (None: none are)."""
    dim = session.execute(
        sa.select(col(MentorEmbedding.dim)).where(col(MentorEmbedding.model) == model).limit(1)
    ).scalar()
    return int(dim) if dim else None
