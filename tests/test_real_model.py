"""The packaged models (all-MiniLM-L6-v2, multilingual-e5-small, the Universal Sentence Encoder),
end to end: no fakes, no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from bot.config import PACKAGED_E5_MODEL, PACKAGED_INT8_MODEL, PACKAGED_USE_MODEL, Settings
from bot.matching.embedder import (
    E5Embedder,
    Embedder,
    MiniLMInt8Embedder,
    USEEmbedder,
    build_embedder,
)
from bot.matching.service import MatchingService
from bot.roster import import_mentors, read_mentor_csv
from tests.conftest import EXAMPLE_ROSTER

pytestmark = pytest.mark.real_model


@pytest.fixture
def example_matching(engine: Engine, real_embedder: Embedder) -> MatchingService:
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    service = MatchingService(engine=engine, embedder=real_embedder)
    service.start()
    return service


@pytest.fixture(scope="session")
def e5_embedder() -> Embedder:
    return build_embedder(PACKAGED_E5_MODEL, threads=1)


@pytest.fixture
def e5_matching(engine: Engine, e5_embedder: Embedder) -> MatchingService:
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    service = MatchingService(engine=engine, embedder=e5_embedder)
    service.start()
    return service


def test_e5_sentinel_selects_the_packaged_multilingual_model(e5_embedder: Embedder) -> None:
    assert isinstance(e5_embedder, E5Embedder)
    assert e5_embedder.name == PACKAGED_E5_MODEL
    assert e5_embedder.dim == 384
    # A MiniLM-scale floor would let every E5 match through: the model's own floor applies.
    settings = Settings(_env_file=None, embedding_model=PACKAGED_E5_MODEL, min_match_score=0.3)
    assert settings.min_match_score == 0.9


def test_e5_embeds_queries_and_passages_differently(e5_embedder: Embedder) -> None:
    texts = ["blameless postmortems", "postmortem bez szukania winnych", "Kotlin", ""]
    passages = e5_embedder.embed(texts)
    queries = e5_embedder.embed_queries(texts)
    assert passages.shape == queries.shape == (4, 384)
    assert passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-4)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1, atol=1e-4)
    assert not np.allclose(passages, queries)  # "query: " vs "passage: "
    # Across languages: the Polish paraphrase is closer than an unrelated English phrase.
    assert queries[1] @ passages[0] > queries[1] @ passages[2]
    assert e5_embedder.embed([]).shape == (0, 384)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("jak przygotować się do rozmowy o podwyżce?", "U0HRP0023"),  # Polish: a raise
        ("bagaimana cara negosiasi gaji dengan atasan?", "U0HRP0023"),  # Indonesian: salary
        ("come posso negoziare lo stipendio con il mio capo?", "U0HRP0023"),  # Italian
        ("Our pager goes off all night for alerts nobody acts on", "U0SRE0001"),
    ],
)
def test_e5_finds_the_mentor_whatever_the_language(
    e5_matching: MatchingService, question: str, expected: str
) -> None:
    best = e5_matching.match(question, top_k=1)[0]
    assert best.slack_id == expected
    assert best.reasons


def test_packaged_model_gives_normalised_384d_vectors(real_embedder: Embedder) -> None:
    vectors = real_embedder.embed(["blameless postmortems", "postmortem without blame", "Kotlin"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Our pager goes off all night for alerts nobody acts on", "U0SRE0001"),
        ("How do I structure dbt models in the warehouse?", "U0DEN0004"),  # data engineering ...
        (
            "How many users do I need for my A/B test to be significant?",
            "U0DSC0005",
        ),  # ... vs science
        ("I'm a VP and want to start posting on LinkedIn", "U0REV0025"),  # reverse mentoring
        ("I think I'm burning out", "U0WEL0024"),
    ],
)
def test_real_model_picks_the_right_mentor(
    example_matching: MatchingService, question: str, expected: str
) -> None:
    best = example_matching.match(question, top_k=1)[0]
    assert best.slack_id == expected
    assert best.reasons


def test_question_in_another_language_still_gets_candidates(
    example_matching: MatchingService,
) -> None:
    results = example_matching.match("Comment rédiger un postmortem d'incident ?", top_k=3)
    assert len(results) == 3
    assert "U0SRE0001" in [r.slack_id for r in results]


def test_console_script_imports_and_matches(tmp_path: Path) -> None:
    """The installed `mentor-bot` command, in a fresh process, as an admin would run it."""
    script = shutil.which("mentor-bot", path=str(Path(sys.executable).parent))
    assert script, "mentor-bot console script is not installed in this environment"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "HF_HUB_OFFLINE": "1"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert run("db", "upgrade").returncode == 0
    imported = run("mentors", "import", str(EXAMPLE_ROSTER))
    assert imported.returncode == 0, imported.stderr
    result = run(
        "match",
        "-",
        "--json",
        "--top",
        "3",
        stdin="how to run blameless postmortems\nhelp me with TikTok for our brand\n",
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first[0]["slack_id"] == "U0SRE0001"
    assert second[0]["slack_id"] == "U0REV0025"
    assert {"slack_id", "score", "reasons"} <= set(first[0])


def test_use_sentinel_selects_the_packaged_universal_sentence_encoder() -> None:
    embedder = build_embedder(PACKAGED_USE_MODEL, threads=1)
    assert isinstance(embedder, USEEmbedder)
    assert embedder.name == PACKAGED_USE_MODEL
    assert embedder.dim == 512
    texts = ["blameless postmortems", "postmortem bez szukania winnych", "Kotlin", ""]
    vectors = embedder.embed(texts)
    assert vectors.shape == (4, 512)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert np.allclose(embedder.embed_queries(texts), vectors)  # symmetric
    # Across languages: the Polish paraphrase is closer than an unrelated English phrase.
    assert vectors[1] @ vectors[0] > vectors[1] @ vectors[2]
    assert embedder.embed([]).shape == (0, 512)
    # MiniLM's default floor would turn most questions away on USE's lower scale.
    settings = Settings(_env_file=None, embedding_model=PACKAGED_USE_MODEL, min_match_score=0.3)
    assert settings.min_match_score == 0.17
    chosen = Settings(_env_file=None, embedding_model=PACKAGED_USE_MODEL, min_match_score=0.25)
    assert chosen.min_match_score == 0.25


def test_int8_model_gives_the_float_models_vectors_without_torch(
    real_embedder: Embedder,
) -> None:
    """The int8 ONNX MiniLM: its own process has no torch at all; its vectors are the float
    model's to within quantisation (so the ranker's weights and floors carry over)."""
    code = (
        "import sys, json;"
        "from bot.matching.embedder import build_embedder;"
        f"e = build_embedder({PACKAGED_INT8_MODEL!r}, threads=1);"
        "v = e.embed(['how do I run a blameless postmortem?']);"
        "print(json.dumps([e.dim, 'torch' in sys.modules, float((v * v).sum())]))"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [384, False, pytest.approx(1.0, abs=1e-5)]

    int8 = build_embedder(PACKAGED_INT8_MODEL, threads=1)
    assert isinstance(int8, MiniLMInt8Embedder) and int8.name != real_embedder.name
    texts = [
        "incident postmortems and on-call rotations",
        "How many users do I need for my A/B test to be significant?",
        "Jak przygotować się do rozmowy o podwyżce?",
        "word " * 400,  # longer than the model's 256 tokens: truncated, like the float model
        "",
    ] + [f"topic number {i}" for i in range(70)]  # more than one batch of 64
    quantised, exact = int8.embed(texts), real_embedder.embed(texts)
    assert quantised.shape == exact.shape == (len(texts), 384)
    assert np.all((quantised * exact).sum(axis=1) > 0.99)
    assert int8.embed([]).shape == (0, 384)


def test_int8_model_picks_the_right_mentors(engine: Engine) -> None:
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    service = MatchingService(engine=engine, embedder=build_embedder(PACKAGED_INT8_MODEL))
    service.start()
    for question, expected in [
        ("How do I write a blameless postmortem after an outage?", "U0SRE0001"),
        ("I'm a VP and want to start posting on LinkedIn", "U0REV0025"),
        ("How many users do I need for my A/B test to be significant?", "U0DSC0005"),
    ]:
        assert service.match(question, top_k=1)[0].slack_id == expected
