"""What the product says outside its templates, in French and English (templates/words.toml):
the words of codes, and how a promised date was computed, from the rule kept with it."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

from complaints.dates import LOCALES, long_date, long_moment

# French typography: a narrow no-break space before ; ? ! and a no-break one before : and
# inside « » (so that no line starts with them).
_FRENCH = re.compile(r" ([:;?!»])|(«) ")
_SPACE = {":": "\u00a0:", "»": "\u00a0»", "«": "«\u00a0"}


def typeset(text: str, lang: str) -> str:
    """`text` with the language's spaces around punctuation (French only has rules)."""
    if lang != "fr":
        return text
    return _FRENCH.sub(lambda m: _SPACE.get(m[1] or m[2], f"\u202f{m[1]}"), text)


def counted(forms: str | dict[str, str], lang: str, count: float, **values: Any) -> str:
    """The form of `forms` ({"one": …, "other": …}) that `count` takes in `lang`, by the
    CLDR's rules (French says "0 réclamation", English "0 complaints"), filled with `count`
    and `values`. A plain string has one form."""
    if not isinstance(forms, str):
        forms = forms.get(Locale.parse(lang).plural_form(count), forms["other"])
    return forms.format(count=count, **values)


@lru_cache(maxsize=4)
def catalog(templates: Path) -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = tomllib.loads(
        (templates / "words.toml").read_text("utf-8")
    )
    return data


def label(templates: Path, lang: str, group: str, code: str) -> str:
    """The word for `code` of `group` (a channel, a severity…), the code itself if unknown."""
    return catalog(templates)[lang][group].get(code, code)


def explain(templates: Path, lang: str, rule: dict[str, Any]) -> str:
    """How a promise's date was computed, in words (from the rule stored with it)."""
    words = catalog(templates)[lang]
    due = datetime.fromisoformat(rule["due"])
    zone = str(rule.get("timezone", "UTC"))
    promise = str(rule["promise"])
    if promise == "acknowledge":
        start = long_moment(datetime.fromisoformat(rule["from"]), lang, zone)
        text = words["explain"]["acknowledge"].format(
            minutes=rule["minutes"], start=start, due=long_moment(due, lang, zone)
        )
        return typeset(text, lang)

    def day(value: str) -> str:
        return long_date(date.fromisoformat(value), lang, zone)

    why = (
        words["why"]
        .get(str(rule.get("basis", "default")), "")
        .format(
            channel=words["channel"].get(str(rule.get("channel")), str(rule.get("channel"))),
            severity=words["severity"].get(str(rule.get("severity")), str(rule.get("severity"))),
        )
    )
    text = words["explain"][promise].format(
        days=rule["days"],
        counting=words["counting"][str(rule["counting"])],
        start=day(rule["from"]),
        due=day(rule["until"]),
        on=day(rule["on"]) if "on" in rule else "",
        why=why,
    )
    holidays = rule.get("holidays_skipped") or []
    if holidays:
        text += words["explain"]["holidays"].format(days=", ".join(day(d) for d in holidays))
    return typeset(text + words["explain"]["timezone"].format(zone=zone), lang)


def percent(value: float | None, lang: str) -> str:
    """A share as a percentage, written the language's way: 66,7 % / 66.7%."""
    if value is None:
        return "—"
    number = format_decimal(100 * value, format="0.0", locale=LOCALES[lang])
    return f"{number}\u202f%" if lang == "fr" else f"{number}%"
