"""Messages in the reader's language.

Catalogs are ordinary gettext `.po` files (`bot/locale/<lang>/LC_MESSAGES/messages.po`, the
template `bot/locale/messages.pot` is extracted from the code with `make messages`), read once
per process with Babel: a translator edits a `.po` file with any tool, and no compile step can
be forgotten.

Which language a message is built in is the *active language* of the current context
(`use_language`): the notifier activates each recipient's language around the builder it
calls, a middleware activates the acting user's for a listener. Builders stay pure functions of
their arguments and the active language; they never look anyone's language up.

Messages use named `{placeholders}` (str.format), filled after translation so a translator
may move them: `_("I asked {mentor} to help", mentor=...)`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.config import Language

LANGUAGES: tuple[str, ...] = get_args(Language)
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_active: ContextVar[str] = ContextVar("mentor_bot_language", default=SOURCE_LANGUAGE)


def catalog_path(language: str, directory: Path = LOCALE_DIR) -> Path:
    return directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of `language` (English, the source language, needs none)."""
    path = catalog_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    # Fuzzy entries are a translator's unchecked guesses: English is better than a wrong text.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def supported(language: str | None) -> str | None:
    """The language mentor-bot speaks for a Slack locale ("pl-PL", "es-LA", "id"), or None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


# Each language's own name for itself (shown as is, whatever the reader's language).
NATIVE_NAMES = {
    "en": "English",
    "pl": "polski",
    "it": "italiano",
    "id": "Bahasa Indonesia",
    "es": "español",
    "de": "Deutsch",
    "fr": "français",
}
# What people type after `/mentor language`: a code or a name, in any of the languages.
_LANGUAGE_WORDS = {
    **{code: code for code in NATIVE_NAMES},
    **{name.lower(): code for code, name in NATIVE_NAMES.items()},
    "english": "en",
    "angielski": "en",
    "inglese": "en",
    "inggris": "en",
    "inglés": "en",
    "ingles": "en",
    "englisch": "en",
    "anglais": "en",
    "polish": "pl",
    "polacco": "pl",
    "polandia": "pl",
    "polaco": "pl",
    "polnisch": "pl",
    "polonais": "pl",
    "italian": "it",
    "włoski": "it",
    "wloski": "it",
    "italia": "it",
    "italiano": "it",
    "italienisch": "it",
    "italien": "it",
    "indonesian": "id",
    "indonezyjski": "id",
    "indonesiano": "id",
    "indonesia": "id",
    "indonesio": "id",
    "indonesisch": "id",
    "indonésien": "id",
    "indonesien": "id",
    "spanish": "es",
    "hiszpański": "es",
    "hiszpanski": "es",
    "spagnolo": "es",
    "spanyol": "es",
    "espanol": "es",
    "spanisch": "es",
    "espagnol": "es",
    "german": "de",
    "niemiecki": "de",
    "tedesco": "de",
    "jerman": "de",
    "alemán": "de",
    "aleman": "de",
    "allemand": "de",
    "french": "fr",
    "francuski": "fr",
    "francese": "fr",
    "prancis": "fr",
    "francés": "fr",
    "frances": "fr",
    "französisch": "fr",
    "francais": "fr",
}


def language_named(word: str) -> str | None:
    """The language code for what someone typed ("pl", "Polish", "polski", "polacco")."""
    return _LANGUAGE_WORDS.get(" ".join(word.lower().split()))


def active_language() -> str:
    return _active.get()


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Build messages in `language` (unsupported or None: English) inside the block."""
    chosen = supported(language) or SOURCE_LANGUAGE
    token = _active.set(chosen)
    try:
        yield chosen
    finally:
        _active.reset(token)


def activate(language: str | None) -> str:
    """Make `language` the active one for the rest of this context, with no block to end it:
    for a Slack request, whose middleware ends before its listeners run (Bolt calls them
    after the whole middleware chain, not inside it). Every request activates its own."""
    chosen = supported(language) or SOURCE_LANGUAGE
    _active.set(chosen)
    return chosen


def _(message: str, /, **values: object) -> str:
    """`message` in the active language, its `{placeholders}` filled with `values`."""
    translated = translations(_active.get()).ugettext(message)
    return translated.format(**values) if values else translated


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form of the message for `count` in the active language (Polish has three, say);
    `{count}` and `values` are filled in."""
    translated = translations(_active.get()).ungettext(singular, plural, count)
    return translated.format(count=count, **values)


def N_(message: str, /) -> str:  # noqa: N802  (gettext's conventional name)
    """Mark a message for the catalog where it is defined; translate it with `_` where used."""
    return message


def format_when(moment: datetime, zone: ZoneInfo | str) -> str:
    """A date and time as people of the active language write it, in `zone`:
    "Thu, Nov 26, 14:00" in English, "czw., 26 lis, 14:00" in Polish, "Do., 26. Nov., 14:00"
    in German."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    local = moment.astimezone(tz)
    # The 24-hour clock is usual in every language here but English, where it reads fine.
    return format_day(local, tz) + ", " + format_time(local, "HH:mm", locale=_active.get())


def format_clock(moment: datetime, zone: ZoneInfo | str) -> str:
    """The time of day alone ("14:00"), in `zone`."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return format_time(moment.astimezone(tz), "HH:mm", locale=_active.get())


def format_day(moment: datetime, zone: ZoneInfo | str) -> str:
    """A weekday and date in each language's own order and abbreviations (CLDR's "MMMEd"):
    "Thu, Nov 26", "czw., 26 lis", "jeu. 26 nov."."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return format_skeleton("MMMEd", moment.astimezone(tz), locale=_active.get())
