"""Speed-mentoring rounds: the planner's rules, its advantage over greedy, the CLI and the
real model's pairings."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from bot.cli import CliContext, app
from bot.config import Settings
from bot.events.baselines import greedy_plan, random_plan
from bot.events.planning import Event, Plan, plan_event, schedule_rounds, to_plan
from bot.events.scoring import active_roster, score_event
from bot.matching.embedder import Embedder
from bot.matching.service import MatchingService
from bot.roster import import_mentors, read_mentor_csv
from tests.conftest import EXAMPLE_ROSTER, add_mentor
from tests.utils.fake_embedder import FakeEmbedder


def make_event(
    scores: list[list[float]] | np.typing.NDArray[np.float64],
    rounds: int,
    *,
    mentees: list[str] | None = None,
    mentors: list[str] | None = None,
) -> Event:
    matrix = np.asarray(scores, dtype=np.float64)
    n, m = matrix.shape
    return Event(
        mentees=tuple(mentees or [f"UA{i:03d}" for i in range(n)]),
        mentors=tuple(mentors or [f"UB{j:03d}" for j in range(m)]),
        scores=matrix,
        rounds=rounds,
    )


def assert_keeps_the_rules(event: Event, plan: Plan) -> None:
    """One mentor per mentee and mentee per mentor in a round, no pair twice, nobody with
    themself or in two conversations at once, and sitting_out is exactly everyone unseated."""
    assert len(plan.rounds) == len(plan.sitting_out) == event.rounds
    pairs: set[tuple[str, str]] = set()
    for pairings, sitting_out in zip(plan.rounds, plan.sitting_out, strict=True):
        mentees = [p.mentee for p in pairings]
        mentors = [p.mentor for p in pairings]
        assert len(set(mentees)) == len(mentees)
        assert len(set(mentors)) == len(mentors)
        assert not set(mentees) & set(mentors), "someone in two conversations at once"
        assert all(p.mentee != p.mentor for p in pairings)
        assert sorted(sitting_out) == sorted(set(event.mentees) - set(mentees))
        for p in pairings:
            assert (p.mentee, p.mentor) not in pairs, "a pair met twice"
            pairs.add((p.mentee, p.mentor))


def assert_fair_sit_outs(plan: Plan, mentees: tuple[str, ...]) -> None:
    """Nobody sits out twice before everyone has sat out once: after every round the counts
    differ by at most one."""
    counts = Counter(dict.fromkeys(mentees, 0))
    for sitting_out in plan.sitting_out:
        counts.update(sitting_out)
        assert max(counts.values()) - min(counts.values()) <= 1, counts


@st.composite
def events(draw: st.DrawFn, most: int = 8) -> Event:
    """Small events, ties included (scores on a coarse grid), some people listed both ways."""
    n = draw(st.integers(1, most))
    m = draw(st.integers(1, most))
    rounds = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    scores = np.random.default_rng(seed).integers(0, 5, size=(n, m)) / 4
    mentees = [f"UA{i:03d}" for i in range(n)]
    mentors = [f"UB{j:03d}" for j in range(m)]
    for j in range(draw(st.integers(0, min(n, m) // 2))):
        mentors[j] = mentees[j]
    return make_event(scores, rounds, mentees=mentees, mentors=mentors)


# -- the rules ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(events())
def test_every_plan_keeps_the_rules(event: Event) -> None:
    assert_keeps_the_rules(event, plan_event(event))


@settings(max_examples=300, deadline=None)
@given(events())
def test_everyone_is_seated_every_round_when_mentors_suffice(event: Event) -> None:
    usable = len(set(event.mentors) - set(event.mentees))  # people listed both ways mentor last
    if usable < max(len(event.mentees), event.rounds):
        return
    plan = plan_event(event)
    assert plan.method == "global"
    assert all(not sitting_out for sitting_out in plan.sitting_out)


@settings(max_examples=300, deadline=None)
@given(events(most=16))
def test_sit_outs_rotate_fairly_when_mentors_are_fewer(event: Event) -> None:
    n, m, rounds = len(event.mentees), len(event.mentors), event.rounds
    if set(event.mentees) & set(event.mentors) or m >= n:
        return
    # Where fairness is provable round by round: before any round each mentee still has at
    # least rounds - 1 mentors unmet, more than any mentor has met, so Hall's condition holds
    # for every set of mentees. (Outside it, tight small events can corner the rotation: about
    # 1 in 1,000 random ones leaves someone sitting out once more than the rest; README.)
    if m - math.ceil((rounds - 1) * m / n) < rounds - 1:
        return
    plan = plan_event(event)
    assert all(len(pairings) == m for pairings in plan.rounds), "a mentor left idle"
    assert_fair_sit_outs(plan, event.mentees)


def test_two_hundred_mentees_sixty_mentors_six_rounds() -> None:
    event = make_event(np.random.default_rng(7).random((200, 60)), 6)
    plan = plan_event(event)
    assert_keeps_the_rules(event, plan)
    assert_fair_sit_outs(plan, event.mentees)
    assert [len(p) for p in plan.rounds] == [60] * 6
    seated = Counter(p.mentee for pairings in plan.rounds for p in pairings)
    assert sorted(Counter(seated.values()).items()) == [(1, 40), (2, 160)]


def test_nobody_meets_themself_and_twins_are_in_one_conversation_per_round() -> None:
    # UX is a mentee and a mentor; 3 mentees, 2 mentors: UX mentors only when sitting out.
    event = make_event(
        [[0.9, 0.1], [0.1, 0.9], [1.0, 0.8]],
        2,
        mentees=["UA000", "UA001", "UX000"],
        mentors=["UX000", "UB001"],
    )
    plan = plan_event(event)
    assert_keeps_the_rules(event, plan)
    for pairings, sitting_out in zip(plan.rounds, plan.sitting_out, strict=True):
        if any(p.mentor == "UX000" for p in pairings):
            assert "UX000" in sitting_out


def test_a_round_by_round_plan_can_corner_itself_where_the_global_one_cannot() -> None:
    # Round by round: A-x, B-y, then A-y, B-x, then both need z. Globally each meets all three.
    event = make_event([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0]], 3)
    cornered = to_plan(event, schedule_rounds(event), method="rounds", weak_below=0.3)
    assert any(cornered.sitting_out)
    plan = plan_event(event)
    assert plan.method == "global"
    assert not any(plan.sitting_out)
    assert plan.total == pytest.approx(3.8)
    assert [p.mentor for p in plan.rounds[0]] == ["UB000", "UB001"]  # the best round first


def test_rejects_impossible_input() -> None:
    with pytest.raises(ValueError, match="rounds must be 1-6"):
        make_event([[0.5]], 7)
    with pytest.raises(ValueError, match="listed twice"):
        make_event([[0.5, 0.5]], 1, mentors=["UB1", "UB1"])
    with pytest.raises(ValueError, match="finite"):
        make_event([[float("nan")]], 1)


def test_weak_pairings_are_flagged() -> None:
    plan = plan_event(make_event([[0.9, 0.1], [0.2, 0.05]], 1))
    assert [(p.mentee, p.weak) for p in plan.rounds[0]] == [("UA000", False), ("UA001", True)]
    assert [p.mentee for p in plan.weak] == ["UA001"]


# -- better than greedy and random ----------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "plan_total", "greedy_total"),
    [
        # Greedy takes A-x (1.0) and leaves B with y (0.0); swapping gives 0.9 + 0.9.
        ([[1.0, 0.9], [0.9, 0.0]], 1.8, 1.0),
        # Fewer mentors: greedy seats A-x and then B or C with y (0.0); the plan seats A-y, B-x.
        ([[1.0, 0.9], [0.9, 0.0], [0.0, 0.0]], 1.8, 1.0),
    ],
)
def test_beats_greedy_where_greedy_is_provably_worse(
    scores: list[list[float]], plan_total: float, greedy_total: float
) -> None:
    event = make_event(scores, 1)
    assert plan_event(event).total == pytest.approx(plan_total)
    assert greedy_plan(event).total == pytest.approx(greedy_total)


@settings(max_examples=200, deadline=None)
@given(events())
def test_the_global_plan_is_never_below_a_greedy_plan_that_seats_everyone(event: Event) -> None:
    plan = plan_event(event)
    greedy = greedy_plan(event)
    assert_keeps_the_rules(event, greedy)
    if plan.method == "global" and not any(greedy.sitting_out):
        assert plan.total >= greedy.total - 1e-9


def test_beats_greedy_and_random_on_a_clustered_event() -> None:
    rng = np.random.default_rng(3)
    topics, mentor_topics = rng.integers(0, 6, 40), rng.integers(0, 6, 30)
    scores = 0.2 + 0.5 * (topics[:, None] == mentor_topics[None, :]) + 0.1 * rng.random((40, 30))
    event = make_event(scores, 4)
    plan = plan_event(event)
    assert plan.total >= greedy_plan(event).total
    assert plan.total > max(random_plan(event, seed=s).total for s in range(5))


def test_plans_are_deterministic() -> None:
    event = make_event(np.random.default_rng(1).integers(0, 3, (12, 7)) / 2, 5)
    assert plan_event(event).as_json() == plan_event(event).as_json()
    assert random_plan(event, seed=4).as_json() == random_plan(event, seed=4).as_json()


# -- scoring: the same as matching ----------------------------------------------------------


def test_relevance_scores_and_explains_like_match(engine: Engine) -> None:
    add_mentor(engine, "U0SRE", "incident postmortems, on-call rotations")
    add_mentor(engine, "U0DEN", "airflow pipelines, dbt models")
    matching = MatchingService(engine=engine, embedder=FakeEmbedder())
    matching.start()
    questions = ["writing incident postmortems", "dbt models for airflow"]
    mentors = active_roster(engine)
    event = score_event(matching, [("UQ1", questions[0]), ("UQ2", questions[1])], mentors, 1)
    assert event.reasons is not None
    for i, question in enumerate(questions):
        for result in matching.match(question, top_k=2, available_only=False):
            j = event.mentors.index(result.slack_id)
            assert round(float(event.scores[i, j]), 4) == result.score
            assert tuple(event.reasons[i][j]) == result.reasons


# -- the CLI --------------------------------------------------------------------------------

CliRun = Callable[..., Result]


@pytest.fixture
def cli(engine: Engine, settings: Settings) -> CliRun:
    """`mentor-bot` on the migrated test database with the bag-of-words embedder."""
    embedder = FakeEmbedder()

    def run(*args: str) -> Result:
        context = CliContext(settings_factory=lambda: settings, embedder_factory=lambda _: embedder)
        return CliRunner().invoke(app, list(args), obj=context, env={"COLUMNS": "120"})

    add_mentor(engine, "U0SRE", "incident postmortems, on-call rotations")
    add_mentor(engine, "U0DEN", "airflow pipelines, dbt models")
    add_mentor(engine, "U0SEC", "threat modeling, SOC 2 audits")
    return run


def participants(tmp_path: Path, body: str) -> str:
    path = tmp_path / "participants.csv"
    path.write_text("slack_id,role,question\n" + body, encoding="utf-8")
    return str(path)


HAPPY = (
    "U1ANA,mentee,How do I write incident postmortems?\n"
    "U1BOB,mentee,Designing dbt models on airflow\n"
    "U1CAT,mentee,Preparing SOC 2 audits and threat modeling\n"
    "U0SRE,mentor,\n"
    "U0DEN,mentor,ignored\n"
    "U0SEC,mentor,\n"
)


def test_cli_plans_an_event_as_json(cli: CliRun, tmp_path: Path) -> None:
    result = cli("event", "plan", participants(tmp_path, HAPPY), "--rounds", "3", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert list(plan) == ["rounds", "sitting_out"]
    assert len(plan["rounds"]) == len(plan["sitting_out"]) == 3
    for pairings in plan["rounds"]:
        for pairing in pairings:
            assert list(pairing) == ["mentee", "mentor", "score", "reasons"]
            assert isinstance(pairing["score"], float)
            assert all(isinstance(r, str) for r in pairing["reasons"])
    assert plan["sitting_out"] == [[], [], []]
    first = {p["mentee"]: (p["mentor"], p["reasons"]) for p in plan["rounds"][0]}
    assert first["U1ANA"] == ("U0SRE", ["incident postmortems"])
    assert first["U1BOB"][0] == "U0DEN"
    assert first["U1CAT"][0] == "U0SEC"


def test_cli_prints_a_readable_plan(cli: CliRun, tmp_path: Path) -> None:
    body = HAPPY + "U1DAN,mentee,Kubernetes upgrades\nU1EVE,mentee,Helm charts\n"
    result = cli("event", "plan", participants(tmp_path, body), "--rounds", "2")
    assert result.exit_code == 0, result.output
    assert "Round 1" in result.stdout and "Round 2" in result.stdout
    assert "incident postmortems" in result.stdout
    assert "sitting out:" in result.stdout  # 5 mentees, 3 mentors
    assert "2 rounds, 6 conversations" in result.stdout
    assert "weak pairing(s)" in result.stdout


def test_cli_adds_the_roster_mentors(cli: CliRun, tmp_path: Path) -> None:
    body = "U1ANA,mentee,How do I write incident postmortems?\n"
    result = cli("event", "plan", participants(tmp_path, body), "--mentors", "roster", "--json")
    assert result.exit_code == 0, result.output
    rounds = json.loads(result.stdout)["rounds"]
    assert [len(pairings) for pairings in rounds] == [1, 1, 1]
    assert rounds[0][0]["mentor"] == "U0SRE"
    assert {pairings[0]["mentor"] for pairings in rounds} == {"U0SRE", "U0DEN", "U0SEC"}


@pytest.mark.parametrize(
    ("body", "report"),
    [
        (
            HAPPY + "U1ANA,mentee,again\n",
            "line 8 (U1ANA): duplicate mentee slack_id, first given on line 2",
        ),
        (HAPPY + "ana,mentee,postmortems please\n", "line 8 (ana): 'ana' is not a Slack user id"),
        (
            HAPPY + "U1DAN,speaker,hello there\n",
            "line 8 (U1DAN): role 'speaker' is neither mentee nor mentor",
        ),
        (HAPPY + "U1DAN,mentee,\n", "line 8 (U1DAN): question is empty"),
        (
            HAPPY + "U1DAN,mentee,=HYPERLINK()\n",
            "line 8 (U1DAN): question starts like a spreadsheet formula",
        ),
        (HAPPY + "U0NEW,mentor,\n", "line 8 (U0NEW): has no active mentor profile on the roster"),
    ],
)
def test_cli_reports_bad_rows_by_line(cli: CliRun, tmp_path: Path, body: str, report: str) -> None:
    result = cli("event", "plan", participants(tmp_path, body), "--json")
    assert result.exit_code == 2
    assert "nothing was planned" in result.stderr
    assert report in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("slack_id,question\nU1ANA,postmortems\n", (), "lacks the required column(s) role"),
        ("", (), "is empty"),
        ("slack_id,role,question\nU0SRE,mentor,\n", (), "has no mentee"),
        ("slack_id,role,question\nU1ANA,mentee,postmortems please\n", (), "has no mentor"),
        ("slack_id,role,question\nU1ANA,mentee,postmortems\n", ("--rounds", "7"), "--rounds"),
    ],
)
def test_cli_refuses_unusable_files(
    cli: CliRun, tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("event", "plan", str(path), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


# -- the real model -------------------------------------------------------------------------


@pytest.mark.real_model
def test_each_mentee_meets_the_expert_on_their_question_first(
    engine: Engine, real_embedder: Embedder
) -> None:
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    matching = MatchingService(engine=engine, embedder=real_embedder)
    matching.start()
    mentees = [
        ("U1ANA", "How do I run a blameless postmortem after an outage?"),
        ("U1BOB", "How should we structure dbt models in our Snowflake warehouse?"),
        ("U1CAT", "What do auditors look for when we prepare for SOC 2?"),
    ]
    event = score_event(matching, mentees, active_roster(engine), 3)
    plan = plan_event(event)
    assert_keeps_the_rules(event, plan)
    first = {p.mentee: p for p in plan.rounds[0]}
    assert first["U1ANA"].mentor == "U0SRE0001"
    assert first["U1BOB"].mentor == "U0DEN0004"
    assert first["U1CAT"].mentor == "U0SEC0003"
    assert "blameless postmortems" in first["U1ANA"].reasons
    assert not any(p.weak for p in first.values())


def test_a_peer_event_pairs_people_listed_both_ways() -> None:
    # Everyone asks and everyone mentors: each round someone mentors while the other asks.
    event = make_event([[0.0, 0.8], [0.7, 0.0]], 2, mentees=["UA", "UB"], mentors=["UA", "UB"])
    plan = plan_event(event)
    assert_keeps_the_rules(event, plan)
    assert sorted((p.mentee, p.mentor) for r in plan.rounds for p in r) == [
        ("UA", "UB"),
        ("UB", "UA"),
    ]


def test_cli_never_pairs_a_mentee_with_themself(cli: CliRun, tmp_path: Path) -> None:
    body = HAPPY + "U0SRE,mentee,How do I plan on-call rotations?\n"
    result = cli("event", "plan", participants(tmp_path, body), "--rounds", "3", "--json")
    assert result.exit_code == 0, result.output
    for pairings in json.loads(result.stdout)["rounds"]:
        people = [p["mentee"] for p in pairings] + [p["mentor"] for p in pairings]
        assert len(people) == len(set(people))
