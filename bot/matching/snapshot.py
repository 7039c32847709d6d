"""The loaded index, kept on local disk so that a restart reads it instead of every vector.

At 100k mentors, loading ~600k vectors from the database and training IVF is 3-4 s of a
~10 s cold start; reading a snapshot of the same index takes a fraction of that
(`bench/match_speed.py` prints both). A snapshot is only ever a shortcut: whenever it cannot be
trusted, the index is loaded from the database as before.

Trust. A snapshot records the roster version V it reflects and the change-log entry that made V
(mentor id and time). It is used only when the model, the format and that entry all agree with
the database: a database recreated or restored from a backup has another entry at V, or none,
and its snapshot is ignored. Changes after V are then applied from the change log, as every
process applies other processes' changes. Files are written under a fresh random name and
published by atomically replacing the manifest, so a reader never sees half a snapshot, and
several processes may share the directory.

Privacy. A snapshot holds profile vectors and expertise phrases, nothing about mentees, in
files only the bot's user can read. It is deleted as soon as its process sees a mentor removed
(forget-me, removal from the roster) or a mentor's phrases change (a phrase they took out of
their profile must not stay on disk), and written anew after a later start. A snapshot older
than MAX_AGE is not used (the IVF centroids are retrained on the roster as it is now).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.matching.index import MentorIndex
from bot.matching.phrases import PhraseArrays, PhraseStore

logger = logging.getLogger(__name__)

FORMAT = 2
MANIFEST = "snapshot.json"
MAX_AGE = timedelta(days=7)
# Files of an older snapshot are deleted once a newer one is published; one younger than this
# may belong to another process that is about to publish it.
ORPHAN_SECONDS = 600.0
_ARRAYS = ("mentor_ids", "starts", "counts", "vectors", "text_blob", "text_offsets")


@dataclass(frozen=True)
class Marker:
    """The change-log entry that brought the roster to `version`."""

    version: int
    mentor_id: int
    changed_at: str


@dataclass(frozen=True)
class Manifest:
    format: int
    token: str
    model_key: str
    marker: Marker
    mentors: int
    trained_size: int
    written_at: str

    def age(self) -> timedelta:
        return datetime.now(UTC) - datetime.fromisoformat(self.written_at)


class SnapshotUnusableError(Exception):
    pass


class IndexSnapshots:
    """Reads and writes the snapshot in `directory`; rosters under `min_mentors` load from
    the database fast enough and are not snapshotted."""

    def __init__(self, directory: Path, *, min_mentors: int) -> None:
        self.directory = directory
        self.min_mentors = min_mentors

    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST

    def exists(self) -> bool:
        return self.manifest_path.exists()

    def read(
        self, model_key: str, current: Marker | None, index: MentorIndex
    ) -> tuple[Manifest, PhraseStore] | None:
        """Load the snapshot into `index` and return its manifest and phrases, if it is for
        `model_key` and for this database's history (`current`: the database's change-log
        entry at the snapshot's version). None, and `index` untouched, otherwise."""
        try:
            if not self.exists():
                return None
            manifest = self._manifest()
            if manifest.model_key != model_key:
                raise SnapshotUnusableError("made with another model")
            if current != manifest.marker:
                raise SnapshotUnusableError("not from this database's roster history")
            if not timedelta(0) <= manifest.age() <= MAX_AGE:
                raise SnapshotUnusableError("older than its maximum age")
            phrases = self._phrases(manifest, index.dim)
            index.load(self.file(manifest.token, "faiss"), manifest.trained_size)
            if len(index) != manifest.mentors:
                index.rebuild(np.zeros(0, np.int64), np.zeros((0, index.dim), np.float32))
                raise SnapshotUnusableError("index size differs from the manifest")
        except Exception as error:  # noqa: BLE001  (any damage: load from the database instead)
            reason = f"{type(error).__name__}: {error}"
            logger.warning("index_snapshot_unusable", extra={"reason": reason[:200]})
            self._discard_unusable()
            return None
        return manifest, phrases

    def marker_version(self) -> int | None:
        """The roster version the snapshot on disk claims to reflect (None: none usable)."""
        try:
            if not self.exists():
                return None
            return self._manifest().marker.version
        except Exception as error:  # noqa: BLE001  (an unreadable manifest: no snapshot)
            logger.warning("index_snapshot_unusable", extra={"reason": type(error).__name__})
            self._discard_unusable()
            return None

    def writer(self) -> SnapshotWriter:
        """A new snapshot, written in two steps (see SnapshotWriter)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return SnapshotWriter(self, secrets.token_hex(8))

    def discard(self) -> bool:
        """Delete the snapshot (the manifest first: nobody loads it from then on). Raises
        OSError when it cannot (permissions, a read-only disk)."""
        if not self.directory.exists():
            return False
        try:
            self.manifest_path.unlink()
            found = True
        except FileNotFoundError:
            found = False
        self.remove_other_files(keep=None)
        return found

    def _discard_unusable(self) -> None:
        """A snapshot nobody can use may still hold phrases of people erased since: delete it
        (the next one is written after this start)."""
        try:
            self.discard()
        except OSError as error:
            logger.error("index_snapshot_not_deleted", extra={"error": type(error).__name__})

    def _manifest(self) -> Manifest:
        raw = json.loads(self.manifest_path.read_text())
        if raw.get("format") != FORMAT:
            raise SnapshotUnusableError(f"format {raw.get('format')!r}, expected {FORMAT}")
        marker = Marker(**raw["marker"])
        token = str(raw["token"])
        if not token.isalnum():
            raise SnapshotUnusableError("bad token")
        return Manifest(
            FORMAT,
            token,
            str(raw["model_key"]),
            marker,
            int(raw["mentors"]),
            int(raw["trained_size"]),
            str(raw["written_at"]),
        )

    def _phrases(self, manifest: Manifest, dim: int) -> PhraseStore:
        with np.load(self.file(manifest.token, "npz"), allow_pickle=False) as stored:
            arrays = PhraseArrays(**{name: stored[name] for name in _ARRAYS})
        store = PhraseStore.from_arrays(dim, arrays)
        if len(store) != manifest.mentors:
            raise SnapshotUnusableError("phrases of another number of mentors")
        return store

    def file(self, token: str, suffix: str) -> Path:
        return self.directory / f"index-{token}.{suffix}"

    def remove_other_files(self, keep: str | None) -> None:
        now = time.time()
        for path in self.directory.glob("*index-*"):
            if keep is not None and keep in path.name:
                continue
            try:
                # Deleting (keep=None) takes everything; publishing a new snapshot spares files
                # another process may be writing at this moment.
                if keep is None or now - path.stat().st_mtime > ORPHAN_SECONDS:
                    path.unlink()
            except FileNotFoundError:
                continue


class SnapshotWriter:
    """Writes one snapshot: `write_index` while the caller holds whatever keeps the index and
    the phrases in step (it only fills the page cache: 35 ms at 100k mentors), then `finish`
    without it (the phrases, flushing everything to disk, publishing the manifest). `abort`
    deletes what was written; nothing is published until `finish` returns."""

    def __init__(self, snapshots: IndexSnapshots, token: str) -> None:
        self._snapshots = snapshots
        self._token = token

    def write_index(self, index: MentorIndex) -> None:
        with _private_file(self._snapshots.file(self._token, "faiss"), sync=False) as out:
            index.write_to(out)

    def finish(
        self, model_key: str, marker: Marker, trained_size: int, phrases: PhraseArrays
    ) -> Manifest:
        """Write the phrases, flush both files to disk, then replace the manifest atomically:
        a power cut never leaves a manifest that points at half-written data."""
        token, snapshots = self._token, self._snapshots
        _fsync(snapshots.file(token, "faiss"))
        with _private_file(snapshots.file(token, "npz")) as out:
            np.savez(out, **{name: getattr(phrases, name) for name in _ARRAYS})
        written_at = datetime.now(UTC).isoformat()
        mentors = len(phrases.mentor_ids)
        manifest = Manifest(FORMAT, token, model_key, marker, mentors, trained_size, written_at)
        staged = snapshots.directory / f".{MANIFEST}.{token}"
        with _private_file(staged) as out:
            out.write(json.dumps(asdict(manifest)).encode())
        os.replace(staged, snapshots.manifest_path)
        snapshots.remove_other_files(keep=token)
        return manifest

    def abort(self) -> None:
        for path in self._snapshots.directory.glob(f"*{self._token}*"):
            path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _private_file:  # noqa: N801  (used like open())
    """A new file only the bot's user can read (0600 whatever the umask), flushed to disk on
    close unless `sync` is False."""

    def __init__(self, path: Path, *, sync: bool = True) -> None:
        self._file = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        self._sync = sync

    def __enter__(self) -> BinaryIO:
        return self._file

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None and self._sync:
                self._file.flush()
                os.fsync(self._file.fileno())
        finally:
            self._file.close()
