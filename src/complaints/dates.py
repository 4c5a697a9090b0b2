"""Dates as people read them: in the organisation's time zone, in the reader's language (Babel)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, format_timedelta

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(value: datetime, timezone: str) -> date:
    """The calendar day `value` falls on in `timezone`."""
    return value.astimezone(zone(timezone)).date()


def long_date(value: date | datetime, lang: str, timezone: str) -> str:
    """A date as people write it: 7 décembre 2026 / 7 December 2026 (a moment: its local day)."""
    if isinstance(value, datetime):
        value = local_day(value, timezone)
    text = format_date(value, format="long", locale=LOCALES[lang])
    # French writes the first day of a month as an ordinal: 1er novembre (CLDR does not).
    return f"1er{text[1:]}" if lang == "fr" and value.day == 1 else text


def long_moment(value: datetime, lang: str, timezone: str) -> str:
    """A moment with its local time: 7 décembre 2026 à 14:05 / 7 December 2026 at 14:05."""
    moment = value.astimezone(zone(timezone))
    time = format_time(moment, format="short", locale=LOCALES[lang])
    return f"{long_date(moment.date(), lang, timezone)} {'à' if lang == 'fr' else 'at'} {time}"


def in_a_while(seconds: int, lang: str) -> str:
    """A wait in words, never shorter than it is: dans 2 minutes / in 2 minutes."""
    for unit in (31_536_000, 2_592_000, 604_800, 86_400, 3_600, 60):  # Babel's units
        if seconds > unit:
            seconds = -(-seconds // unit) * unit  # rounded up to the unit Babel will name
            break
    return format_timedelta(
        timedelta(seconds=max(seconds, 1)),
        threshold=1,
        add_direction=True,
        locale=LOCALES[lang],
    )


def short_moment(value: datetime, lang: str, timezone: str) -> str:
    """A moment for a table: 23/11/2026 14:05 (fr) / 23/11/2026, 14:05 (en), local time."""
    moment = value.astimezone(zone(timezone))
    return format_datetime(moment, format="short", locale=LOCALES[lang], tzinfo=moment.tzinfo)
