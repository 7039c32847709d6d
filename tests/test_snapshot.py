"""The index snapshot: a restart reads the index from disk instead of every vector from the
database, and gets exactly the answers a load from the database gives — or, whenever the
snapshot cannot be trusted, loads from the database as before."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from bot.matching.phrases import PhraseStore
from bot.matching.service import MatchingService
from bot.matching.snapshot import IndexSnapshots, SnapshotWriter
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


def started(engine: Engine, tmp_path: Path) -> MatchingService:
    """A started service over the seeded roster (no snapshot yet)."""
    seed(engine)
    matching = service(engine, tmp_path)
    matching.start()
    return matching


def snapshotted(engine: Engine, tmp_path: Path) -> MatchingService:
    """A started service over the seeded roster that has written its snapshot."""
    matching = started(engine, tmp_path)
    assert matching.save_snapshot()
    return matching


def answers(matching: MatchingService) -> list[list[tuple[str, tuple[str, ...]]]]:
    return [
        [(m.slack_id, m.reasons) for m in matching.match(q, top_k=3, available_only=False)]
        for q in QUESTIONS
    ]


def own_phrase_rows(stored: Any, mentor_id: int) -> set[bytes]:
    """The phrase vectors of `mentor_id` in a snapshot's arrays that no other mentor has."""
    starts, counts = stored["starts"].tolist(), stored["counts"].tolist()
    rows = {
        m: stored["vectors"][starts[i] : starts[i] + counts[i]]
        for i, m in enumerate(stored["mentor_ids"].tolist())
    }
    others = {r.tobytes() for i, block in rows.items() if i != mentor_id for r in block}
    return {r.tobytes() for r in rows[mentor_id]} - others


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


def test_changes_made_after_the_snapshot_are_applied(
    any_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On SQLite and PostgreSQL (the change-log entry's time reads back the same on both)."""
    engine = any_engine
    snapshotted(engine, tmp_path)
    added = add_mentor(engine, "U0NEW", "sourdough bread baking")
    add_mentor(engine, "U0M0001", "ikebana flower arranging", name="Mentor 1")  # edited

    restarted = service(engine, tmp_path)
    assert restarted.start() == 2  # the two changed profiles, nothing else, were embedded
    [loaded] = [r for r in caplog.records if r.getMessage() == "index_loaded"][-1:]
    assert loaded.__dict__["source"] == "snapshot"
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
    first = snapshotted(engine, tmp_path)
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
    assert restarted.save_snapshot()  # and a clean one is written, without their vectors
    old = next(content for name, content in before.items() if name.endswith(".npz"))
    erased = own_phrase_rows(np.load(io.BytesIO(old)), mentor_id=1)  # U0M0000
    (new,) = (restored / SNAPSHOTS).glob("*.npz")
    written = {row.tobytes() for row in np.load(new)["vectors"]}
    assert erased and not erased & written


def test_a_snapshot_of_another_database_is_ignored(engine: Engine, tmp_path: Path) -> None:
    snapshotted(engine, tmp_path)

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
    first = snapshotted(engine, tmp_path)
    manifest = tmp_path / SNAPSHOTS / "snapshot.json"
    raw = json.loads(manifest.read_text())
    raw["model_key"] = "another-model|phrases-v1"
    manifest.write_text(json.dumps(raw))

    restarted = service(engine, tmp_path)
    restarted.start()
    assert answers(restarted) == answers(first)
    assert not any((tmp_path / SNAPSHOTS).iterdir())  # useless to anyone: deleted
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


def test_an_exported_view_never_moves_while_it_is_read() -> None:
    store = PhraseStore(4)
    for mentor in range(8):
        store.put(mentor, ["p"], np.full((1, 4), mentor, dtype=np.float16))
    view = store.export()
    frozen = view.vectors.copy()
    for mentor in range(8):  # enough churn that the store would compact itself
        store.remove(mentor)
        store.put(mentor + 10, ["q"], np.full((1, 4), 50 + mentor, dtype=np.float16))
    with pytest.raises(RuntimeError):
        store.export()  # a second export would compact under the first
    assert np.array_equal(view.vectors, frozen)
    store.release_export()
    assert sorted(store.export().mentor_ids.tolist()) == list(range(10, 18))


def test_a_phrase_taken_out_of_a_profile_deletes_the_snapshot(
    engine: Engine, tmp_path: Path
) -> None:
    first = snapshotted(engine, tmp_path)
    add_mentor(engine, "U0M0002", "experiment design", name="Mentor 2")  # "area 2" taken out
    first.refresh()
    assert not (tmp_path / SNAPSHOTS / "snapshot.json").exists()
    assert first.save_snapshot()
    add_mentor(engine, "U0M0003", "public speaking, mentoring area 3, storytelling")  # added
    first.refresh()
    assert (tmp_path / SNAPSHOTS / "snapshot.json").exists()  # nothing to hide: kept


def test_an_erasure_while_the_snapshot_is_written_deletes_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matching = started(engine, tmp_path)
    finish = SnapshotWriter.finish

    def write_while_someone_is_erased(self: SnapshotWriter, *args: Any) -> Any:
        manifest = finish(self, *args)
        with session_scope(engine) as session:
            assert erase_mentor_profile(session, "U0M0004")
        matching.refresh()  # another thread of the process applies the erasure meanwhile
        return manifest

    monkeypatch.setattr(SnapshotWriter, "finish", write_while_someone_is_erased)
    assert not matching.save_snapshot()
    assert not (tmp_path / SNAPSHOTS / "snapshot.json").exists()


def test_a_snapshot_that_cannot_be_deleted_does_not_stop_the_erasure(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    matching = started(engine, tmp_path)
    matching.save_snapshot()

    def refuse(self: IndexSnapshots) -> bool:
        raise PermissionError("read-only disk")

    monkeypatch.setattr(IndexSnapshots, "discard", refuse)
    with session_scope(engine) as session:
        assert erase_mentor_profile(session, "U0M0000")
    matching.refresh()
    found = matching.match("incident postmortems", top_k=10, available_only=False)
    assert "U0M0000" not in [m.slack_id for m in found]  # gone from matching all the same
    assert "index_snapshot_not_deleted" in caplog.text  # and an operator is told


def test_snapshot_files_are_private_and_expire(engine: Engine, tmp_path: Path) -> None:
    snapshotted(engine, tmp_path)
    directory = tmp_path / SNAPSHOTS
    assert directory.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in directory.iterdir()} == {0o600}

    manifest = directory / "snapshot.json"
    raw = json.loads(manifest.read_text())
    raw["written_at"] = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    manifest.write_text(json.dumps(raw))
    restarted = service(engine, tmp_path)
    restarted.start()
    assert restarted.save_snapshot()  # too old to be trusted: loaded from the database
    assert os.listdir(directory)


def test_a_failed_write_leaves_nothing_behind(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matching = started(engine, tmp_path)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left"):
        matching.save_snapshot()
    assert not any((tmp_path / SNAPSHOTS).iterdir())
    monkeypatch.undo()
    assert matching.save_snapshot()  # the phrase matrix was released: a later try works
