"""Words that agree with a number, by the CLDR's rules: French puts 0 and 1 in the singular,
English only 1; no "(s)" left in what people read."""

from __future__ import annotations

import re
from pathlib import Path

from complaints.words import catalog, counted

TEMPLATES = Path(__file__).parents[1] / "templates"
FORMS = {"one": "{count} réclamation", "other": "{count} réclamations"}


def test_the_form_follows_the_number_and_the_language() -> None:
    assert [counted(FORMS, "fr", n) for n in (0, 1, 2)] == [
        "0 réclamation",
        "1 réclamation",
        "2 réclamations",
    ]
    english = {"one": "{count} complaint", "other": "{count} complaints"}
    assert [counted(english, "en", n) for n in (0, 1, 2)] == [
        "0 complaints",
        "1 complaint",
        "2 complaints",
    ]
    assert counted("{count} j", "fr", 3) == "3 j"  # one form for every number


def test_a_sweep_says_how_many_it_handled() -> None:
    for lang, one, many in (
        ("fr", "1 réclamation traitée.", "3 réclamations traitées."),
        ("en", "1 complaint handled.", "3 complaints handled."),
    ):
        swept = catalog(TEMPLATES)[lang]["trace"]["swept"]
        assert counted(swept, lang, 1, what="x", moment="m").endswith(one)
        assert counted(swept, lang, 3, what="x", moment="m").endswith(many)


def test_no_plural_is_written_with_parentheses() -> None:
    for name in ("words.toml", "web/strings.toml"):
        text = (TEMPLATES / name).read_text("utf-8")
        assert not re.findall(r"\w\(s\)", text), name


def test_a_broken_promise_counts_its_days() -> None:
    cause = catalog(TEMPLATES)["fr"]["cause"]
    assert counted(cause["not_done"], "fr", 1, days=1) == "non envoyé, 1 jour de retard"
    assert counted(cause["not_done"], "fr", 4, days=4) == "non envoyé, 4 jours de retard"
    said = catalog(TEMPLATES)["en"]["cause"]["written_not_delivered"]
    assert counted(said, "en", 1, days=1).endswith("1 day late")
