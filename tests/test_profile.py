from __future__ import annotations

import pytest

from bot.matching.profile import expertise_phrases, profile_text, text_hash


@pytest.mark.parametrize(
    ("expertise", "skills", "expected"),
    [
        (
            "incident postmortems, on-call rotations",
            [],
            ["incident postmortems", "on-call rotations"],
        ),
        (
            "SLOs; error budgets\nalerting",
            ["Prometheus"],
            ["SLOs", "error budgets", "alerting", "Prometheus"],
        ),
        ("Python, python, PYTHON", ["python"], ["Python"]),
        ("Talks. Slides. ", [], ["Talks", "Slides"]),
        ("", [], []),
    ],
)
def test_expertise_phrases(expertise: str, skills: list[str], expected: list[str]) -> None:
    assert expertise_phrases(expertise, skills) == expected


def test_profile_text_includes_title_and_skills() -> None:
    assert profile_text("SRE", "postmortems", ["Grafana"]) == "SRE. postmortems. Skills: Grafana"
    assert profile_text("", "postmortems", []) == "postmortems"


def test_hash_changes_with_any_embedded_text() -> None:
    base = text_hash("a", ["b"])
    assert base == text_hash("a", ["b"])
    assert base != text_hash("a", ["c"])
    assert base != text_hash("a2", ["b"])
    assert text_hash("ab", []) != text_hash("a", ["b"])


def test_example_questions_are_phrases_whole_after_the_expertise() -> None:
    phrases = expertise_phrases(
        "SLOs, error budgets",
        [],
        [
            "How much downtime is OK for our API, really?",
            "  slos  ",
            "how much downtime is ok for our  API, really?",
        ],
    )
    # Kept whole (commas and all), spaces folded; one that repeats a phrase adds nothing.
    assert phrases == ["SLOs", "error budgets", "How much downtime is OK for our API, really?"]
