"""Matching speed and memory at 1k, 10k and 100k mentors, with the query embedding as the floor.

Run: `make bench-speed` (about 3-4 minutes). Sizes: BENCH_SIZES=1000,10000,100000.
At the largest IVF size it also prints the recall/latency trade-off over nprobe; BENCH_HNSW=1 adds
`IndexHNSWFlat` rows (M 32, efSearch 32/64/128), whose build takes 10-18 s at 100k on 2 cores.

Cold start, per size: a fresh `mentor-bot run --http` (gunicorn, the Slack stand-in in its own
process) is sent a question the moment it answers HTTP; cold start is the time from starting the
process until that question's mentor gets the DM, i.e. until a question can be matched (target
<= 10 s at 100k). Also timed: a fresh `mentor-bot match` process. Only the cold starts, over an
existing roster database: BENCH_COLD_START_DB=path/to/bench.db [BENCH_COLD_RUNS=3].

Synthetic rosters are clustered like real ones: each mentor takes after one example-roster mentor
(4 of their phrases, or all they have) plus one phrase of another, and the vectors are the real
model's vectors of those phrases plus noise (uniform random vectors would make the IVF recall
figure meaningless).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import sqlalchemy as sa

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import (
    MENTORS_CSV,
    labelled_questions,
    peak_rss_mb,
    summary_ms,
    temp_sqlite_engine,
)
from bot.config import Settings
from bot.matching.embedder import Embedder, build_embedder
from bot.matching.index import MentorIndex
from bot.matching.profile import expertise_phrases, profile_text, text_hash
from bot.matching.service import MatchingService
from bot.roster import CsvRow, import_mentors, read_mentor_csv
from bot.storage.db import table_of
from bot.storage.models import Mentor, MentorEmbedding, RosterChange, RosterState, utcnow

PHRASES_PER_MENTOR = 5
NOISE = 0.02  # per dimension: a noise vector of norm ~0.4 against unit phrase vectors
TRADEOFF_NPROBES = (8, 16, 24, 32, 48, 64)
HNSW_M = 32
HNSW_EF_SEARCH = (32, 64, 128)
COLD_START_TARGET_S = 10.0

Search = Callable[[np.ndarray, int], list[tuple[int, float]]]


def phrase_pool(
    embedder: Embedder,
) -> tuple[list[str], np.ndarray, list[list[int]]]:
    """Every example phrase, its vector, and which phrases belong to each example mentor."""
    rows = read_mentor_csv(MENTORS_CSV)
    topics = [expertise_phrases(r.values["expertise"], []) for r in rows]
    pool = sorted({p for t in topics for p in t})
    position = {p: i for i, p in enumerate(pool)}
    return pool, embedder.embed(pool), [[position[p] for p in t] for t in topics]


def _unit(x: np.ndarray) -> np.ndarray:
    normed: np.ndarray = (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)
    return normed


def populate(
    engine: sa.engine.Engine,
    n: int,
    pool: list[str],
    pool_vectors: np.ndarray,
    topics: list[list[int]],
    model_key: str,
) -> None:
    rng = np.random.default_rng(n)
    dim = pool_vectors.shape[1]
    mentor_table, embedding_table = table_of(Mentor), table_of(MentorEmbedding)
    now = utcnow()
    for start in range(0, n, 5000):
        mentors, embeddings = [], []
        for i in range(start, min(n, start + 5000)):
            topic = topics[rng.integers(len(topics))]
            own = rng.choice(topic, min(len(topic), PHRASES_PER_MENTOR - 1), replace=False)
            picks = np.unique(np.append(own, rng.integers(len(pool))))
            phrases = [pool[p] for p in picks]
            expertise = ", ".join(phrases)
            vectors = _unit(pool_vectors[picks] + NOISE * rng.normal(size=(len(picks), dim)))
            profile = _unit(vectors.mean(axis=0) + NOISE * rng.normal(size=dim))
            mentors.append(
                {
                    "id": i + 1,
                    "slack_id": f"U{i:09d}",
                    "name": f"Mentor {i}",
                    "title": "",
                    "expertise": expertise,
                    "skills": [],
                    "timezone": "UTC",
                    "languages": ["en"],
                    "weekly_capacity": 3,
                    "active": True,
                    "revision": n,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            embeddings.append(
                {
                    "mentor_id": i + 1,
                    "model": model_key,
                    "source_revision": n,
                    "phrase_count": len(phrases),
                    "text_hash": text_hash(
                        profile_text("", expertise, []), expertise_phrases(expertise, [])
                    ),
                    "dim": dim,
                    "profile_vector": profile.tobytes(),
                    "phrases": phrases,
                    "phrase_vectors": vectors.astype(np.float16).tobytes(),
                    "created_at": now,
                }
            )
        with engine.begin() as connection:
            connection.execute(sa.insert(mentor_table), mentors)
            connection.execute(sa.insert(embedding_table), embeddings)
    # The change log a CSV import writes: one entry per mentor, the roster at version n.
    with engine.begin() as connection:
        connection.execute(
            sa.insert(table_of(RosterChange)),
            [{"revision": i + 1, "mentor_id": i + 1, "changed_at": now} for i in range(n)],
        )
        connection.execute(sa.update(table_of(RosterState)).values(version=n))


def cold_start(db_path: Path, question: str, snapshots: Path | None) -> tuple[float, float]:
    """Wall time and peak RSS of a fresh `mentor-bot match` process (imports, model, index)."""
    script = Path(sys.executable).with_name("mentor-bot")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "INDEX_SNAPSHOT_DIR": str(snapshots or ""),
    }
    started = time.perf_counter()
    code = (
        "import resource, subprocess, sys, json;"
        f"r = subprocess.run([{str(script)!r}, 'match', {question!r}, '--json'],"
        " capture_output=True, text=True);"
        "assert r.returncode == 0, r.stderr; json.loads(r.stdout);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, float(result.stdout.strip())


@dataclass(frozen=True)
class BotColdStart:
    """Seconds after starting a `mentor-bot run --http` process (None: never happened)."""

    answering: float  # it answers HTTP (Slack gets its acks from here on)
    acked: float  # the question sent at that moment was acknowledged
    matched: float | None  # its mentor got the DM: cold start
    ready: float | None  # GET /readyz said 200
    model_loaded: float | None  # from the bot's log (None: not logged by this version)
    index_loaded: float | None
    index_seconds: float | None  # how long loading the index took
    model_seconds: float | None
    peak_rss_mb: float
    index_source: str  # "database" or "snapshot"


def bot_cold_start(
    db_path: Path, question: str, snapshots: Path, *, wait_for_snapshot: bool = False
) -> BotColdStart:
    """Start the bot as production does and ask it `question` as soon as it answers HTTP
    (`wait_for_snapshot`: then let it write its index snapshot before stopping it)."""
    user = f"U0C{time.time_ns() % 10**8:08d}"  # a new asker each run (per-person limits)
    from bench.common import bot_process_env
    from bench.slack_latency import StandInProcess
    from tests.test_slack_process import BotProcess, free_port
    from tests.utils import slack_requests as sr
    from tests.utils.bot_server import METRICS_TOKEN, SIGNING_SECRET

    api = StandInProcess()
    log = db_path.with_name(f"cold-{time.time_ns()}.log")
    env = {
        **bot_process_env(f"sqlite:///{db_path}", api.base_url),
        "LOG_LEVEL": "INFO",
        "INDEX_SNAPSHOT_DIR": str(snapshots),
    }
    began = time.time()
    bot = BotProcess(env, free_port(), log)
    try:
        answering = _poll(lambda: _answers(bot, "/healthz", {}, log), began, every=0.05)
        body = sr.slash_command(question, user, api.response_url(user))
        headers = sr.SlackSigner(SIGNING_SECRET).headers(body, "application/x-www-form-urlencoded")
        status, _ = bot.request("POST", "/slack/events", body, headers)
        assert status == 200, status
        acked = time.time() - began
        auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        # Probed 4 times a second (a load balancer: every few seconds): each probe is a request
        # the warming-up process serves, and costs it a little.
        ready = _poll(lambda: _answers(bot, "/readyz", auth, log), began, every=0.25)
        matched = None
        deadline = time.monotonic() + 120
        while matched is None and time.monotonic() < deadline:
            for call in api.calls():
                text = json.dumps(call["params"])
                if call["method"] == "chat.postMessage" and f"<@{user}> would like" in text:
                    matched = float(call["at"]) - began  # type: ignore[arg-type]
            time.sleep(0.25)
        if wait_for_snapshot:
            _poll(lambda: "index_snapshot_written" in log.read_text(), began, every=0.25)
        rss = _worker_peak_rss_mb(bot.process.pid)
    finally:
        bot.stop()
        api.stop()
    events = _log_events(log, began)
    return BotColdStart(
        answering,
        acked,
        matched,
        ready,
        events.get("model_loaded", (None, None))[0],
        events.get("index_loaded", (None, None))[0],
        events.get("index_loaded", (None, None))[1],
        events.get("model_loaded", (None, None))[1],
        rss,
        str(events.get("index_source", ("?", None))[0]),
    )


def _answers(bot: Any, path: str, headers: dict[str, str], log: Path) -> bool:
    if bot.process.poll() is not None:
        raise RuntimeError(f"the bot exited: {log.read_text(errors='replace')[-2000:]}")
    return bool(bot.request("GET", path, headers=headers)[0] == 200)


def _poll(check: Callable[[], bool], began: float, every: float, timeout: float = 180) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return time.time() - began
        except OSError:
            pass
        time.sleep(every)
    raise AssertionError("the bot never answered")


def _log_events(log: Path, began: float) -> dict[str, tuple[Any, float | None]]:
    """event -> (seconds after `began` it was logged, its own "seconds" field); and
    "index_source" -> (where the index came from, None)."""
    found: dict[str, tuple[Any, float | None]] = {}
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("event") in ("model_loaded", "index_loaded"):
            at = datetime.fromisoformat(record["ts"]).timestamp() - began
            found[record["event"]] = (at, record.get("seconds"))
            if record["event"] == "index_loaded":
                found["index_source"] = (record.get("source", "database"), None)
    return found


def _worker_peak_rss_mb(master: int) -> float:
    """Peak RSS of gunicorn's worker (the master's child), where the model and index live."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != master:
                continue
            for line in stat.with_name("status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return float("nan")


def report_cold_starts(db_path: Path, question: str, runs: int = 1) -> None:
    """Print the bot's cold start (beside the target) with where the time goes, and the CLI's:
    first with no index snapshot on disk (the index comes from the database, and the bot writes
    a snapshot after its warm-up: the baseline), then `runs` starts that read that snapshot.
    Rosters under INDEX_SNAPSHOT_MIN_MENTORS get no snapshot (as in production): one start."""
    snapshots = db_path.with_name("index-snapshot")
    shutil.rmtree(snapshots, ignore_errors=True)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        mentors = connection.execute(sa.select(sa.func.count()).select_from(table_of(Mentor)))
        snapshot = int(mentors.scalar_one()) >= Settings().index_snapshot_min_mentors
    engine.dispose()
    first = bot_cold_start(db_path, question, snapshots, wait_for_snapshot=snapshot)
    again = [bot_cold_start(db_path, question, snapshots) for _ in range(runs if snapshot else 0)]
    for label, starts in (("index from the database", [first]), ("index from the snapshot", again)):
        matched = [s.matched for s in starts if s.matched is not None]
        if len(matched) < len(starts):
            print(f"  ({len(starts) - len(matched)} cold start(s) never matched the question)")
        if not matched:
            continue
        cold = statistics.median(matched)
        verdict = "meets" if cold <= COLD_START_TARGET_S else "MISSES"
        runs_note = f", median of {len(matched)}: " + ", ".join(f"{m:.2f}" for m in matched)
        ratio = ""
        if starts is again and first.matched:
            ratio = f"; {cold / first.matched:.2f}x the start from the database"
        print(
            f"  cold start ({label}) = time until a question can be matched: {cold:.2f} s  "
            f"(target <= {COLD_START_TARGET_S:.0f} s: {verdict}"
            f"{runs_note if len(starts) > 1 else ''}{ratio})"
        )

    def at(value: float | None, took: float | None = None) -> str:
        if value is None:
            return "-"
        return f"{value:.2f} s" + (f" (took {took:.2f} s)" if took is not None else "")

    for s in [first, *again]:
        print(
            f"    fresh `mentor-bot run --http`: answers HTTP {at(s.answering)}, question acked "
            f"{at(s.acked)}, model loaded {at(s.model_loaded, s.model_seconds)}, index loaded "
            f"from the {s.index_source} {at(s.index_loaded, s.index_seconds)}, ready "
            f"{at(s.ready)}, DM {at(s.matched)}; worker peak RSS {s.peak_rss_mb:.0f} MB"
        )
    if snapshot:
        size = sum(p.stat().st_size for p in snapshots.glob("*")) / 1e6
        print(f"    snapshot on disk: {size:.0f} MB")
    sources = [(None, "index from the database")] + [(snapshots, "from the snapshot")] * snapshot
    for directory, label in sources:
        cold_s, cold_rss = cold_start(db_path, question, directory)
        print(
            f"  cold start to first match (fresh `mentor-bot match` process, {label}): "
            f"{cold_s:.2f} s, peak RSS {cold_rss:.0f} MB"
        )


def kth_best_scores(index: MentorIndex, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """The true k-th best score of each query, by exact search over the index's vectors."""
    ids, vectors = index._all_vectors()
    exact = MentorIndex(index.dim, exact_limit=len(ids) + 1)
    exact.rebuild(ids, vectors)
    return np.array([exact.search(q, k)[-1][1] for q in queries])


def recall_at(search: Search, queries: np.ndarray, kth: np.ndarray, k: int = 10) -> float:
    # Tie-aware recall as in ann-benchmarks: a result counts when it scores at least the true
    # k-th best (minus 1e-3). Synthetic near-duplicates make plain id-set overlap arbitrary.
    hits = [
        sum(score >= best - 1e-3 for _, score in search(q, k)) / k
        for q, best in zip(queries, kth, strict=True)
    ]
    return float(np.mean(hits))


def ms_per_search(search: Search, queries: np.ndarray, k: int = 10, rounds: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for q in queries:
            search(q, k)
    return (time.perf_counter() - started) / (rounds * len(queries)) * 1000


def ivf_recall(service: MatchingService, queries: np.ndarray, k: int = 10) -> tuple[float, float]:
    index = service.index
    kth = kth_best_scores(index, queries, k)
    ivf_ms = ms_per_search(index.search, queries, k)
    return recall_at(index.search, queries, kth, k), ivf_ms


def tradeoff_table(service: MatchingService, queries: np.ndarray, hnsw: bool, k: int = 10) -> None:
    """Recall@10 and ms per search for each nprobe (and HNSW setting) over the same vectors."""
    index = service.index
    kth = kth_best_scores(index, queries, k)
    ids, vectors = index._all_vectors()
    # A copy, so the service's index keeps its nprobe; searched one query at a time, as the bot.
    ivf = MentorIndex(index.dim, exact_limit=index.exact_limit)
    started = time.perf_counter()
    ivf.rebuild(ids, vectors)
    ivf_build = time.perf_counter() - started
    print(f"  trade-off at {len(ids)} vectors (recall@{k} vs exact; ms per search over 3 rounds):")
    print(f"    {'setting':<36}{'recall@10':>10}{'ms/search':>11}{'build s':>9}")
    for nprobe in TRADEOFF_NPROBES:
        ivf.nprobe = nprobe
        default = " (default)" if nprobe == index.nprobe else ""
        label = f"IVF {ivf._index.nlist} lists, nprobe {nprobe}{default}"
        _tradeoff_row(label, ivf.search, queries, kth, k, ivf_build)
    if hnsw:
        _hnsw_rows(vectors, queries, kth, k)


def _tradeoff_row(
    label: str, search: Search, queries: np.ndarray, kth: np.ndarray, k: int, build_s: float
) -> None:
    ms_per_search(search, queries[:10], k)  # warm up
    ms = ms_per_search(search, queries, k, rounds=3)
    recall = recall_at(search, queries, kth, k)
    print(f"    {label:<36}{recall:>10.3f}{ms:>11.2f}{build_s:>9.2f}")


def _hnsw_rows(vectors: np.ndarray, queries: np.ndarray, kth: np.ndarray, k: int) -> None:
    graph = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # built in parallel, as MentorIndex.rebuild
    try:
        started = time.perf_counter()
        graph.add(vectors)
        build_s = time.perf_counter() - started
    finally:
        faiss.omp_set_num_threads(1)

    def search(q: np.ndarray, top: int) -> list[tuple[int, float]]:
        scores, found = graph.search(q.reshape(1, -1).astype(np.float32), top)
        return [(int(i), float(s)) for i, s in zip(found[0], scores[0], strict=True) if i != -1]

    for ef in HNSW_EF_SEARCH:
        graph.hnsw.efSearch = ef
        _tradeoff_row(f"HNSW M {HNSW_M}, efSearch {ef}", search, queries, kth, k, build_s)


def import_throughput(n: int = 5000) -> float:
    rows = [
        CsvRow(
            i + 2,
            {
                "slack_id": f"U{i:09d}",
                "expertise": f"topic {i}, python, sql",
                "name": f"M {i}",
                "capacity": "2",
            },
        )
        for i in range(n)
    ]
    engine = temp_sqlite_engine()
    started = time.perf_counter()
    import_mentors(engine, rows)
    return n / (time.perf_counter() - started)


def main() -> int:
    existing = os.environ.get("BENCH_COLD_START_DB")
    if existing:
        print(f"cold starts over {existing}")
        question = labelled_questions()[0][0]
        report_cold_starts(Path(existing), question, int(os.environ.get("BENCH_COLD_RUNS", "3")))
        return 0
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    # EMBEDDING_MODEL (env or .env) picks the model, as for the bot; the default otherwise.
    model = Settings().embedding_model
    print(f"model: {model}")
    embedder = build_embedder(model)
    questions = [q for q, _ in labelled_questions()]
    embedder.embed(questions[:5])  # warm up
    floor = []
    for q in questions:
        started = time.perf_counter()
        embedder.embed_queries([q])
        floor.append(time.perf_counter() - started)
    print(f"query embedding alone (floor)        {summary_ms(floor)}")
    pool, pool_vectors, topics = phrase_pool(embedder)
    query_vectors = embedder.embed_queries(questions)
    for n in sizes:
        directory = tempfile.mkdtemp(prefix=f"mentor-bench-{n}-")
        engine = temp_sqlite_engine(directory)
        started = time.perf_counter()
        service = MatchingService(engine=engine, embedder=embedder)
        populate(engine, n, pool, pool_vectors, topics, service.model_key)
        populate_s = time.perf_counter() - started
        started = time.perf_counter()
        embedded = service.start()
        load_s = time.perf_counter() - started
        ids, vectors = service.index._all_vectors()
        started = time.perf_counter()
        service.index.rebuild(ids, vectors)
        build_s = time.perf_counter() - started
        for q in questions[:5]:
            service.match(q)
        latencies = []
        for q in questions:
            started = time.perf_counter()
            service.match(q)
            latencies.append(time.perf_counter() - started)
        floor_p50 = sorted(floor)[len(floor) // 2]
        lat_p50 = sorted(latencies)[len(latencies) // 2]
        print(
            f"\n{n:>7} mentors  index={service.index.kind}  (populate {populate_s:.1f} s, "
            f"re-embedded at start: {embedded})"
        )
        print(
            f"  match (embed+search+filters+rank) {summary_ms(latencies)}  "
            f"= {lat_p50 / floor_p50:.2f}x the embedding floor"
        )
        print(f"  load from DB + index build: {load_s:.2f} s; index build alone: {build_s:.2f} s")
        if service.index.kind == "ivf":
            recall, ivf_ms = ivf_recall(service, query_vectors)
            print(
                f"  IVF recall@10 vs exact: {recall:.3f}  ({ivf_ms:.2f} ms per search, "
                f"nprobe {service.index.nprobe})"
            )
            if n == max(sizes):
                tradeoff_table(service, query_vectors, os.environ.get("BENCH_HNSW") == "1")
        report_cold_starts(Path(directory) / "bench.db", questions[0])
        engine.dispose()
    rate = import_throughput()
    print(f"\nCSV import (validate + upsert, no embedding): {rate:,.0f} rows/s")
    started = time.perf_counter()
    texts = [f"{pool[i % len(pool)]}, {pool[(i * 7) % len(pool)]}" for i in range(512)]
    embedder.embed(texts)
    rate = 512 / (time.perf_counter() - started)
    print(f"profile embedding (real model, batch 64): {rate:,.0f} texts/s")
    print(f"bench process peak RSS: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
