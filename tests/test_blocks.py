"""The pure Block Kit builders and the command parser, without Slack: what people would see,
Slack's hard limits, and every button value or form metadata read back by its own decoder."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.booking.ports import SessionView
from bot.booking.slots import Slot
from bot.handlers.blocks import admin, booking, common, feedback, home, offers, requests
from bot.handlers.commands import ParsedCommand, parse_command, resolve
from bot.handlers.ids import Subcommand
from bot.mentoring.ports import OfferClosure, OfferView, RequestView, Unmatched, UnmetDemand
from bot.mentoring.views import RequestSummary
from bot.storage.models import Attendance, FeedbackKind

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOSTILE = "<!channel> & <https://evil.example|click> *bold* " + "x" * 3500


def request_view(question: str = "How do I run a postmortem?") -> RequestView:
    return RequestView(42, "U0MENTEE1", question, "flash", "offered", "We had an outage", "today")


def offer_view(question: str = "How do I run a postmortem?") -> OfferView:
    return OfferView(7, request_view(question), "U0SRE0001", "Ana", 1, ("postmortems",), NOW)


def session_view(**changes: object) -> SessionView:
    values: dict[str, object] = {
        "session_id": 5,
        "request_id": 42,
        "mentee_slack_id": "U0MENTEE1",
        "mentor_slack_id": "U0SRE0001",
        "duration_minutes": 60,
        "starts_at": NOW + timedelta(days=1),
        "question": "How do I run a postmortem?",
    }
    return SessionView(**{**values, **changes})  # type: ignore[arg-type]


def text_of(message: common.Message) -> str:
    return json.dumps(message.as_kwargs(), ensure_ascii=False)


# -- the command parser ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", ParsedCommand(None, "")),
        ("   ", ParsedCommand(None, "")),
        ("help", ParsedCommand(Subcommand.HELP, "")),
        ("  STATUS ", ParsedCommand(Subcommand.STATUS, "")),
        ("forget-me", ParsedCommand(Subcommand.FORGET_ME, "")),
        ("help me with kubernetes", ParsedCommand(None, "help me with kubernetes")),
        ("status of our SLOs?", ParsedCommand(None, "status of our SLOs?")),
        (
            "reassign 42 <@U0SRE0001|ana>",
            ParsedCommand(
                Subcommand.REASSIGN, "reassign 42 <@U0SRE0001|ana>", "42 <@U0SRE0001|ana>"
            ),
        ),
        ("digest 2026-W47", ParsedCommand(Subcommand.DIGEST, "digest 2026-W47", "2026-W47")),
        (
            "import data from Kafka",
            ParsedCommand(Subcommand.IMPORT, "import data from Kafka", "data from Kafka"),
        ),
    ],
)
def test_parse_command(text: str, parsed: ParsedCommand) -> None:
    assert parse_command(text) == parsed


def test_a_lead_word_starting_a_question_is_a_question_unless_it_looks_like_the_command() -> None:
    question = parse_command("import data from Kafka")
    assert resolve(question, is_lead=False) == ParsedCommand(None, "import data from Kafka")
    assert resolve(question, is_lead=True).subcommand is Subcommand.IMPORT
    reassign = parse_command("reassign 42 U0SRE0001")
    assert resolve(reassign, is_lead=False).subcommand is Subcommand.REASSIGN  # refused later
    assert resolve(parse_command("digest last week"), is_lead=False).subcommand is None


# -- every encoder beside its decoder --------------------------------------------------------


def test_values_and_metadata_read_back_by_their_decoders() -> None:
    start = NOW + timedelta(days=2)
    slot = Slot(start, start + timedelta(hours=1))
    assert booking.parse_slot_value(booking.slot_value(5, slot)) == (5, slot.start)
    assert feedback.parse_session_answer(feedback.session_answer(5, "no_show")) == (5, "no_show")
    for kind in FeedbackKind:
        assert feedback.parse_comment_metadata(feedback.comment_metadata(5, kind)) == (5, kind)
    assert feedback.parse_comment_metadata("5") == (5, FeedbackKind.FOLLOW_UP)
    assert common.parse_id_value(common.id_value(123)) == 123


REFUSED = r"record id|values to unpack|not a valid FeedbackKind"


@pytest.mark.parametrize("forged", ["", "abc", "-1", "1.5", "٣", "9" * 40, None])
def test_forged_values_are_refused_by_the_decoders(forged: object) -> None:
    with pytest.raises(ValueError, match=REFUSED):
        common.parse_id_value(forged)
    with pytest.raises(ValueError, match=REFUSED):
        feedback.parse_session_answer(forged)
    with pytest.raises(ValueError, match=REFUSED):
        feedback.parse_comment_metadata(f"{forged}:nonsense")
    with pytest.raises(ValueError, match=REFUSED):
        feedback.parse_session_answer(f"{forged}:yes")


def test_every_button_value_is_read_by_the_matching_decoder() -> None:
    """The values the builders put on buttons are exactly what the listeners decode."""
    for message in (
        feedback.attendance_question(session_view(), for_mentor=False),
        feedback.follow_up(session_view(), for_mentor=True),
        feedback.practice_nudge(session_view()),
    ):
        for block in message.as_kwargs()["blocks"]:
            for element in block.get("elements", []):
                value = element.get("value", "")
                if element.get("action_id") == "feedback_add_comment":
                    assert feedback.parse_comment_metadata(value)[0] == 5
                elif "value" in element:
                    assert feedback.parse_session_answer(value)[0] == 5
    buttons = [
        e
        for b in offers.offer_message(offer_view()).as_kwargs()["blocks"]
        for e in b.get("elements", [])
    ]
    assert {common.parse_id_value(b["value"]) for b in buttons if "value" in b} == {7}


# -- what people see --------------------------------------------------------------------------


def test_user_text_is_escaped_and_clipped_within_slacks_limits() -> None:
    offer = offers.offer_message(offer_view(HOSTILE))
    text = text_of(offer)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil" not in text and "&amp;" in text
    for block in offer.as_kwargs()["blocks"]:
        assert len(json.dumps(block.get("text", {}).get("text", ""))) <= 3100
    assert len(offer.blocks) <= 50


def test_an_erased_request_is_never_quoted_nor_named_again() -> None:
    erased = text_of(offers.offer_closed(offer_view(), OfferClosure.ERASED))
    assert "postmortem" not in erased and "U0MENTEE1" not in erased
    assert "deleted at the asker's request" in erased
    closed = text_of(offers.offer_closed(offer_view(), OfferClosure.DECLINED))
    assert "postmortem" in closed  # an ordinary closure keeps it for the mentor
    assert "U0MENTEE1" not in text_of(offers.mentor_cancelled(offer_view(), erased=True))


def test_leads_see_counts_and_shared_words_never_questions() -> None:
    message = admin.leads_unmet(
        UnmetDemand(("knitting",), (), 3, (4, 9, 12), {Unmatched.NO_EXPERT: 3})
    )
    text = text_of(message)
    assert "3 different people" in text and "*knitting*" in text
    assert "nobody on the roster is close" in text and "#4, #9, #12" in text
    assert "Program leads see unmet demand" in text_of(
        requests.mentee_unmatched(request_view(), Unmatched.NO_EXPERT)
    )


def test_help_shows_lead_commands_only_to_leads() -> None:
    assert "reassign" not in text_of(requests.help_message(for_lead=False))
    assert "reassign" in text_of(requests.help_message(for_lead=True))


@pytest.mark.parametrize(
    "view",
    [
        requests.intake_modal(),
        booking.propose_time_modal(5),
        feedback.comment_modal(5, FeedbackKind.PRACTICE),
        admin.import_modal(),
    ],
)
def test_modals_fit_slacks_limits(view: object) -> None:
    built = view.to_dict()  # type: ignore[attr-defined]  # slack_sdk validates on the way
    assert len(built["title"]["text"]) <= 24
    assert len(built["blocks"]) <= 100


def test_home_tab_keeps_under_100_blocks_however_much_there_is() -> None:
    summaries = [
        RequestSummary(n, HOSTILE, "flash", "offered", NOW, ("U0SRE0001",)) for n in range(40)
    ]
    data = home.HomeData(
        user_id="U0LEAD001",
        requests=summaries,
        pending_offers=[offer_view(HOSTILE)] * 60,
        sessions=[session_view()] * 60,
        lead_numbers={"requests": 3},
    )
    built = home.home_view(data).to_dict()
    assert len(built["blocks"]) <= 100


def test_status_lists_at_most_ten_requests_with_cancel_buttons() -> None:
    summaries = [RequestSummary(n, "q?", "flash", "offered", NOW) for n in range(30)]
    message = requests.status_message(summaries)
    cancels = [b for b in message.as_kwargs()["blocks"] if b["type"] == "actions"]
    assert len(cancels) == 10 and len(message.blocks) <= 50


def test_attendance_question_offers_the_three_answers() -> None:
    text = text_of(feedback.attendance_question(session_view(), for_mentor=True))
    for answer in Attendance:
        assert f"feedback_attendance_{answer.value}" in text
    assert "<@U0MENTEE1>" in text  # the mentor is asked about the mentee
