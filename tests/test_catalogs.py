"""The message catalogs: every message of the code is translated in every language, with the
same placeholders, the language's plural forms, and nothing left fuzzy or stale."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalog_path, ngettext, use_language

BOT = Path(__file__).resolve().parents[1] / "bot"
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
# Slack markup a translation must keep as is: mentions, links and dates, and `code`.
SLACK_TOKENS = re.compile(r"<[@!#][^>]*>|`[^`]*`")


def code_messages() -> dict[str, tuple[str, ...]]:
    """msgid → (msgid, plural) of every message marked in the code, extracted afresh."""
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(str(BOT)):
        forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        found[forms[0]] = forms
    return found


def load(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def forms_of(message: Message) -> list[str]:
    """The translation's forms (one, or one per plural form)."""
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string or ())


def done(message: Message | None) -> bool:
    return message is not None and not message.fuzzy and all(forms_of(message))


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_the_template_is_up_to_date() -> None:
    """`make messages` was run after the last change to a message in the code."""
    with (LOCALE_DIR / "messages.pot").open("rb") as pot:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    assert template == set(code_messages())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    catalog = load(language)
    expected = code_messages()
    translated: dict[str, Message] = {
        (m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id
    }
    missing = [msgid for msgid in expected if not done(translated.get(msgid))]
    assert missing == [], f"{language}: {len(missing)} messages untranslated, e.g. {missing[:3]}"
    stale = sorted(set(translated) - set(expected))
    assert stale == [], f"{language}: messages no longer in the code: {stale[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_slack_markup(language: str) -> None:
    broken = []
    for message in load(language):
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = forms_of(message)
        wanted = set().union(*(placeholders(s) for s in sources))
        tokens = set().union(*(set(SLACK_TOKENS.findall(s)) for s in sources))
        for target in targets:
            if not target:
                continue  # untranslated: test_every_message_is_translated says so
            try:
                names = placeholders(target)
            except ValueError:  # an unbalanced brace: str.format would raise at run time
                broken.append((sources[0], target))
                continue
            # A plural form may leave {count} out ("one request" → "jedno zgłoszenie").
            if names - wanted or (wanted - names) - {"count"}:
                broken.append((sources[0], target))
            commands = {t for t in tokens if t.startswith("`/mentor")}
            if not commands <= set(SLACK_TOKENS.findall(target)):
                broken.append((sources[0], target))
    assert broken == [], f"{language}: {broken[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_follow_the_language(language: str) -> None:
    catalog = load(language)
    assert catalog.num_plurals == get_plural(language).num_plurals
    for message in catalog:
        if message.id and not isinstance(message.id, str):
            forms = forms_of(message)
            assert len(forms) == catalog.num_plurals, message.id
            assert all(forms), message.id


def test_polish_counts_read_naturally() -> None:
    """Polish has three forms: 1 prośba, 2 prośby, 5 próśb — the catalog is used for each."""
    with use_language("pl"):
        forms = {
            n: ngettext("You have {count} open request", "You have {count} open requests", n)
            for n in (1, 2, 5, 22, 25)
        }
    assert len({forms[1], forms[2], forms[5]}) == 3
    assert forms[22].replace("22", "2") == forms[2]
    assert forms[25].replace("25", "5") == forms[5]
