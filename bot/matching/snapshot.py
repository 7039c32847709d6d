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

Privacy. A snapshot holds profile vectors and expertise phrases, nothing about mentees. It is
deleted as soon as its process sees a mentor removed (forget-me, removal from the roster),
and written anew at a later start.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from bot.matching.index import MentorIndex
from bot.matching.phrases import PhraseArrays, PhraseStore

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "snapshot.json"
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
        if not self.exists():
            return None
        try:
            manifest = self._manifest()
            if manifest.model_key != model_key:
                raise SnapshotUnusableError("made with another model")
            if current != manifest.marker:
                raise SnapshotUnusableError("not from this database's roster history")
            phrases = self._phrases(manifest, index.dim)
            index.load(self._file(manifest.token, "faiss"), manifest.trained_size)
            if len(index) != manifest.mentors:
                index.rebuild(np.zeros(0, np.int64), np.zeros((0, index.dim), np.float32))
                raise SnapshotUnusableError("index size differs from the manifest")
        except Exception as error:  # noqa: BLE001  (any damage: load from the database instead)
            reason = f"{type(error).__name__}: {error}"
            logger.warning("index_snapshot_unusable", extra={"reason": reason[:200]})
            return None
        return manifest, phrases

    def marker_version(self) -> int | None:
        """The roster version the snapshot on disk claims to reflect (None: none usable)."""
        if not self.exists():
            return None
        try:
            return self._manifest().marker.version
        except Exception as error:  # noqa: BLE001  (an unreadable manifest: no snapshot)
            logger.warning("index_snapshot_unusable", extra={"reason": type(error).__name__})
            return None

    def write(
        self, model_key: str, marker: Marker, index: MentorIndex, phrases: PhraseStore
    ) -> Manifest:
        """Write the snapshot, then publish it (the manifest is replaced atomically)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(8)
        index.save(self._file(token, "faiss"))
        arrays = phrases.export()
        with self._file(token, "npz").open("wb") as out:
            np.savez(out, **{name: getattr(arrays, name) for name in _ARRAYS})
        manifest = Manifest(FORMAT, token, model_key, marker, len(index), index.trained_size)
        staged = self.directory / f".{MANIFEST}.{token}"
        staged.write_text(json.dumps(asdict(manifest)))
        os.replace(staged, self.manifest_path)
        self._remove_other_files(keep=token)
        return manifest

    def discard(self) -> bool:
        """Delete the snapshot (the manifest first: nobody loads it from then on)."""
        if not self.directory.exists():
            return False
        try:
            self.manifest_path.unlink()
            found = True
        except FileNotFoundError:
            found = False
        self._remove_other_files(keep=None)
        return found

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
        )

    def _phrases(self, manifest: Manifest, dim: int) -> PhraseStore:
        with np.load(self._file(manifest.token, "npz"), allow_pickle=False) as stored:
            arrays = PhraseArrays(**{name: stored[name] for name in _ARRAYS})
        store = PhraseStore.from_arrays(dim, arrays)
        if len(store) != manifest.mentors:
            raise SnapshotUnusableError("phrases of another number of mentors")
        return store

    def _file(self, token: str, suffix: str) -> Path:
        return self.directory / f"index-{token}.{suffix}"

    def _remove_other_files(self, keep: str | None) -> None:
        now = time.time()
        for path in self.directory.glob("*index-*.*"):
            if keep is not None and keep in path.name:
                continue
            try:
                # Deleting (keep=None) takes everything; publishing a new snapshot spares files
                # another process may be writing at this moment.
                if keep is None or now - path.stat().st_mtime > ORPHAN_SECONDS:
                    path.unlink()
            except FileNotFoundError:
                continue
