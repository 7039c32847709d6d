"""Languages: each person reads mentor-bot in their own language, questions in any of them find
the right mentor, and subcommands work in the people's own words."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine

from bot.config import PACKAGED_E5_MODEL
from bot.handlers.commands import ParsedCommand, parse_command
from bot.handlers.ids import Action, Subcommand
from bot.handlers.people import SlackDirectory
from bot.i18n import _, format_when, use_language
from bot.languages import LanguageService, LocaleLookupError
from bot.matching.embedder import Embedder, build_embedder
from bot.mentoring.language import question_language
from bot.roster import import_mentors, read_mentor_csv
from bot.storage.db import session_scope
from bot.storage.models import MentoringSession
from tests.conftest import EXAMPLE_ROSTER
from tests.utils.bot_server import StartBot, offer_id_in
from tests.utils.flow import requests_in, slot_values
from tests.utils.slack_api import SlackStandIn, UserInfo

POLISH_MENTEE = "U0PLMENTEE"
COMPENSATION_MENTOR = "U0HRP0023"  # People Partner: "compensation and salary negotiation"
RAISE_QUESTION = "jak przygotować się do rozmowy o podwyżce?"


# -- subcommands in people's own words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("anuluj", ParsedCommand(Subcommand.CANCEL, "")),
        ("Pomoc", ParsedCommand(Subcommand.HELP, "")),
        ("bantuan", ParsedCommand(Subcommand.HELP, "")),
        ("annulla", ParsedCommand(Subcommand.CANCEL, "")),
        ("hilfe", ParsedCommand(Subcommand.HELP, "")),
        ("oublie-moi", ParsedCommand(Subcommand.FORGET_ME, "")),
        ("language pl", ParsedCommand(Subcommand.LANGUAGE, "", "pl")),
        ("język polski", ParsedCommand(Subcommand.LANGUAGE, "", "polski")),
        ("bahasa Indonesia", ParsedCommand(Subcommand.LANGUAGE, "", "Indonesia")),
        ("language auto", ParsedCommand(Subcommand.LANGUAGE, "", "auto")),
        ("language pt-BR", ParsedCommand(Subcommand.LANGUAGE, "", "pt-BR")),  # refused later
        ("language klingon", ParsedCommand(None, "language klingon")),
        # A question that merely starts with such a word stays a question.
        (
            "anuluj spotkanie z klientem — jak to powiedzieć?",
            ParsedCommand(None, "anuluj spotkanie z klientem — jak to powiedzieć?"),
        ),
        (
            "language barriers in my distributed team",
            ParsedCommand(None, "language barriers in my distributed team"),
        ),
        ("bahasa tubuh saat presentasi", ParsedCommand(None, "bahasa tubuh saat presentasi")),
    ],
)
def test_subcommands_in_every_language_never_steal_a_question(
    text: str, parsed: ParsedCommand
) -> None:
    assert parse_command(text) == parsed


# -- whose language ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_own_choice_then_leads_then_slack_then_default(engine: Engine) -> None:
    asked: list[str] = []
    slack = {"U0PL": "pl-PL", "U0PT": "pt-BR", "U0LEAD": "pl-PL"}

    def lookup(user: str) -> str | None:
        asked.append(user)
        return slack.get(user)

    languages = LanguageService(
        engine=engine,
        slack_locale=lookup,
        default="en",
        program_leads=frozenset({"U0LEAD"}),
        lead_language="de",
    )
    # What an ack may use is only what this process already resolved: no Slack, no database.
    assert languages.remembered_language("U0PL") is None
    assert languages.language_of("U0PL") == "pl"
    assert languages.remembered_language("U0PL") == "pl"
    assert languages.language_of("U0PT") == "en"  # Portuguese: not spoken, so the default
    assert languages.language_of("U0LEAD") == "de"  # DIGEST_LANGUAGE for leads
    assert languages.language_of("forgotten") == "en" and "forgotten" not in asked
    languages.choose("U0PL", "it")
    assert languages.remembered_language("U0PL") is None  # a change is never remembered stale
    assert languages.language_of("U0PL") == "it"  # their own choice wins over Slack's
    languages.choose("U0LEAD", "Polish")
    assert languages.language_of("U0LEAD") == "pl"  # a lead's own choice too
    languages.choose("U0PL", None)
    assert languages.language_of("U0PL") == "pl"  # back to Slack's
    with pytest.raises(ValueError, match="unsupported"):
        languages.choose("U0PL", "klingon")


def test_a_failed_slack_lookup_falls_back_to_the_default(engine: Engine) -> None:
    def failing(user: str) -> str | None:
        raise LocaleLookupError("ratelimited")

    languages = LanguageService(engine=engine, slack_locale=failing, default="es")
    assert languages.language_of("U0FR") == "es"


class FakeUsersInfo:
    """users.info as slack_sdk's WebClient answers it, unreachable `failures` times first."""

    def __init__(self, failures: int = 0) -> None:
        self.calls = 0
        self.failures = failures

    def users_info(self, *, user: str, include_locale: bool) -> dict[str, object]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("Slack unreachable")
        assert include_locale  # without it Slack sends no locale
        return {"user": {"id": user, "tz": "Europe/Warsaw", "locale": "pl-PL"}}


def test_slack_is_asked_once_a_day_per_person_and_backs_off_when_failing() -> None:
    client, clock = FakeUsersInfo(failures=1), Clock()
    directory = SlackDirectory(client, clock=clock)  # type: ignore[arg-type]  # a fake client
    with pytest.raises(LocaleLookupError):
        directory.locale("U0PL")
    assert directory.timezone("U0PL") == "UTC"  # meanwhile: UTC, without asking again
    assert client.calls == 1
    clock.now += 301
    assert (directory.locale("U0PL"), directory.timezone("U0PL")) == ("pl-PL", "Europe/Warsaw")
    assert client.calls == 2  # time zone and language from one call
    clock.now += 23 * 3600
    directory.locale("U0PL")
    assert client.calls == 2
    clock.now += 2 * 3600
    directory.locale("U0PL")
    assert client.calls == 3


def test_question_language_is_only_said_when_clear() -> None:
    assert question_language(RAISE_QUESTION) == "pl"
    assert question_language("Gimana cara klaim JHT BPJS Ketenagakerjaan?") == "id"
    assert question_language("Wie beantrage ich Elternzeit und Elterngeld?") == "de"
    assert question_language("k8s upgrade?") is None  # too short to tell


def test_dates_are_written_as_each_language_writes_them() -> None:
    moment = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # a Thursday
    with use_language("pl"):
        assert format_when(moment, "Europe/Warsaw") == "czw., 26 lis, 14:00"
    with use_language("de"):
        assert format_when(moment, "Europe/Berlin") == "Do., 26. Nov., 14:00"
    with use_language("id"):
        assert format_when(moment, "Asia/Jakarta") == "Kam, 26 Nov, 20:00"
    with use_language("en"):
        assert format_when(moment, "America/New_York") == "Thu, Nov 26, 08:00"


# -- the whole flow through Slack, with the multilingual model ----------------------------------


@pytest.fixture(scope="module")
def multilingual() -> Embedder:
    return build_embedder(PACKAGED_E5_MODEL, threads=1)


def texts_to(slack_api: SlackStandIn, user: str) -> list[str]:
    return [json.dumps(c.params, ensure_ascii=False) for c in slack_api.messages_to(user)]


@pytest.mark.real_model
def test_polish_mentee_and_english_mentor_each_read_their_own_language(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn, multilingual: Embedder
) -> None:
    import_mentors(engine, read_mentor_csv(EXAMPLE_ROSTER))
    slack_api.users[POLISH_MENTEE] = UserInfo(tz="Europe/Warsaw", locale="pl-PL")
    slack_api.users[COMPENSATION_MENTOR] = UserInfo(tz="Africa/Casablanca", locale="en-GB")
    bot = start_bot(embedder=multilingual)

    # Asked in Polish, answered in Polish (the ack, from the Slack locale).
    acked = bot.command(RAISE_QUESTION, POLISH_MENTEE).body
    with use_language("pl"):
        received = _("Got it! Looking for the best mentor for: _{question}_", question="")
    assert received.split("_")[0].strip() in acked
    assert "Looking for the best mentor" not in acked

    # The compensation mentor is found, and reads the offer in English, question quoted, with
    # the language the mentee wants to talk in.
    offer = slack_api.wait_for(lambda: slack_api.messages_to(COMPENSATION_MENTOR))[0]
    offer_text = json.dumps(offer.params, ensure_ascii=False)
    assert "would like your help" in offer_text
    assert RAISE_QUESTION in offer_text
    assert "The mentee would like to talk in polski." in offer_text
    [request] = requests_in(engine)
    assert request.language == "pl"

    # The mentee is told, in Polish, who was asked.
    with use_language("pl"):
        asked_pl = _(
            "I asked a mentor to help with your question (request #{request})",
            request=request.id,
        )
    assert asked_pl.startswith("Poprosiłem")  # the catalog's, not a fallback to English
    slack_api.wait_for(
        lambda: any(c.params.get("text") == asked_pl for c in slack_api.messages_to(POLISH_MENTEE))
    )

    bot.click(Action.ACCEPT, offer_id_in(offer.blocks_text()), COMPENSATION_MENTOR)
    picker = slack_api.wait_for(
        lambda: [
            c
            for c in slack_api.messages_to(POLISH_MENTEE)
            if Action.BOOK_SLOT.value in c.blocks_text()
        ]
    )[0]
    with use_language("pl"):
        pick_pl = _("Pick a time for your mentoring session")
    assert picker.params["text"] == pick_pl != "Pick a time for your mentoring session"
    bot.click(Action.BOOK_SLOT, slot_values(picker.blocks_text())[0], POLISH_MENTEE)

    def booked(user: str) -> str | None:
        return next((t for t in texts_to(slack_api, user) if "📅" in t), None)

    mentee_dm = slack_api.wait_for(lambda: booked(POLISH_MENTEE))
    mentor_dm = slack_api.wait_for(lambda: booked(COMPENSATION_MENTOR))
    with session_scope(engine) as session:
        start = session.get(MentoringSession, 1)
        assert start is not None and start.starts_at is not None
        starts_at = start.starts_at
    with use_language("pl"):
        polish_time = format_when(starts_at, "Europe/Warsaw")
    with use_language("en"):
        english_time = format_when(starts_at, "Africa/Casablanca")
    # Each booking DM in its reader's language and time zone.
    assert polish_time in mentee_dm and "Europe/Warsaw" in mentee_dm
    assert "Booked:" not in mentee_dm
    assert english_time in mentor_dm and "Booked:" in mentor_dm
    # The calendar invites too: the same event, its title in each reader's language.
    uploads = slack_api.wait_call("upload", count=2)
    summaries = {
        str(Calendar.from_ical(u.params["content"]).walk("VEVENT")[0]["summary"]) for u in uploads
    }
    with use_language("pl"):
        polish_title = _("Mentoring session (mentor-bot)")
    assert summaries == {"Mentoring session (mentor-bot)", polish_title}

    # `/mentor language en` switches at once; `/mentor pomoc` works in any language.
    slack_api.clear()
    bot.command("language en", POLISH_MENTEE)
    switched = slack_api.wait_text("response_url", "From now on I write to you in")
    assert "English" in json.dumps(switched.params)
    assert "How to use mentor-bot" in bot.command("pomoc", POLISH_MENTEE).body


def test_topic_labels_read_any_language_and_skip_its_stop_words() -> None:
    from bot.digest.topics import terms

    polish = terms("Jak przygotować się do rozmowy o podwyżce z moim szefem?")
    assert "podwyżce" in polish or any(t.startswith("podwyżk") for t in polish)
    assert not {"jak", "się", "moim", "z"} & polish
    german = terms("Wie beantrage ich Überstunden bei meinem Betriebsrat?")
    assert any(t.startswith("überstund") for t in german) and "ich" not in german


def test_an_unknown_language_is_refused_kindly_and_changes_nothing(
    engine: Engine, start_bot: StartBot, slack_api: SlackStandIn
) -> None:
    slack_api.users[POLISH_MENTEE] = UserInfo(locale="pl-PL")
    bot = start_bot()
    bot.command("language it", POLISH_MENTEE)
    slack_api.wait_text("response_url", "italiano")
    slack_api.clear()
    assert bot.command("language pt", POLISH_MENTEE).status == 200
    with use_language("it"):  # the refusal is in the language still chosen
        refusal = _(
            "I can't write in “{language}” yet. I speak: {choices}.", language="pt", choices=""
        )
    slack_api.wait_text("response_url", refusal.split("pt")[0])
    assert bot.runtime.handler_services.languages.chosen(POLISH_MENTEE) == "it"
    assert requests_in(engine) == []  # not taken for a question either


def test_forget_me_erases_the_chosen_language(engine: Engine) -> None:
    from bot.storage import people
    from bot.storage.privacy import erase_person, personal_data

    with session_scope(engine) as session:
        people.choose_language(session, POLISH_MENTEE, "pl")
    with session_scope(engine) as session:
        assert personal_data(session, POLISH_MENTEE)["language"] == "pl"  # in my-data
        erase_person(session, POLISH_MENTEE)
    with session_scope(engine) as session:
        assert people.chosen_language(session, POLISH_MENTEE) is None
