"""Reusable answers (templates/answers.toml): per language, category and decision, offered in
the staff page's answer form with the complaint's name, reference and subject filled in."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from complaints.words import typeset

ANY = "*"
_PLACE = re.compile(r"\{(name|reference|subject)\}")


class AnswerTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    title: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=40)
    decision: str = Field(pattern=r"^(accepted|partially_accepted|rejected|\*)$")
    text: str = Field(min_length=1, max_length=10_000)

    def fits(self, category: str | None, decision: str | None) -> bool:
        return self.category in (ANY, category) and (
            decision is None or self.decision in (ANY, decision)
        )

    def filled(self, lang: str, **facts: str) -> str:
        """The text with {name}, {reference} and {subject} replaced (nothing else is read)."""
        return typeset(_PLACE.sub(lambda m: facts.get(m[1], m[0]), self.text), lang)


class AnswersError(ValueError):
    """templates/answers.toml cannot be read: which entry and why, in one line."""


_FILE = TypeAdapter(dict[str, list[AnswerTemplate]])


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> dict[str, list[AnswerTemplate]]:
    try:
        found = _FILE.validate_python(tomllib.loads(path.read_text("utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as bad:
        raise AnswersError(f"{path}: {' '.join(str(bad).split())[:300]}") from bad
    for lang, entries in found.items():
        keys = [e.key for e in entries]
        if len(keys) != len(set(keys)):
            raise AnswersError(f"{path}: two [[{lang}]] answers have the same key")
    return found


def load(templates: Path) -> dict[str, list[AnswerTemplate]]:
    """Every answer by language; read again when the file changes (an administrator's edit)."""
    path = templates / "answers.toml"
    if not path.exists():
        return {}
    return _load(path, path.stat().st_mtime)


def offered(templates: Path, lang: str, category: str | None) -> list[AnswerTemplate]:
    """The answers for the complaint's category (and those for any), in the file's order."""
    return [a for a in load(templates).get(lang, []) if a.fits(category, None)]


def default(
    answers: list[AnswerTemplate], category: str | None, decision: str | None
) -> AnswerTemplate | None:
    return next((a for a in answers if a.fits(category, decision)), None)


def check(templates: Path, categories: list[str]) -> tuple[bool, str]:
    """`complaints doctor`'s line: the file reads, and names only categories that exist."""
    try:
        found = load(templates)
    except AnswersError as bad:
        return False, str(bad)
    unknown = sorted(
        {a.category for entries in found.values() for a in entries} - {ANY, *categories}
    )
    if unknown:
        return (
            False,
            f"answers.toml names categories the code of conduct lacks: {', '.join(unknown)}",
        )
    counts = ", ".join(f"{len(v)} in {k}" for k, v in found.items()) or "none"
    return True, f"standard answers: {counts}"
