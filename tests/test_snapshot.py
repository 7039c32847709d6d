"""The index snapshot: a restart reads the index from disk instead of every vector from the
database, and gets exactly the answers a load from the database gives — or, whenever the
snapshot cannot be trusted, loads from the database as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from bot.matching.phrases import PhraseStore
from bot.matching.service import MatchingService
from bot.matching.snapshot import IndexSnapshots
from bot.storage import db
from bot.storage import embeddings as embedding_repo
from bot.storage.db import session_scope
from bot.storage.privacy import erase_mentor_profile
from tests.conftest import add_mentor
from tests.utils.fake_embedder import FakeEmbedder

TOPICS = [
    "incident postmortems",
    "airflow pipelines",
    "experiment design",
    "public speaking",
    "salary negotiation",
    "kubernetes networking",
    "product discovery",
    "react performance",
]
SNAPSHOTS = "index-snapshot"  # beside the test's database
QUESTIONS = [
    "how do I run a blameless incident postmortem?",
    "my airflow pipelines keep failing at night",
    "how long should an experiment run?",
    "I am nervous about public speaking at a conference",
    "how do I ask for a raise in a salary negotiation?",
    "pods cannot reach each other, kubernetes networking",
]


def seed(engine: Engine, mentors: int = 48) -> None:
    for i in range(mentors):
        topic = TOPICS[i % len(TOPICS)]
        add_mentor(engine, f"U0M{i:04d}", f"{topic}, mentoring area {i}", name=f"Mentor {i}")


def service(engine: Engine, directory: Path, **options: int) -> MatchingService:
    return MatchingService(
        engine=engine,
        embedder=FakeEmbedder(),
        exact_limit=options.get("exact_limit", 20_000),
        snapshots=IndexSnapshots(directory / SNAPSHOTS, min_mentors=options.get("min_mentors", 1)),
    )


def answers(matching: MatchingService) -> list[list[tuple[str, tuple[str, ...]]]]:
    return [
        [(m.slack_id, m.reasons) for m in matching.match(q, top_k=3, available_only=False)]
        for q in QUESTIONS
    ]


def no_database_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("vectors were read from the database")

    monkeypatch.setattr(embedding_repo, "stream_vectors", refuse)


@pytest.mark.parametrize("exact_limit", [20_000, 16], ids=["exact", "ivf"])
def test_a_restart_reads_the_snapshot_and_answers_the_same(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_limit: int
) -> None:
    seed(engine)
    first = service(engine, tmp_path, exact_limit=exact_limit)
    first.start()
    assert first.save_snapshot()
    expected = answers(first)
    assert all(expected)

    no_database_vectors(monkeypatch)
    restarted = service(engine, tmp_path, exact_limit=exact_limit)
    assert restarted.start() == 0
    assert restarted.index.kind == first.index.kind
    assert restarted.version == first.version
    assert answers(restarted) == expected
    assert not restarted.save_snapshot()  # nothing changed: no rewrite


def test_changes_made_after_the_snapshot_are_applied(engine: Engine, tmp_path: Path) -> None:
    seed(engine)
    first = service(engine, tmp_path)
    first.start()
    first.save_snapshot()
    added = add_mentor(engine, "U0NEW", "sourdough bread baking")
    add_mentor(engine, "U0M0001", "ikebana flower arranging", name="Mentor 1")  # edited

    restarted = service(engine, tmp_path)
    assert restarted.start() == 2  # the two changed profiles, nothing else, were embedded
    baking = restarted.match("how do I bake sourdough bread?", available_only=False)
    assert baking[0].mentor_id == added
    flowers = restarted.match("ikebana flower arranging", available_only=False)
    assert flowers[0].slack_id == "U0M0001"
    pipelines = restarted.match("airflow pipelines", top_k=6, available_only=False)
    airflow = [m.slack_id for m in pipelines if "airflow pipelines" in m.reasons]
    assert airflow == ["U0M0041", "U0M0033", "U0M0025", "U0M0017", "U0M0009"]  # not 0001


def test_a_removed_mentor_deletes_the_snapshot_and_is_never_matched(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine)
    first = service(engine, tmp_path)
    first.start()
    first.save_snapshot()
    directory = tmp_path / SNAPSHOTS
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    with session_scope(engine) as session:
        assert erase_mentor_profile(session, "U0M0000")
    first.refresh()  # the process that erased (or any that sees it) deletes the snapshot
    assert not any(directory.iterdir())

    # A host whose process did not run at the time still has the old snapshot.
    restored = tmp_path / "restored"
    (restored / SNAPSHOTS).mkdir(parents=True)
    for name, content in before.items():
        (restored / SNAPSHOTS / name).write_bytes(content)
    restarted = service(engine, restored)
    restarted.start()
    found = restarted.match("incident postmortems", top_k=10, available_only=False)
    assert "U0M0000" not in [m.slack_id for m in found]
    assert not (restored / SNAPSHOTS / "snapshot.json").exists()  # their phrases are gone
    assert restarted.save_snapshot()  # and a clean one is written


def test_a_snapshot_of_another_database_is_ignored(engine: Engine, tmp_path: Path) -> None:
    seed(engine)
    first = service(engine, tmp_path)
    first.start()
    first.save_snapshot()

    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    db.upgrade(other)
    for i in range(48):  # same size and version, other people
        add_mentor(other, f"U0X{i:04d}", f"{TOPICS[(i + 3) % len(TOPICS)]}, area {i}")
    try:
        restarted = service(other, tmp_path)
        assert restarted.start() == 48  # embedded and loaded from its own database
        found = restarted.match("incident postmortems", available_only=False)
        assert found[0].slack_id.startswith("U0X")
    finally:
        other.dispose()


def test_a_snapshot_of_another_model_is_ignored(engine: Engine, tmp_path: Path) -> None:
    seed(engine)
    first = service(engine, tmp_path)
    first.start()
    first.save_snapshot()
    manifest = tmp_path / SNAPSHOTS / "snapshot.json"
    raw = json.loads(manifest.read_text())
    raw["model_key"] = "another-model|phrases-v1"
    manifest.write_text(json.dumps(raw))

    restarted = service(engine, tmp_path)
    restarted.start()
    assert answers(restarted) == answers(first)
    assert restarted.save_snapshot()  # replaced by one for this model


@pytest.mark.parametrize("damage", ["truncate-npz", "truncate-index", "bad-manifest"])
def test_a_damaged_snapshot_falls_back_to_the_database(
    engine: Engine, tmp_path: Path, damage: str
) -> None:
    seed(engine)
    first = service(engine, tmp_path, exact_limit=16)
    first.start()
    first.save_snapshot()
    if damage == "bad-manifest":
        (tmp_path / SNAPSHOTS / "snapshot.json").write_text("{not json")
    else:
        suffix = ".npz" if damage == "truncate-npz" else ".faiss"
        victim = next(p for p in (tmp_path / SNAPSHOTS).iterdir() if p.name.endswith(suffix))
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])

    restarted = service(engine, tmp_path, exact_limit=16)
    restarted.start()
    assert answers(restarted) == answers(first)


def test_small_rosters_get_no_snapshot(engine: Engine, tmp_path: Path) -> None:
    seed(engine, mentors=10)
    matching = service(engine, tmp_path, min_mentors=11)
    matching.start()
    assert not matching.save_snapshot()
    assert not (tmp_path / SNAPSHOTS).exists()


def test_phrase_arrays_round_trip_with_gaps() -> None:
    store = PhraseStore(4)
    for mentor in range(5):
        store.put(mentor, [f"p{mentor}", "x"], np.full((2, 4), mentor, dtype=np.float16))
    store.put(2, ["only"], np.full((1, 4), 9, dtype=np.float16))  # leaves a gap
    store.remove(3)
    copy = PhraseStore.from_arrays(4, store.export())
    assert len(copy) == 4
    for mentor in (0, 1, 2, 4):
        texts, vectors = copy.get(mentor)
        assert (texts, vectors.tolist()) == (store.get(mentor)[0], store.get(mentor)[1].tolist())
    assert 3 not in copy
    copy.put(7, ["new"], np.ones((1, 4), dtype=np.float16))  # still a working store
    assert copy.get(7)[0] == ["new"]
