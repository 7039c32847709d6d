"""Busy times from a mentor's calendar feed: the secret iCal address Google, Outlook and Apple
publish. Slots avoid them; a feed that cannot be read never stops a booking.

The address is typed by a person and read by the server, so it is treated as hostile input:
https only (webcal is https), at most MAX_FEED_BYTES, a hard time limit, and never a private,
loopback or link-local address. That last check is made on the address actually connected to
(every redirect included), so a DNS name cannot point the bot at an internal service.

Only busy intervals leave this module. Texts (titles, descriptions, attendees) are dropped as
soon as a feed is parsed, and neither the address nor anything read from it is logged: a
failure is described by its exception's class name alone.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]  # untyped (no py.typed)

from bot.i18n import N_, _

Interval = tuple[datetime, datetime]

# A busy calendar's secret address serves a few hundred kB (a year of meetings, with history);
# 2 MB leaves room and bounds what one typed address can make the bot download and parse.
MAX_FEED_BYTES = 2_000_000
MAX_ADDRESS_CHARS = 1000
# iCloud answers a published calendar with a redirect to the calendar's own partition host.
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A broken feed is tried again after a minute, not at every proposal: each try may wait for
# the whole timeout, and a mentor's mentees would all wait with it.
FAILURE_CACHE_SECONDS = 60.0
MAX_CACHED_FEEDS = 500
# Floating and all-day events are placed in the mentor's zone after the query: asking the
# expander for a day more on each side never misses one of them.
QUERY_MARGIN = timedelta(days=1)
# Expanding recurring events is CPU work on a stranger's file, after the download's limits:
# keep it bounded. Calendars hold a few hundred series, none repeating more than daily.
MAX_EVENTS = 10_000
MAX_SERIES = 1_000
MAX_COUNT = 5_000
SUB_DAILY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
# Daily and weekly series that began long ago are moved forward by whole periods (the same
# occurrences from then on): the expander walks every occurrence from DTSTART.
SERIES_LOOKBACK = timedelta(days=60)
# What a busy interval does not need; dropped on parsing so no title stays in memory either.
TEXT_PROPERTIES = (
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "COMMENT",
    "ATTENDEE",
    "ORGANIZER",
    "CONTACT",
    "URL",
    "ATTACH",
    "CATEGORIES",
    "X-ALT-DESC",
    "X-WR-CALNAME",
    "X-WR-CALDESC",
)
HEADERS = {"Accept": "text/calendar", "User-Agent": "mentor-bot (busy times)"}


class FeedError(Exception):
    """A feed that cannot be used. Messages never hold the address."""


class AddressRefusedError(FeedError):
    """Not an address the bot may read: scheme, credentials, or a private network address."""


class FeedTooLargeError(FeedError):
    pass


class FeedHTTPError(FeedError):
    pass


class NotACalendarError(FeedError):
    """Not an iCalendar file (a login page, for instance)."""


@dataclass(frozen=True)
class BusyTimes:
    """What a feed says about a window: busy intervals in UTC, or why it could not be read."""

    busy: tuple[Interval, ...] = ()
    failure: str | None = None  # the class name of what went wrong (safe to log)

    @property
    def ok(self) -> bool:
        return self.failure is None


# -- checking an address ------------------------------------------------------------------

ADDRESS_PROBLEMS = {
    "too_long": N_("That address is too long (at most 1,000 characters)."),
    "scheme": N_(
        "Paste the secret iCal address of your calendar: it starts with https:// or webcal://."
    ),
    "not_a_url": N_(
        "That doesn't look like a calendar address. Paste the secret iCal address of your"
        " calendar (one address, starting with https:// or webcal://)."
    ),
    "private": N_(
        "That address is on a private network, which I may not read. Paste the secret iCal"
        " address your calendar service publishes."
    ),
}


def address_problem(text: str, *, allow_http: bool = False) -> str | None:
    """What is wrong with a feed address typed in the profile form, in the reader's language;
    None when it may be saved. Checked without the network: the form must answer at once, so
    names are resolved (and refused if private) only when the feed is read."""
    problem = _address_problem(text.strip(), allow_http=allow_http)
    return _(ADDRESS_PROBLEMS[problem]) if problem else None


def _address_problem(text: str, *, allow_http: bool) -> str | None:
    if len(text) > MAX_ADDRESS_CHARS:
        return "too_long"
    try:
        if not _scheme_allowed(text, allow_http):
            return "scheme"
        target = _Target.of(text, allow_http=allow_http)
    except (AddressRefusedError, ValueError):  # no host, credentials, "[::1", a port "x"…
        return "not_a_url"
    if any(c.isspace() for c in text) or ("." not in target.host and not _is_ip(target.host)):
        return "not_a_url"
    if not allow_http and _is_ip(target.host) and not _public(target.host):
        return "private"
    return None


def _scheme_allowed(text: str, allow_http: bool) -> bool:
    scheme = urlsplit(text).scheme.lower()
    return scheme in ("https", "webcal") or (allow_http and scheme == "http")


@dataclass(frozen=True)
class _Target:
    https: bool
    host: str
    port: int
    path: str

    @classmethod
    def of(cls, url: str, *, allow_http: bool) -> _Target:
        """AddressRefusedError: the bot may not read it; ValueError: it is no URL."""
        parts = urlsplit(url)
        if not _scheme_allowed(url, allow_http):
            raise AddressRefusedError("scheme")
        if not parts.hostname or parts.username is not None or parts.password is not None:
            raise AddressRefusedError("host")
        https = parts.scheme.lower() != "http"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(https, parts.hostname, parts.port or (443 if https else 80), path)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _public(address: str) -> bool:
    """A globally routable address: not private, loopback, link-local, CGNAT or reserved."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id ("fe80::1%eth0")
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    if embedded is not None and not _public(str(embedded)):
        return False  # a private IPv4 reached through IPv6 (mapped, 6to4, Teredo, NAT64)
    return ip.is_global and not ip.is_multicast


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries, when it carries one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in NAT64) or int(ip) >> 32 == 0:  # NAT64, or ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


# -- reading a feed -----------------------------------------------------------------------


def _open_socket(host: str, port: int, timeout: float, *, allow_private: bool) -> socket.socket:
    """A connection to `host`, refused when any of its addresses is not public: checking
    the addresses connected to (not the name) is what stops DNS names pointing inside."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private and not all(_public(str(info[4][0])) for info in found):
        raise AddressRefusedError("private address")
    last: OSError = OSError("no address")
    for family, kind, proto, _name, address in found:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as error:
            sock.close()
            last = error
            continue
        return sock
    raise last


class _CheckedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, timeout: float, allow_private: bool) -> None:
        super().__init__(host, port, timeout=timeout)
        self._allow_private = allow_private

    def connect(self) -> None:
        self.sock = _open_socket(
            self.host, self.port, self.timeout or 1, allow_private=self._allow_private
        )


class _CheckedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        allow_private: bool,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._allow_private = allow_private
        self._tls = context

    def connect(self) -> None:
        plain = _open_socket(
            self.host, self.port, self.timeout or 1, allow_private=self._allow_private
        )
        self.sock = self._tls.wrap_socket(plain, server_hostname=self.host)


@dataclass(frozen=True)
class _Reader:
    timeout: float
    allow_private: bool
    max_bytes: int
    tls: ssl.SSLContext

    def download(self, url: str) -> bytes:
        """The feed's bytes, following a few redirects (each one checked like the first)."""
        deadline = time.monotonic() + self.timeout
        for _hop in range(MAX_REDIRECTS + 1):
            target = _Target.of(url, allow_http=self.allow_private)
            connection = self._connection(target)
            try:
                connection.request("GET", target.path, headers=HEADERS)
                response = connection.getresponse()
                location = response.getheader("Location")
                if response.status in REDIRECTS and location:
                    url = urljoin(url, location)
                    continue
                if response.status != 200:
                    raise FeedHTTPError(f"HTTP {response.status}")
                return self._read(response, deadline)
            finally:
                connection.close()
        raise FeedHTTPError("too many redirects")

    def _connection(self, target: _Target) -> http.client.HTTPConnection:
        if target.https:
            return _CheckedHTTPS(
                target.host,
                target.port,
                timeout=self.timeout,
                allow_private=self.allow_private,
                context=self.tls,
            )
        return _CheckedHTTP(
            target.host, target.port, timeout=self.timeout, allow_private=self.allow_private
        )

    def _read(self, response: http.client.HTTPResponse, deadline: float) -> bytes:
        declared = response.getheader("Content-Length") or ""
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FeedTooLargeError(declared)
        chunks: list[bytes] = []
        size = 0
        # read1: returns what has arrived, so a server that trickles bytes meets the deadline.
        while chunk := response.read1(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise FeedTooLargeError(str(size))
            if time.monotonic() > deadline:
                raise TimeoutError("feed too slow")
            chunks.append(chunk)
        return b"".join(chunks)


def _parse(data: bytes) -> Any:
    """A recurring_ical_events query over the feed, its texts dropped."""
    calendar = icalendar.Calendar.from_ical(data)
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise NotACalendarError("not a calendar")
    for component in calendar.walk():
        for name in TEXT_PROPERTIES:
            component.pop(name, None)
    events = calendar.walk("VEVENT")
    series = [e for e in events if e.get("RRULE") is not None]
    if len(events) > MAX_EVENTS or len(series) > MAX_SERIES:
        raise FeedTooLargeError(f"{len(events)} events, {len(series)} series")
    return calendar


def _query(calendar: Any, since: datetime) -> Any:
    """The occurrences' query, its expansion bounded (_tame) for windows from `since` on."""
    _tame(calendar, since)
    # skip_bad_series: one malformed recurring event must not hide every other busy time.
    return recurring_ical_events.of(calendar, skip_bad_series=True)


def _tame(calendar: Any, since: datetime) -> None:
    """Bound the expansion's work (see MAX_EVENTS): read sub-daily rules as one occurrence,
    cap COUNT, and start open-ended daily and weekly series just before `since`."""
    for event in [e for e in calendar.walk("VEVENT") if e.get("RRULE") is not None]:
        rule = event["RRULE"]
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq in SUB_DAILY:
            event.pop("RRULE")  # no real calendar repeats a meeting every minute
            continue
        count = rule.get("COUNT")
        if count and int(count[0]) > MAX_COUNT:
            rule["COUNT"] = [MAX_COUNT]
        elif not count and freq in ("DAILY", "WEEKLY"):
            _start_near(event, rule, freq, since)


def _start_near(event: Any, rule: Any, freq: str, since: datetime) -> None:
    """Move an open-ended daily or weekly series' DTSTART (and DTEND) forward by whole
    periods to just before `since`: the same occurrences from then on, far fewer steps."""
    start = event.decoded("DTSTART")
    if not isinstance(start, datetime) or start.tzinfo is None:
        return  # all-day or floating: rare for long series; left as they are
    interval = int((rule.get("INTERVAL") or [1])[0]) or 1
    period = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
    periods = (since - start) // period
    if periods <= 0:
        return
    shift = periods * period
    event["DTSTART"] = icalendar.vDDDTypes(start + shift)
    if "DTEND" in event:
        event["DTEND"] = icalendar.vDDDTypes(event.decoded("DTEND") + shift)


# -- from events to busy intervals --------------------------------------------------------


def busy_intervals(
    query: Any, zone: ZoneInfo, start: datetime, end: datetime
) -> tuple[Interval, ...]:
    """Busy intervals (UTC) overlapping [start, end): every occurrence of recurring events
    (exceptions and moved instances included), without free (transparent) or cancelled ones."""
    found = []
    for event in query.between(start - QUERY_MARGIN, end + QUERY_MARGIN):
        if _leaves_time_free(event):
            continue
        begins, ends = _utc(event.start, zone), _utc(event.end, zone)
        if begins < ends and begins < end and start < ends:
            found.append((begins, ends))
    return tuple(sorted(found))


def _leaves_time_free(event: Any) -> bool:
    return (
        str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
        or str(event.get("STATUS", "")).upper() == "CANCELLED"
    )


def _utc(moment: date | datetime, zone: ZoneInfo) -> datetime:
    """An event time in UTC: floating times are the mentor's local time; a date (an all-day
    event) is the mentor's local midnight, so the event blocks their whole day."""
    if isinstance(moment, datetime):
        local = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        return local.astimezone(UTC)
    return datetime.combine(moment, clock.min, tzinfo=zone).astimezone(UTC)


# -- the cache ----------------------------------------------------------------------------


@dataclass
class _Entry:
    expires: float
    calendar: Any = None  # None when the feed could not be read
    query: Any = None  # built at the first window asked for (see _query)
    failure: str | None = None
    # The expander's rules fill a cache of occurrences as they run (dateutil's rrule cache):
    # one query at a time per feed.
    lock: threading.Lock = field(default_factory=threading.Lock)


class BusyFeeds:
    """Busy times of calendar feeds, cached in memory by address (thread-safe).

    `private_hosts`: allow http:// and private or loopback addresses (tests' local server
    only)."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 3.0,
        cache_minutes: float = 15,
        private_hosts: bool = False,
        max_bytes: int = MAX_FEED_BYTES,
        failure_cache_seconds: float = FAILURE_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.private_hosts = private_hosts
        self._timeout = timeout_seconds
        self._ttl = cache_minutes * 60
        self._failure_ttl = min(failure_cache_seconds, self._ttl)
        self._clock = clock
        self._reader = _Reader(
            timeout_seconds, private_hosts, max_bytes, ssl.create_default_context()
        )
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def busy(self, url: str, *, zone: ZoneInfo, start: datetime, end: datetime) -> BusyTimes:
        """The feed's busy intervals overlapping [start, end); `zone` is the mentor's."""
        entry = self._entry(url.strip())
        if entry.failure is not None:
            return BusyTimes(failure=entry.failure)
        try:
            with entry.lock:
                if entry.query is None:  # windows start now or later: old occurrences can go
                    entry.query = _query(entry.calendar, start - SERIES_LOOKBACK)
                return BusyTimes(busy_intervals(entry.query, zone, start, end))
        except Exception as error:  # noqa: BLE001  (a stranger's file: anything may break)
            return BusyTimes(failure=type(error).__name__)

    def _entry(self, url: str) -> _Entry:
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and cached.expires > self._clock():
            return cached
        # Read outside the lock: a slow feed must not hold up other mentors' feeds.
        entry = self._load(url)
        with self._lock:
            self._cache[url] = entry
            self._evict()
        return entry

    def _load(self, url: str) -> _Entry:
        try:
            calendar = _parse(self._fetch(url))
        except Exception as error:  # noqa: BLE001  (network, TLS, HTTP, parser: all a failure)
            return _Entry(self._clock() + self._failure_ttl, failure=type(error).__name__)
        return _Entry(self._clock() + self._ttl, calendar)

    def _fetch(self, url: str) -> bytes:
        """Download in a helper thread, waiting at most the timeout: name resolution has no
        timeout of its own, and a booking must not wait for a stalled feed."""
        result: Future[bytes] = Future()

        def run() -> None:
            try:
                result.set_result(self._reader.download(url))
            except BaseException as error:  # noqa: BLE001  (handed to the waiting caller)
                result.set_exception(error)

        threading.Thread(target=run, name="busy-feed", daemon=True).start()
        return result.result(timeout=self._timeout)

    def _evict(self) -> None:
        """Expired entries first, then the oldest, beyond MAX_CACHED_FEEDS (caller locks)."""
        if len(self._cache) <= MAX_CACHED_FEEDS:
            return
        now = self._clock()
        for url in [u for u, e in self._cache.items() if e.expires <= now]:
            del self._cache[url]
        by_age = sorted(self._cache, key=lambda u: self._cache[u].expires)
        for url in by_age[: max(0, len(self._cache) - MAX_CACHED_FEEDS)]:
            del self._cache[url]


__all__ = ["BusyFeeds", "BusyTimes", "Interval", "address_problem", "busy_intervals"]
