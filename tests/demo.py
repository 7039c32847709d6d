"""`make demo`: the whole flow against the local Slack stand-in, with the example roster and the
real model, printed as a transcript of what each person would see in Slack."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sqlmodel import select

from bot import jobs
from bot.config import PACKAGED_MODEL, Settings
from bot.events.ports import NoticeKind
from bot.handlers.ids import Action, Callback, Field
from bot.logging import configure_logging
from bot.matching.embedder import SentenceTransformerEmbedder
from bot.roster import import_mentors, read_mentor_csv
from bot.storage import db
from bot.storage.models import SpeedEvent
from tests.utils.bot_server import SIGNING_SECRET, BotServer, offer_id_in
from tests.utils.slack_api import Call, SlackStandIn

ROSTER = Path(__file__).resolve().parents[1] / "examples" / "mentors.csv"
NAMES = {
    "U0MENTEE1": "Lea (engineer)",
    "U0VPSALES": "Victor (VP Sales)",
    "U0HOBBY01": "Sam (designer)",
    "U0HOBBY02": "Ines (finance)",
    "U0HOBBY03": "Kofi (support)",
    "U0LEAD001": "Pat (program lead)",
    "U0NEWHIRE": "Noor (new hire)",
    "U0SRE0001": "Ana (SRE)",
    "U0DEN0004": "Dan (data engineer)",
}
CHANNELS = {"C0EVENTS1": "mentoring"}


def render_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if block.get("type") in ("section", "header"):
            lines += str(block["text"]["text"]).splitlines()
            if block.get("accessory", {}).get("type") == "button":
                lines[-1] += f"   [{block['accessory']['text']['text']}]"
        elif block.get("type") == "context":
            lines += [f"  ({e.get('text', '')})" for e in block.get("elements", [])]
        elif block.get("type") == "actions":
            lines.append("  " + " ".join(f"[{e['text']['text']}]" for e in block["elements"]))
        elif block.get("type") == "divider":
            lines.append("  ───")
    return [_readable(line) for line in lines]


def _readable(text: str) -> str:
    text = re.sub(r"<!date\^\d+\^[^|]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<@(\w+)>", lambda m: "@" + NAMES.get(m.group(1), m.group(1)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def show(call: Call) -> None:
    params = call.params
    if call.method == "chat.postMessage" and not params["channel"].startswith("D"):
        head = f"📣 posted in #{CHANNELS.get(params['channel'], params['channel'])}"
    elif call.method == "chat.postMessage":
        who = params["channel"][1:]
        head = f"💬 DM to {NAMES.get(who, who)}"
    elif call.method == "chat.update" and not params["channel"].startswith("D"):
        head = f"✏️  message updated in #{CHANNELS.get(params['channel'], params['channel'])}"
    elif call.method == "chat.update":
        head = f"✏️  message updated for {NAMES.get(params['channel'][1:], params['channel'][1:])}"
    elif call.method == "response_url":
        head = (
            "👁  only you can see this"
            if params.get("response_type") == "ephemeral"
            else ("✏️  message replaced")
        )
    elif call.method == "views.publish":
        head = f"🏠 Home tab of {NAMES.get(params['user_id'], params['user_id'])}"
    else:
        return
    blocks = params.get("blocks") or (params.get("view") or {}).get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    lines = render_blocks(blocks) or [_readable(str(params.get("text", "")))]
    print(f"\n{head}")
    for line in lines:
        print(f"   │ {line}")


class Demo:
    def __init__(self, bot: BotServer, api: SlackStandIn) -> None:
        self.bot, self.api, self.seen = bot, api, 0

    def flush(self, settle: float = 0.6) -> list[Call]:
        time.sleep(settle)
        calls = self.api.calls[self.seen :]
        self.seen = len(self.api.calls)
        for call in calls:
            show(call)
        return calls

    def say(self, who: str, text: str) -> None:
        print(f"\n\n▶ {NAMES.get(who, who)} types: /mentor {text}")
        response = self.bot.command(text, who)
        if response.body:  # an empty acknowledgement shows nothing in Slack
            print(f"\n👁  only you can see this\n   │ {_readable(response.body)}")
        self.flush(1.5)

    def click(self, who: str, action: Action, value: str) -> None:
        print(f"\n\n▶ {NAMES.get(who, who)} clicks [{action.name.replace('_', ' ').title()}]")
        self.bot.click(action, value, who)
        self.flush(1.5)

    def submit(self, who: str, callback: Callback, form: dict[Any, Any], meta: str = "") -> None:
        print(f"\n\n▶ {NAMES.get(who, who)} fills in the form and submits it")
        self.bot.submit(callback, form, who, meta)
        self.flush(1.5)

    def job(self, what: str, kind: NoticeKind, event_id: int, round_number: int = 0) -> None:
        print(f"\n\n⏰ {what}")
        jobs.event_notice(event_id, kind.value, round_number)
        self.flush(1.0)

    def last_offer_to(self, mentor: str) -> str:
        return offer_id_in(self.api.messages_to(mentor)[-1].blocks_text())


def text_input(value: str) -> dict[str, str]:
    return {"type": "plain_text_input", "value": value}


def speed_mentoring(demo: Demo, url: str) -> None:
    """A lead's event: sign-up, the plan, schedules, a round, ratings and a follow-up (the
    timers' jobs run at once here; in the bot they fire at their times)."""
    print("\n\n══ Speed mentoring: an event planned by what people want to ask")
    demo.say("U0LEAD001", "event")
    print("   (the event form opens: title, start, rounds, minutes, break, where, channel…)")
    start = int((datetime.now(UTC) + timedelta(days=2)).timestamp()) // 3600 * 3600
    demo.submit(
        "U0LEAD001",
        Callback.EVENT,
        {
            Field.EVENT_TITLE: text_input("Ask an expert: Friday speed mentoring"),
            Field.EVENT_START: {"type": "datetimepicker", "selected_date_time": start},
            Field.EVENT_ROUNDS: {"type": "static_select", "selected_option": {"value": "2"}},
            Field.EVENT_MINUTES: {"type": "static_select", "selected_option": {"value": "10"}},
            Field.EVENT_BREAK: {"type": "static_select", "selected_option": {"value": "5"}},
            Field.EVENT_PLACE: text_input("Slack huddle"),
            Field.EVENT_CHANNEL: {
                "type": "conversations_select",
                "selected_conversation": "C0EVENTS1",
            },
        },
    )
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        event_id = max(e.id or 0 for e in session.exec(select(SpeedEvent)).all())
    engine.dispose()
    questions = {
        "U0MENTEE1": "How do I get better at estimating incident severity on call?",
        "U0NEWHIRE": "How do I make my first dbt models maintainable?",
    }
    for mentee, question in questions.items():
        print(f"\n\n▶ {NAMES[mentee]} clicks [Join as mentee]")
        demo.bot.click(Action.EVENT_JOIN_MENTEE, str(event_id), mentee)
        demo.submit(
            mentee, Callback.EVENT_JOIN, {Field.EVENT_QUESTION: text_input(question)}, str(event_id)
        )
    for mentor in ("U0SRE0001", "U0DEN0004"):
        demo.click(mentor, Action.EVENT_JOIN_MENTOR, str(event_id))
    demo.job("Sign-up closes: the plan goes to the lead first", NoticeKind.CLOSE, event_id)
    demo.click("U0LEAD001", Action.EVENT_POST_PLAN, str(event_id))
    demo.job("Round 1 starts", NoticeKind.ROUND_START, event_id, 1)
    demo.job("The event ends", NoticeKind.END, event_id)
    pairing = next(
        c for c in reversed(demo.api.messages_to("U0NEWHIRE")) if "How useful" in c.blocks_text()
    )
    first = next(
        e["value"]
        for b in pairing.params["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.EVENT_FOLLOW_UP.value
    )
    demo.click("U0NEWHIRE", Action.EVENT_FOLLOW_UP, first)
    thanks = demo.api.messages_to("U0SRE0001")[-1]
    kept = next(
        e["value"]
        for b in thanks.params["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.EVENT_CONTINUE.value
    )
    demo.click("U0SRE0001", Action.EVENT_CONTINUE, kept)


def main() -> int:
    configure_logging("WARNING")
    directory = Path(tempfile.mkdtemp(prefix="mentor-demo-"))
    url = f"sqlite:///{directory / 'demo.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    import_mentors(engine, read_mentor_csv(ROSTER))
    engine.dispose()
    api = SlackStandIn().start()
    settings = Settings(
        _env_file=None,
        database_url=url,
        slack_bot_token="xoxb-demo",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=api.base_url,
        program_leads=["U0LEAD001"],
    )
    print("Loading the model and the example roster (36 mentors)…")
    bot = BotServer(settings, SentenceTransformerEmbedder(PACKAGED_MODEL), api)
    demo = Demo(bot, api)
    demo.flush(0)
    try:
        print("\n══ Flash mentoring: the best fit accepts")
        demo.say("U0MENTEE1", "How do I run a blameless postmortem after last night's outage?")
        demo.click("U0SRE0001", Action.ACCEPT, demo.last_offer_to("U0SRE0001"))
        picker = next(
            c for c in reversed(api.messages_to("U0MENTEE1")) if "Pick a time" in c.blocks_text()
        )
        first_slot = next(
            b["accessory"]["value"] for b in picker.params["blocks"] if b.get("accessory")
        )
        demo.click("U0MENTEE1", Action.BOOK_SLOT, first_slot)
        print("\n\n══ Reverse mentoring: a VP asks, a junior knows; the first fit is busy")
        demo.say("U0VPSALES", "Should our sales team post short videos on TikTok?")
        demo.click("U0REV0025", Action.PAUSE, demo.last_offer_to("U0REV0025"))
        offers = [c for c in api.of("chat.postMessage") if "Accept" in c.blocks_text()]
        if offers[-1].params["channel"] != "DU0REV0025":  # a second good fit was asked
            second = offers[-1].params["channel"][1:]
            demo.click(second, Action.ACCEPT, demo.last_offer_to(second))
        print("\n\n══ Unmet demand: nobody on the roster knows the topic")
        demo.say("U0HOBBY01", "How do I knit a woollen scarf?")
        print("\n(Leads hear of a topic only once three different people found no mentor.)")
        demo.say("U0HOBBY02", "Any knitting group here? I'd love to learn to knit socks")
        demo.say("U0HOBBY03", "What yarn should I buy to knit my first sweater?")
        speed_mentoring(demo, url)
        print("\n\n══ Status and Home tabs")
        demo.say("U0MENTEE1", "status")
        for who in ("U0SRE0001", "U0LEAD001"):
            print(f"\n\n▶ {NAMES.get(who, who)} opens the mentor-bot Home tab")
            bot.home_opened(who)
            demo.flush(1.0)
    finally:
        bot.close()
        api.stop()
    print(f"\n\nDone. The demo database is {directory / 'demo.db'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
