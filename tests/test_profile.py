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
